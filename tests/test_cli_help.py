"""``--help`` is written for users (issue 16): no type placeholders such as ``<bool>`` beside a flag, no
internal module names, no file a user does not have. Every command's help is checked, not a sample."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from docbase.cli import app

COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]
INTERNAL = re.compile(r"<(bool|str|int|path|float)>|\(docbase\.|DESIGN\.md|\{[a-z_]+\}")


def _help(*args: str) -> str:
    got = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert got.exit_code == 0, got.output
    return got.output


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_speaks_to_users(command):
    text = _help(*([command] if command else []))
    assert INTERNAL.findall(text) == [], text


def test_values_are_named_and_flags_are_bare():
    text = _help("migrate")
    assert re.search(r"Usage: .*migrate \[OPTIONS\] DOC\b", text), text
    assert re.search(r"--db\s+URL\b", text), text
    assert re.search(r"--dry-run\s+Print the plan", text), text  # a flag takes no value: nothing between
    assert isinstance(app, typer.Typer) and len(COMMANDS) >= 10
