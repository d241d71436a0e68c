"""docbase's own tables (auth, work tables) are never diffed, dropped or called unrelated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from docbase.auth import create_auth_tables
from docbase.migrate import MigrateError, migrate
from docbase.pipeline import build_schema

DOC = "```sql\nCREATE TABLE notes (id uuid PRIMARY KEY, body text);\n```"


def test_rerun_after_sign_ups_plans_nothing(db_url: str):
    schema = build_schema(DOC)
    migrate(schema, db_url)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        create_auth_tables(conn)
    engine.dispose()
    plan = migrate(schema, db_url, dry_run=True)
    assert plan.operations == [], [op.sql for op in plan.operations]


def test_a_foreign_table_still_makes_a_fresh_database_unrelated(sqlite_url: str):
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(MigrateError, match="invoices"):
        migrate(build_schema(DOC), sqlite_url)
