"""``updated_at`` upkeep as database triggers, so rows written by any client (psql, sqlite3, the API) stay right.

PostgreSQL: one function, ``docbase_set_updated_at(column)``, used by a
BEFORE UPDATE trigger per table; it sets the named column through
``jsonb_populate_record`` so one function serves ``updated_at`` and
``updatedAt`` alike. SQLite has no BEFORE-row assignment, so an AFTER
UPDATE trigger writes the column back; its WHEN clause (the column was not
changed by the statement) also stops it re-firing itself.
``created_at`` needs no trigger: its default (``defaults.py``) is now().
"""

from __future__ import annotations

import hashlib

from ..schema.model import Schema, Table
from .checks import quote_ident, quote_table
from .defaults import SQLITE_NOW

UPDATED_NAMES = ("updated_at", "updatedAt", "modified_at", "modifiedAt", "updated_on", "updatedOn")

PG_FUNCTION = """CREATE OR REPLACE FUNCTION docbase_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], now()));
  RETURN NEW;
END
$$"""


def updated_column(table: Table) -> str | None:
    """The column this table keeps as its last-change time, if any."""
    for name in UPDATED_NAMES:
        col = table.column(name)
        if col is not None and col.type in ("timestamp", "timestamptz"):
            return name
    return None


def trigger_name(table: str) -> str:
    """Unique per database (SQLite's trigger names are global), at most 63 bytes (PostgreSQL)."""
    name = f"docbase_{table}_updated_at"
    if len(name.encode()) > 63:
        name = name[:50] + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]
    return name


def updated_at_triggers(schema: Schema, dialect: str) -> list[str]:
    """CREATE TRIGGER statements (with the PostgreSQL function first) for every table with an updated_at."""
    statements: list[str] = []
    for table in schema.tables:
        column = updated_column(table)
        if column is None:
            continue
        name, t, c = quote_ident(trigger_name(table.name)), quote_ident(table.name), quote_ident(column)
        if dialect == "postgresql":
            statements.append(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {quote_table(table.name)} FOR EACH ROW "
                f"EXECUTE FUNCTION docbase_set_updated_at('{column.replace(chr(39), chr(39) * 2)}')"
            )
        else:
            statements.append(
                f"CREATE TRIGGER {name} AFTER UPDATE ON {t} FOR EACH ROW WHEN NEW.{c} IS OLD.{c} "
                f"BEGIN UPDATE {t} SET {c} = {SQLITE_NOW} WHERE rowid = NEW.rowid; END"
            )
    if statements and dialect == "postgresql":
        statements.insert(0, PG_FUNCTION)
    return statements
