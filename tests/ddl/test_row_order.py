"""docbase.ddl.row_order: the SQLite triggers that keep PostgreSQL's unordered read order are installed on a
database migrated before docbase kept them, even when the document did not change."""

from __future__ import annotations

import sqlite3

from docbase.ddl import row_order
from docbase.migrate import migrate
from docbase.pipeline import build_schema

DOC = "```sql\nCREATE TABLE people (username text PRIMARY KEY, status text);\n```\n"


def _triggers(path) -> set[str]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {r[0] for r in rows if r[0].startswith(row_order.PREFIX)}


def test_an_unchanged_document_still_gets_the_row_order_triggers(tmp_path):
    path = tmp_path / "old.db"
    schema = build_schema(DOC, "people.md")
    migrate(schema, f"sqlite:///{path}")
    assert _triggers(path) == set(row_order.trigger_names("people"))
    with sqlite3.connect(path) as conn:  # as a database migrated by an older docbase
        for name in row_order.trigger_names("people"):
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(f"DROP TABLE {row_order.MOVES}")
    plan = migrate(schema, f"sqlite:///{path}")
    assert plan.empty
    assert _triggers(path) == set(row_order.trigger_names("people"))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO people VALUES ('a', 'x'), ('b', 'x')")
        conn.execute("UPDATE people SET status = 'y' WHERE username = 'a'")
        moved = conn.execute(f"SELECT tbl, rid, last_rowid FROM {row_order.MOVES}").fetchall()
    assert moved == [("people", 1, 2)]
