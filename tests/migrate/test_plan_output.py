"""What `docbase migrate` prints for a changed document, on both databases: every step, refused ones with why.

The dry run and the real run count the same steps; a NOT NULL column the
existing rows cannot fill is refused at plan time with the document line
and the fix; no message names an internal table or a flag that does not
exist on the command it comes from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from docbase.api.serve import ServeError, run
from docbase.cli import app
from docbase.pipeline import build_schema

from .conftest import engine_for

runner = CliRunner()

BEFORE = """# Tasks

```sql
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  note TEXT
);
```
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _created(tmp_path: Path, url: str, rows: bool) -> Path:
    doc = _write(tmp_path / "tasks.md", BEFORE)
    assert runner.invoke(app, ["migrate", str(doc), "--db", url]).exit_code == 0
    if rows:
        with engine_for(url).begin() as conn:
            conn.execute(sa.text("INSERT INTO tasks (id, title) VALUES (1, 'write docs')"))
    return doc


def _columns(url: str) -> list[str]:
    with engine_for(url).connect() as conn:
        return [c["name"] for c in sa.inspect(conn).get_columns("tasks")]


def test_dry_run_and_run_count_the_same_steps(tmp_path: Path, db_url: str) -> None:
    doc = _created(tmp_path, db_url, rows=True)
    _write(doc, BEFORE.replace("  note TEXT\n", "  note TEXT,\n  done BOOLEAN\n"))
    dry = runner.invoke(app, ["migrate", str(doc), "--db", db_url, "--dry-run"])
    assert (dry.exit_code, dry.stdout) == (0, "plan: 1 change\n  + add column tasks.done\n")
    real = runner.invoke(app, ["migrate", str(doc), "--db", db_url])
    assert (real.exit_code, real.stdout) == (0, "applied: 1 change\n  + add column tasks.done\n")
    assert _columns(db_url) == ["id", "title", "note", "done"]


def test_dry_run_shows_every_step_with_the_refused_one_and_why(tmp_path: Path, db_url: str) -> None:
    doc = _created(tmp_path, db_url, rows=True)
    _write(doc, BEFORE.replace("  note TEXT\n", "  due DATE\n"))
    dry = runner.invoke(app, ["migrate", str(doc), "--db", db_url, "--dry-run"])
    assert dry.exit_code == 1
    assert dry.stdout == (
        "plan: 2 changes, 1 refused; nothing would be applied\n"
        "  + add column tasks.due\n"
        "  ! drop column tasks.note (its values are lost): refused: destructive, needs --allow-destructive\n"
    )
    assert dry.stderr.splitlines()[-1] == (
        "error: refusing destructive changes: drop column tasks.note (its values are lost); "
        f"run `docbase migrate {doc} --allow-destructive` to apply them"
    )
    allowed = runner.invoke(app, ["migrate", str(doc), "--db", db_url, "--allow-destructive"])
    assert allowed.exit_code == 0
    assert (
        allowed.stdout
        == "applied: 2 changes\n  + add column tasks.due\n  - drop column tasks.note (its values are lost)\n"
    )
    assert _columns(db_url) == ["id", "title", "due"]


NOT_NULL = BEFORE.replace("  note TEXT\n", "  note TEXT,\n  estimate_hours INTEGER NOT NULL\n")
WHY = (
    "tasks.estimate_hours is NOT NULL without a DEFAULT and tasks already has rows; "
    "give it a DEFAULT, or make it nullable, fill it in (UPDATE), then make it NOT NULL"
)


@pytest.mark.parametrize("flags", [["--dry-run"], [], ["--allow-destructive"]])
def test_not_null_column_without_default_on_a_table_with_rows_is_refused_at_plan_time(
    tmp_path: Path, db_url: str, flags: list[str]
) -> None:
    doc = _created(tmp_path, db_url, rows=True)
    _write(doc, NOT_NULL)
    result = runner.invoke(app, ["migrate", str(doc), "--db", db_url, *flags])
    verb = "would be" if flags == ["--dry-run"] else "was"
    assert result.exit_code == 1
    assert result.stdout == (
        f"plan: 1 change, 1 refused; nothing {verb} applied\n  ! add column tasks.estimate_hours: refused: {doc}:8: {WHY}\n"
    )
    assert result.stderr.splitlines()[-1] == f"error: {doc}:8: {WHY}"
    assert "_docbase_new_" not in result.output
    assert _columns(db_url) == ["id", "title", "note"]


def test_not_null_column_applies_with_a_default_or_on_an_empty_table(tmp_path: Path, db_url: str) -> None:
    doc = _created(tmp_path, db_url, rows=True)
    _write(doc, NOT_NULL.replace("NOT NULL\n", "NOT NULL DEFAULT 0\n"))
    result = runner.invoke(app, ["migrate", str(doc), "--db", db_url])
    assert (result.exit_code, result.stdout) == (0, "applied: 1 change\n  + add column tasks.estimate_hours\n")
    with engine_for(db_url).connect() as conn:
        assert conn.execute(sa.text("SELECT id, estimate_hours FROM tasks")).all() == [(1, 0)]
    empty = tmp_path / "empty"
    empty.mkdir()
    url = db_url.replace("test.db", "empty/test.db") if db_url.startswith("sqlite") else None
    if url is not None:  # SQLite: a second database file; PostgreSQL's fixture gives one database per test
        doc2 = _created(empty, url, rows=False)
        _write(doc2, NOT_NULL)
        assert runner.invoke(app, ["migrate", str(doc2), "--db", url]).stdout == (
            "applied: 1 change\n  + add column tasks.estimate_hours\n"
        )


def test_serve_names_the_command_and_flag_that_exist(tmp_path: Path, db_url: str) -> None:
    doc = _created(tmp_path, db_url, rows=True)
    text = BEFORE.replace("  note TEXT\n", "  due DATE\n")
    _write(doc, text)
    with pytest.raises(ServeError) as refused:
        run(build_schema(text, str(doc)), doc, db_url, "127.0.0.1", 0, 1, echo=lambda _: None)
    assert str(refused.value) == (
        "migration refused: refusing destructive changes: drop column tasks.note (its values are lost); "
        f"run `docbase migrate {doc} --allow-destructive` to apply them; "
        f"run `docbase migrate {doc} --dry-run` to see every step"
    )


def test_making_a_column_with_nulls_not_null_is_refused_even_when_allowed(tmp_path: Path, db_url: str) -> None:
    doc = _created(tmp_path, db_url, rows=True)  # the row's note is NULL
    _write(doc, BEFORE.replace("  note TEXT\n", "  note TEXT NOT NULL\n"))
    result = runner.invoke(app, ["migrate", str(doc), "--db", db_url, "--allow-destructive"])
    why = (
        f"{doc}:7: tasks.note is NOT NULL but some rows hold NULL in it; fill them in first "
        '(UPDATE "tasks" SET "note" = ... WHERE "note" IS NULL), or give it a DEFAULT and fill them in'
    )
    assert result.exit_code == 1
    assert result.stdout == (
        f"plan: 1 change, 1 refused; nothing was applied\n  ! make tasks.note NOT NULL (narrowing): refused: {why}\n"
    )
    assert result.stderr.splitlines()[-1] == f"error: {why}"
