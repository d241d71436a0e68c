"""``python -m bench.read --megabytes N --profile`` profiles that read (the flag was ignored with --megabytes)."""

from __future__ import annotations

from bench import read


def test_profile_with_megabytes_prints_a_profile(capsys) -> None:
    read.main(["--megabytes", "0.05", "--profile"])
    out = capsys.readouterr().out
    assert "0.05 MB:" in out
    assert "build_schema" in out and "tottime" in out
