"""``docbase sql --dialect postgresql`` is what ``docbase migrate`` builds, access rules included.

Piped into psql, the script used to grant anon every table with no row-level
security; now a database built from it has the same tables, policies and
privileges as a migrated one, and anon is refused as it is there.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from docbase.cli import app
from docbase.migrate import migrate
from docbase.pipeline import load_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "blog.md"

CATALOG = {
    "policies": "SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
    "WHERE schemaname = 'public' ORDER BY 1, 2",
    "row security": "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
    "AND relname <> 'docbase_migrations' ORDER BY 1",
    "table grants": "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants "
    "WHERE table_schema = 'public' AND grantee IN ('anon', 'authenticated') "
    "AND table_name <> 'docbase_migrations' ORDER BY 1, 2, 3",
    "column grants": "SELECT table_name, column_name, grantee, privilege_type FROM "
    "information_schema.column_privileges WHERE table_schema = 'public' AND grantee IN ('anon', 'authenticated') "
    "AND table_name <> 'docbase_migrations' ORDER BY 1, 2, 3, 4",
}


def _catalog(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in CATALOG.items()}


@pytest.fixture
def second_pg_url(pg_url):
    """Another throwaway database on the same server (the fixture makes one per test)."""
    import uuid

    base, _, _ = pg_url.rpartition("/")
    name = f"docbase_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sql_script_builds_what_migrate_builds(pg_url, second_pg_url):
    result = CliRunner().invoke(app, ["sql", str(EXAMPLE), "--dialect", "postgresql"])
    assert result.exit_code == 0, result.output
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(result.stdout)
    migrate(load_schema(EXAMPLE), second_pg_url)
    piped, migrated = _catalog(pg_url), _catalog(second_pg_url)
    assert piped["policies"], "the script must carry row-level policies"
    assert piped == migrated


def test_anon_cannot_write_through_the_piped_script(pg_url):
    result = CliRunner().invoke(app, ["sql", str(EXAMPLE), "--dialect", "postgresql"])
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(result.stdout)
        conn.execute("SET ROLE anon")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO teams (name, slug) VALUES ('x', 'x')")
