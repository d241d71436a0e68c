"""Documentation that must not drift: settings and commands are all documented."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from docbase.cli import app
from docbase.settings import SETTINGS, reference_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_settings_reference_is_current():
    assert (ROOT / "docs" / "settings.md").read_text() == reference_markdown(), (
        "docs/settings.md is stale: run `python -m docbase.settings > docs/settings.md`"
    )
    for setting in SETTINGS.values():
        assert setting.help.strip(), f"setting {setting.name} has no help text"


def test_every_command_is_in_the_readme_or_docs():
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "commands.md").read_text()
    missing = [name for name in get_command(app).commands if f"docbase {name}" not in text]
    assert not missing, f"commands not documented in README.md or docs/commands.md: {missing}"
