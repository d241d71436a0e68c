"""``docbase outbox DOC`` prints the mail kept for a document's database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from docbase.cli import app

from .conftest import DOCUMENT, make_harness


async def test_outbox_prints_kept_mail(tmp_path: Path, monkeypatch):
    doc = tmp_path / "design.md"
    doc.write_text(DOCUMENT)
    url = f"sqlite:///{tmp_path / 'design.db'}"
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    runner = CliRunner()
    empty = runner.invoke(app, ["outbox", str(doc), "--db", url])
    assert empty.exit_code == 0 and empty.output == ""
    assert not (tmp_path / "design.db").exists()
    h = await make_harness(url, confirm_email=True)
    try:
        await h.signup()
    finally:
        await h.client.aclose()
        await h.engine.dispose()
    shown = runner.invoke(app, ["outbox", str(doc), "--db", url])
    assert shown.exit_code == 0, shown.output
    assert "to ada@example.com" in shown.output and "Confirm your signup" in shown.output
    assert "/verify?token=" in shown.output
    as_json = runner.invoke(app, ["outbox", str(doc), "--db", url, "--json"])
    assert '"recipient": "ada@example.com"' in as_json.output
