"""PostgreSQL: compare the live row-level security policies with the ones the document implies.

Policy expressions come back from ``pg_policies`` as PostgreSQL reprints
them (casts added, parentheses moved), so text from the document cannot be
compared with them directly. Instead the document's policies and docbase's
access script are applied inside a savepoint, read back in PostgreSQL's own
words, and the savepoint is rolled back: both sides are then printed by the
same printer. This takes the locks ``CREATE POLICY`` takes, for the
moment the check runs, and needs the privileges ``migrate`` needs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..access import build_access, load_overrides
from ..access.policies import access_sql
from ..ddl.checks import quote_ident
from ..ddl.postgres import policy_sql
from ..schema.model import Schema

if TYPE_CHECKING:
    from .drift import Finding

_READ = (
    "SELECT tablename::text, policyname::text, permissive, roles::text[], cmd, qual, with_check "
    "FROM pg_policies WHERE schemaname = 'public'"
)


def _snapshot(conn: sa.Connection, tables: set[str]) -> dict[tuple[str, str], tuple]:
    return {
        (r[0], r[1]): (r[2], tuple(sorted(r[3] or ())), r[4], r[5], r[6])
        for r in conn.exec_driver_sql(_READ)
        if r[0] in tables
    }


def _secured(conn: sa.Connection) -> set[str]:
    """Tables with row level security enabled."""
    sql = (
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relrowsecurity"
    )
    return {r[0] for r in conn.exec_driver_sql(sql)}


def policy_findings(schema: Schema, conn: sa.Connection) -> list[Finding]:
    from .drift import Finding

    tables = {t.name: t for t in schema.tables}
    live = _snapshot(conn, set(tables))
    secured = _secured(conn)
    conn.exec_driver_sql("SAVEPOINT docbase_check")
    try:
        cursor = conn.connection.driver_connection
        for policy in schema.policies:
            bare = policy.table.removeprefix("public.")
            cursor.execute(f"DROP POLICY IF EXISTS {quote_ident(policy.name)} ON {quote_ident(bare)}")
            cursor.execute(policy_sql(policy))
        doc = None if schema.path.startswith("<") else schema.path
        script = access_sql(schema, build_access(schema, load_overrides(doc)))
        cursor.execute(script)
        wanted = _snapshot(conn, set(tables))
        unsecured = (_secured(conn) - secured) & set(tables)
    except Exception as exc:  # the document's own SQL may not apply to this database: say so, as drift
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT docbase_check")
        return [Finding(0, f"policies could not be compared: {str(exc).strip().splitlines()[0]}")]
    conn.exec_driver_sql("ROLLBACK TO SAVEPOINT docbase_check")
    # What the document implies: its own policies and those the access script creates; a live policy
    # outside this set was added by hand (the script leaves policies it does not name alone).
    implied = {(p.table.removeprefix("public."), p.name) for p in schema.policies}
    implied |= {(_unquote(t), _unquote(n)) for n, t in _CREATED.findall(script)}
    wanted = {k: v for k, v in wanted.items() if k in implied}
    lines = {p.name: p.line for p in schema.policies}
    found = [Finding(tables[t].line, f"row level security is off on {t} in the database") for t in sorted(unsecured)]
    for key in sorted(set(live) | set(wanted)):
        table, name = key
        line = lines.get(name) or tables[table].line
        if key not in live:
            found.append(Finding(line, f'policy "{name}" on {table} missing in the database'))
        elif key not in wanted:
            found.append(Finding(line, f'policy "{name}" on {table} in the database is not in the document'))
        elif live[key] != wanted[key]:
            found.append(Finding(line, f'policy "{name}" on {table} differs: {_difference(live[key], wanted[key])}'))
    return found


_IDENT = r'("(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
_CREATED = re.compile(rf"CREATE POLICY {_IDENT} ON (?:public\.)?{_IDENT}", re.IGNORECASE)


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def _difference(have: tuple, want: tuple) -> str:
    labels = ("permissive", "roles", "command", "USING", "WITH CHECK")
    for label, a, b in zip(labels, have, want, strict=True):
        if a != b:
            return f"{label} is {_show(a)} in the database, {_show(b)} in the document"
    return "differs"


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    return "(none)" if value is None else str(value)
