"""A second schema: personal.users stays beside public users (PostgreSQL: schema personal; SQLite: the name
prefix), migrates like any table and never drifts."""

from __future__ import annotations

import sqlalchemy as sa

from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import engine_for, sql_doc

V1 = sql_doc("""
CREATE SCHEMA personal;
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE personal.users (id integer PRIMARY KEY, secret text);
CREATE TABLE personal.notes (id integer PRIMARY KEY, user_id integer REFERENCES personal.users(id));
""")
V2 = V1.replace("secret text)", "secret text, mood text)")


def test_a_second_schema_is_created_migrated_and_stable(db_url: str) -> None:
    migrate(build_schema(V1, "design.md"), db_url)
    pg = db_url.startswith("postgresql")
    personal = '"personal"."users"' if pg else '"personal.users"'
    with engine_for(db_url).begin() as conn:
        conn.execute(sa.text("INSERT INTO users VALUES (1, 'public ada')"))
        conn.execute(sa.text(f"INSERT INTO {personal} VALUES (1, 's3cret')"))
        assert conn.execute(sa.text("SELECT name FROM users")).scalar() == "public ada"
        assert conn.execute(sa.text(f"SELECT secret FROM {personal}")).scalar() == "s3cret"
    assert migrate(build_schema(V1, "design.md"), db_url).empty
    plan = migrate(build_schema(V2, "design.md"), db_url)
    assert "add column personal.users.mood" in plan.describe()
    assert not plan.destructive
    with engine_for(db_url).connect() as conn:
        assert conn.execute(sa.text(f"SELECT secret, mood FROM {personal}")).one() == ("s3cret", None)
    assert migrate(build_schema(V2, "design.md"), db_url).empty


def test_a_schema_that_only_holds_an_extension_is_made_before_it(pg_url: str) -> None:
    """postgrest-js's fixture: ``create schema extensions; create extension ... schema extensions``. The schema
    holds no table of the document, so it is the document's statement, run before the extensions."""
    doc = sql_doc("""
CREATE TABLE users (id integer PRIMARY KEY, name text);
create schema extensions;
create extension citext schema extensions;
CREATE TABLE tags (id integer PRIMARY KEY, label extensions.citext);
""")
    migrate(build_schema(doc, "design.md"), pg_url)
    with engine_for(pg_url).connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'citext'"
            )
        ).scalar()
        assert found == "extensions"
    assert migrate(build_schema(doc, "design.md"), pg_url).empty
