"""Seed 001 is a Supabase schema written in SQL: docbase's database must hold every fact the document's own SQL makes.

One fresh PostgreSQL database gets the auth shim plus the document's SQL
blocks run as written; another gets ``docbase migrate``. Then the catalogs
are compared: every column (type, nullability, default), key, unique,
check, index (order, method, predicate), RLS flag, policy and trigger of
the first must be in the second.
"""

from __future__ import annotations

import re
from pathlib import Path

import pglast
import psycopg
import pytest

from docbase.ddl.postgres import auth_shim
from docbase.migrate import migrate
from docbase.pipeline import load_schema

from ..conftest import seed_file

SEED = seed_file("001")

QUERIES = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> 'docbase_migrations'""",
    "constraints": """
        SELECT c.relname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND k.contype IN ('p', 'f', 'u', 'c')""",
    "indexes": """
        SELECT tablename, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON', 'CREATE \\1INDEX ON')
        FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'docbase_migrations'""",
    "rls": """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relrowsecurity""",
    "policies": "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies",
    "triggers": """
        SELECT c.relname, t.tgname, regexp_replace(pg_get_triggerdef(t.oid), '\\s+', ' ', 'g')
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_function_result(p.oid) FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'""",
}


def _document_sql(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.S)
    return [s for block in blocks for s in pglast.split(block)]


def _catalog(url: str) -> dict[str, set[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: {tuple(row) for row in conn.execute(sql)} for name, sql in QUERIES.items()}


def _constraint_key(row: tuple) -> tuple:
    table, kind, definition = row
    return table, kind, re.sub(r"\bpublic\.", "", definition)


@pytest.fixture
def two_databases(pg_url: str, request: pytest.FixtureRequest) -> tuple[str, str, list[str]]:
    """(the document's own SQL database, docbase's database, statements of the document that PostgreSQL refused)."""
    import uuid

    from ..conftest import _server_url, _swap_database

    server = _server_url()
    other = f"docbase_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{other}"')
    request.addfinalizer(lambda: _drop(server, other))
    own_url = _swap_database(server, other)
    refused = []
    with psycopg.connect(own_url, autocommit=True) as conn:
        conn.execute(auth_shim())
        for statement in _document_sql(SEED):
            try:
                conn.execute(statement)
            except psycopg.Error as exc:
                refused.append(f"{statement[:60]}: {exc}")
    return own_url, pg_url, refused


def _drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_fact_of_the_documents_sql_is_in_docbases_database(two_databases) -> None:
    own_url, docbase_url, refused = two_databases
    assert migrate(load_schema(SEED), docbase_url).applied
    own, ours = _catalog(own_url), _catalog(docbase_url)
    assert len(own["columns"]) > 250, refused  # the document's SQL really ran

    missing: dict[str, list] = {}
    # columns: type and nullability always; the default wherever the document gives one
    our_columns = {(r[0], r[1]): r for r in ours["columns"]}
    for table, col, type_, notnull, default in sorted(own["columns"]):
        mine = our_columns.get((table, col))
        if mine is None or mine[2] != type_ or mine[3] != notnull or (default is not None and mine[4] != default):
            missing.setdefault("columns", []).append(((table, col, type_, notnull, default), mine))
    our_constraints = {_constraint_key(r) for r in ours["constraints"]}
    missing["constraints"] = sorted(r for r in map(_constraint_key, own["constraints"]) if r not in our_constraints)
    for name in ("indexes", "rls", "functions"):
        missing[name] = sorted(own[name] - ours[name])
    missing["policies"] = sorted(own["policies"] - ours["policies"])
    missing["triggers"] = sorted(own["triggers"] - ours["triggers"])
    assert not any(missing.values()), {k: v for k, v in missing.items() if v}
