"""What the live database holds, beyond what Alembic's reflection compares.

Alembic autogenerate compares tables, columns, nullability, indexes, unique
constraints and foreign keys. It does not look at CHECK constraints, ENUM
values, triggers, policies or row-level security, which docbase creates from
the document, so those are read here straight from the catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

HISTORY_TABLE = "docbase_migrations"

#: Tables docbase itself keeps beside the document's: its auth tables on SQLite
#: (``auth_users``...; PostgreSQL keeps them in schema ``auth``), and work tables.
OWN_PREFIXES = ("auth_", "storage_", "_docbase_")


def docbase_owned(name: str | None, document_tables: set[str]) -> bool:
    """Whether a live table is docbase's own, never to be diffed, dropped or called unrelated."""
    if name is None:
        return False
    return name == HISTORY_TABLE or (name.startswith(OWN_PREFIXES) and name not in document_tables)


@dataclass
class Live:
    tables: set[str]
    checks: dict[str, dict[str, str]] = field(default_factory=dict)
    enum_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    triggers: set[tuple[str, str]] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    policies: set[tuple[str, str]] = field(default_factory=set)
    rls: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)  # PostgreSQL's namespaces (a document's CREATE SCHEMA)


def read_live(conn: sa.Connection) -> Live:
    """Tables (the history table excluded) and the catalog facts Alembic skips."""
    inspector = sa.inspect(conn)
    dialect = conn.dialect.name
    schema = "public" if dialect == "postgresql" else None
    tables = {t for t in inspector.get_table_names(schema=schema) if t != HISTORY_TABLE}
    live = Live(tables, views=set(inspector.get_view_names(schema=schema)))
    for table in tables:
        live.checks[table] = {
            c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table, schema=schema) if c.get("name")
        }
    if dialect == "postgresql":
        _read_postgres(conn, live)
    else:
        rows = conn.exec_driver_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        live.triggers = {(r[0], r[1]) for r in rows}
    return live


def _read_postgres(conn: sa.Connection, live: Live) -> None:
    rows = conn.exec_driver_sql(
        "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
        "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder"
    )
    values: dict[str, list[str]] = {}
    for name, label in rows:
        values.setdefault(name, []).append(label)
    live.enum_values = {k: tuple(v) for k, v in values.items()}
    live.triggers = {
        (r[0], r[1])
        for r in conn.exec_driver_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname IN ('public', 'auth')"
        )
    }
    live.functions = {
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        )
    }
    live.policies = {(r[0], r[1]) for r in conn.exec_driver_sql("SELECT tablename, policyname FROM pg_policies")}
    live.schemas = {r[0] for r in conn.exec_driver_sql("SELECT nspname FROM pg_namespace")}
    live.rls = {
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relrowsecurity"
        )
    }


def literals(sql: str) -> set[str]:
    """The quoted string values in a CHECK, however the database reformatted it.

    PostgreSQL stores ``"s" IN ('a', 'b')`` as ``s = ANY (ARRAY['a'::text, 'b'::text])``;
    the literals survive either way, so they say whether an enum CHECK changed.
    """
    return {m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", sql)}
