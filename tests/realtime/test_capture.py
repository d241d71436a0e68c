"""Change capture (docbase.ddl.capture): every committed write lands in _docbase_changes, whoever made it,
and a migration keeps capture working over the tables' new columns."""

from __future__ import annotations

import json
import sqlite3

import psycopg
import pytest

from docbase import dburl
from docbase.ddl import capture
from docbase.migrate.apply import migrate
from docbase.pipeline import load_schema

V1 = "```sql\nCREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, gone text, data bytea);\n```\n"
V2 = "```sql\nCREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, data bytea, extra integer);\n```\n"


def _schema(tmp_path, text):
    doc = tmp_path / "design.md"
    doc.write_text(text)
    return load_schema(doc)


def _run(url: str, statements: list[tuple[str, tuple]]) -> list[tuple]:
    """Run writes on a connection of our own; return the change rows (op, record, old)."""
    parsed = dburl.parse(url)
    if parsed.dialect == "sqlite":
        conn = sqlite3.connect(parsed.path)
        for sql, params in statements:
            if sql == "ROLLBACK-INSERT":
                conn.execute("BEGIN")
                conn.execute("INSERT INTO items (id, name) VALUES (99, 'never')")
                conn.execute("ROLLBACK")
                continue
            with conn:
                conn.execute(sql, params)
        rows = conn.execute(f"SELECT op, record, old_record FROM {capture.CHANGES} ORDER BY id").fetchall()
        conn.close()
        return [(op, json.loads(r) if r else None, json.loads(o) if o else None) for op, r, o in rows]
    with psycopg.connect(parsed.libpq(), autocommit=True) as conn:
        for sql, params in statements:
            if sql == "ROLLBACK-INSERT":
                with conn.transaction(force_rollback=True):
                    conn.execute("INSERT INTO items (id, name) VALUES (99, 'never')")
                continue
            conn.execute(sql.replace("?", "%s"), params)
        return [tuple(r) for r in conn.execute(f"SELECT op, record, old_record FROM {capture.CHANGES} ORDER BY id")]


def _install(url: str, schema) -> None:
    parsed = dburl.parse(url)
    if parsed.dialect == "sqlite":
        conn = sqlite3.connect(parsed.path)
        for sql in capture.capture_statements(schema, "sqlite"):
            conn.execute(sql)
        conn.commit()
        conn.close()
    else:
        with psycopg.connect(parsed.libpq(), autocommit=True) as conn:
            for sql in capture.capture_statements(schema, "postgresql"):
                conn.execute(sql)


def test_capture_any_writer_and_survive_a_migration(tmp_path, db_url):
    schema = _schema(tmp_path, V1)
    migrate(schema, db_url)
    _install(db_url, schema)
    _install(db_url, schema)  # idempotent
    rows = _run(
        db_url,
        [
            ("INSERT INTO items (id, name, gone) VALUES (?, ?, ?)", (1, "a", "x")),
            ("UPDATE items SET name = ? WHERE id = ?", ("b", 1)),
            ("ROLLBACK-INSERT", ()),
            ("DELETE FROM items WHERE id = ?", (1,)),
        ],
    )
    assert [r[0] for r in rows] == ["INSERT", "UPDATE", "DELETE"]
    assert rows[0][1] == {"id": 1, "name": "a", "gone": "x", "data": None} and rows[0][2] is None
    assert rows[1][1]["name"] == "b" and rows[1][2]["name"] == "a"
    assert rows[2][1] is None and rows[2][2]["id"] == 1

    plan = migrate(_schema(tmp_path, V2), db_url, allow_destructive=True)  # drops `gone`, adds `extra`
    assert plan.applied
    rows = _run(db_url, [("INSERT INTO items (id, name, extra) VALUES (?, ?, ?)", (2, "c", 7))])
    assert rows[-1][0] == "INSERT" and rows[-1][1] == {"id": 2, "name": "c", "data": None, "extra": 7}


def test_blobs_are_captured_as_hex(tmp_path, sqlite_url):
    schema = _schema(tmp_path, V1)
    migrate(schema, sqlite_url)
    _install(sqlite_url, schema)
    rows = _run(sqlite_url, [("INSERT INTO items (id, name, data) VALUES (?, ?, ?)", (1, "a", b"\x00\xff"))])
    assert rows[0][1]["data"] == "00FF"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_statements_are_built_apart_from_being_run(tmp_path, dialect):
    sql = capture.capture_statements(_schema(tmp_path, V1), dialect)
    assert any(capture.CHANGES in s for s in sql)
    assert any("items" in s and "TRIGGER" in s for s in sql)
