"""Every row of every table, read straight from the database: the oracle for "this request changed nothing".

Attack tests compare the whole database before and after: reading it back
through the API would see only what the API chooses to show (a row moved to
another tenant with ``return=minimal`` vanishes from both readings alike),
so this opens its own connection (``sqlite3`` or ``psycopg``) and reads
every table (PostgreSQL: of every schema but the system's, named
``schema.table`` outside the current one), docbase's bookkeeping included. Values are made comparable across drivers (UUIDs as text).

One table is left out: SQLite's ``_docbase_row_moves`` (docbase.ddl.row_order) records where an updated
row sorts; its triggers write it only when a row of a compared table is updated, inserted or deleted, so
an attack that changes it changes a compared row too, while a caller's allowed update of its own rows
would otherwise show up there as a change nobody could attribute to a tenant.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

_LEFT_OUT = ("_docbase_row_moves",)
Rows = list[dict[str, Any]]
State = dict[str, Rows]

_PG_TABLES = (
    "SELECT CASE WHEN table_schema = current_schema() THEN '' ELSE table_schema || '.' END || table_name, "
    "format('%I.%I', table_schema, table_name) FROM information_schema.tables "
    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1"
)


def database_state(url: str) -> State:
    """{table: its rows, in a fixed order} for every table in the database at ``url``."""
    if url.startswith("sqlite"):
        return _sqlite_state(url.split("///", 1)[1])
    return _pg_state(url)


def _sqlite_state(path: str) -> State:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: _rows(conn.execute(f'SELECT * FROM "{name}"')) for name in names if name not in _LEFT_OUT}
    finally:
        conn.close()


def _pg_state(url: str) -> State:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        names = list(conn.execute(_PG_TABLES))
        return {name: _rows(conn.execute(f"SELECT * FROM {quoted}")) for name, quoted in names}


def first_keys(url: str, table: str, column: str, n: int) -> list[str]:
    """The first ``n`` values of ``column`` in the database's own descending order (as text)."""
    sql = f'SELECT "{column}" FROM "{table}" ORDER BY "{column}" DESC LIMIT {int(n)}'
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        try:
            return [str(r[0]) for r in conn.execute(sql)]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return [str(r[0]) for r in conn.execute(sql)]


def _rows(cursor: Any) -> Rows:
    columns = [d[0] for d in cursor.description]
    rows = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()]
    return sorted(rows, key=repr)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def changed(before: State, after: State) -> dict[str, tuple[Rows, Rows]]:
    """{table: (rows gone, rows new)} for every table whose rows differ (a changed row is both)."""
    out = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        gone = [r for r in old if r not in new]
        added = [r for r in new if r not in old]
        if gone or added or len(old) != len(new):
            out[name] = (gone, added)
    return out
