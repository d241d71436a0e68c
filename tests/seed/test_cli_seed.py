"""``docbase seed`` on the command line: exit codes and what it prints."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from docbase.cli import app

from .helpers import TENANT_DOC, count


def test_seed_command_fills_the_database_and_refuses_a_second_run(tmp_path: Path) -> None:
    doc = tmp_path / "design.md"
    doc.write_text(TENANT_DOC, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    args = ["seed", str(doc), "--db", url, "--rows", "8", "--tenants", "2", "--seed", "9"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "over 2 tenants" in first.output
    assert count(url, "users") == 8
    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "already has rows" in second.output
