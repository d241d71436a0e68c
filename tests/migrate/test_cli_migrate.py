"""`docbase sql` and `docbase migrate` as a user runs them: exit codes and output."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from docbase.cli import app

from .conftest import sql_doc

DOC = sql_doc('CREATE TABLE "user" (id UUID PRIMARY KEY, email TEXT NOT NULL UNIQUE, updated_at TIMESTAMPTZ);')
runner = CliRunner()


def _doc(tmp_path: Path, text: str = DOC) -> Path:
    path = tmp_path / "design.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_sql_prints_a_script_sqlite3_accepts(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", str(_doc(tmp_path)), "--dialect", "sqlite"])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(":memory:")
    db.executescript(result.stdout)  # the summary and warnings go to stderr
    assert db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("user",)]


def test_sql_postgresql_quotes_reserved_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", str(_doc(tmp_path)), "--dialect", "postgresql"])
    assert result.exit_code == 0 and 'CREATE TABLE "user"' in result.output


def test_sql_rejects_an_unknown_dialect(tmp_path: Path) -> None:
    assert runner.invoke(app, ["sql", str(_doc(tmp_path)), "--dialect", "oracle"]).exit_code == 2


def test_migrate_creates_then_reports_nothing_to_do(tmp_path: Path) -> None:
    doc, url = _doc(tmp_path), f"sqlite:///{tmp_path / 'app.db'}"
    first = runner.invoke(app, ["migrate", str(doc), "--db", url])
    assert first.exit_code == 0 and "created the database: 1 tables" in first.output
    second = runner.invoke(app, ["migrate", str(doc), "--db", url])
    assert second.exit_code == 0 and "nothing to do" in second.output


def test_migrate_dry_run_and_refusal(tmp_path: Path) -> None:
    doc, url = _doc(tmp_path), f"sqlite:///{tmp_path / 'app.db'}"
    runner.invoke(app, ["migrate", str(doc), "--db", url])
    _doc(tmp_path, DOC.replace(", updated_at TIMESTAMPTZ", ", name TEXT"))
    plan = runner.invoke(app, ["migrate", str(doc), "--db", url, "--dry-run"])
    assert plan.exit_code == 1 and "refusing destructive changes" in plan.output
    assert "drop column user.updated_at" in plan.output


def test_migrate_unreachable_database_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate", str(_doc(tmp_path)), "--db", "postgresql://nobody@127.0.0.1:1/x"])
    assert result.exit_code == 1 and "cannot connect" in result.output
