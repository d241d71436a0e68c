"""Change capture for realtime: every committed row change lands in one change table, whoever wrote it.

The triggers live in the database, so rows written by psql, sqlite3 or another
program are captured exactly like rows written through /rest/v1; the change row
is written in the writer's own transaction, so a rolled-back write leaves none
and the table's id order is the commit order (SQLite serialises writers).

SQLite: ``_docbase_changes`` plus three AFTER triggers per table (SQLite has no
multi-event trigger); the row is captured with ``json_object`` (blobs as hex,
since JSON cannot hold them). Every worker of the machine polls the table.
PostgreSQL: the same table filled by one SECURITY DEFINER trigger function
(callers need no privilege on it) that also sends ``pg_notify`` with the new id
only, so a row of any size travels through the table, never through NOTIFY's
8 kB payload limit.

Every statement is idempotent (IF NOT EXISTS / OR REPLACE), so installing
capture again after a migration is safe.
"""

from __future__ import annotations

from ..schema.model import Schema, Table
from .checks import quote_ident, quote_table

CHANGES = "_docbase_changes"
CHANNEL = "docbase_changes"
PREFIX = "_docbase_capture_"
_BLOB_TYPES = ("bytes", "vector")

SQLITE_TABLE = f"""CREATE TABLE IF NOT EXISTS {CHANGES} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  op TEXT NOT NULL,
  record TEXT,
  old_record TEXT,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""

PG_TABLE = f"""CREATE TABLE IF NOT EXISTS {CHANGES} (
  id bigserial PRIMARY KEY,
  tbl text NOT NULL,
  op text NOT NULL,
  record jsonb,
  old_record jsonb,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
)"""

PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION docbase_capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  new_id bigint;
BEGIN
  INSERT INTO {CHANGES} (tbl, op, record, old_record)
  VALUES (TG_TABLE_NAME, TG_OP,
          CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
          CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END)
  RETURNING id INTO new_id;
  PERFORM pg_notify('{CHANNEL}', new_id::text);
  RETURN NULL;
END
$$"""


def trigger_names(table: str) -> list[str]:
    """The capture triggers of ``table`` (SQLite: one per event; PostgreSQL uses the first)."""
    return [f"{PREFIX}{table}_{op}" for op in ("i", "u", "d")]


def _sqlite_row(table: Table, ref: str) -> str:
    parts = []
    for column in table.columns:
        value = f"{ref}.{quote_ident(column.name)}"
        if column.type in _BLOB_TYPES:
            value = f"CASE WHEN typeof({value}) = 'blob' THEN hex({value}) ELSE {value} END"
        parts.append(f"'{column.name.replace(chr(39), chr(39) * 2)}', {value}")
    return f"json_object({', '.join(parts)})"


def sqlite_triggers(table: Table) -> list[str]:
    """Drop-and-create, so a trigger always captures the table's current columns."""
    name = table.name.replace("'", "''")
    target = quote_ident(table.name)
    new, old = _sqlite_row(table, "NEW"), _sqlite_row(table, "OLD")
    bodies = {
        "INSERT": f"'{name}', 'INSERT', {new}, NULL",
        "UPDATE": f"'{name}', 'UPDATE', {new}, {old}",
        "DELETE": f"'{name}', 'DELETE', NULL, {old}",
    }
    out = []
    for trigger, (op, values) in zip(trigger_names(table.name), bodies.items(), strict=True):
        out.append(f"DROP TRIGGER IF EXISTS {quote_ident(trigger)}")
        out.append(
            f"CREATE TRIGGER {quote_ident(trigger)} AFTER {op} ON {target} BEGIN "
            f"INSERT INTO {CHANGES} (tbl, op, record, old_record) VALUES ({values}); END"
        )
    return out


def drop_sqlite_triggers(schema_tables: list[str]) -> list[str]:
    """Before a SQLite migration: a trigger naming a dropped column would make the ALTER fail."""
    return [f"DROP TRIGGER IF EXISTS {quote_ident(t)}" for name in schema_tables for t in trigger_names(name)]


def pg_trigger(table: Table) -> list[str]:
    trigger = quote_ident(trigger_names(table.name)[0])
    target = quote_table(table.name)
    return [
        f"DROP TRIGGER IF EXISTS {trigger} ON {target}",
        f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {target} "
        "FOR EACH ROW EXECUTE FUNCTION docbase_capture()",
    ]


def outdated_triggers(statements: list[str], have: dict[str, str]) -> list[tuple[str, str]]:
    """The (drop, create) pairs after ``statements[0]`` whose trigger is missing from ``have`` (name -> SQL in
    sqlite_master) or differs from it: what bringing SQLite's triggers up to the table's columns runs."""
    out = []
    for drop, create in zip(statements[1::2], statements[2::2], strict=True):
        name = create.split(" ", 3)[2].strip('"').replace('""', '"')
        if have.get(name) != create:
            out.append((drop, create))
    return out


def capture_statements(schema: Schema, dialect: str) -> list[str]:
    """Every statement that makes the database record its row changes in ``_docbase_changes``."""
    if dialect == "postgresql":
        out = [PG_TABLE, PG_FUNCTION, f"REVOKE ALL ON {CHANGES} FROM PUBLIC"]
        for table in schema.tables:
            out.extend(pg_trigger(table))
        return out
    out = [SQLITE_TABLE]
    for table in schema.tables:
        out.extend(sqlite_triggers(table))
    return out
