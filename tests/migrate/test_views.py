"""The document's views: created once (PostgreSQL as written, security_invoker; SQLite as sqlglot translates
them), added when the document adds one, and never re-applied to a migrated database."""

from __future__ import annotations

import sqlalchemy as sa

from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import engine_for, sql_doc

TABLE = "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric);"
V1 = sql_doc(TABLE + "\nCREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 10;")
V2 = sql_doc(V1.split("```sql\n")[1].split("```")[0] + "CREATE VIEW named AS SELECT name FROM items;")


def test_views_are_created_once_and_added_later(db_url: str) -> None:
    migrate(build_schema(V1, "design.md"), db_url)
    with engine_for(db_url).begin() as conn:
        assert sa.inspect(conn).get_view_names() == ["cheap"]
        conn.execute(sa.text("INSERT INTO items VALUES (1, 'pen', 2), (2, 'desk', 200)"))
        assert conn.execute(sa.text("SELECT name FROM cheap")).scalars().all() == ["pen"]
        if db_url.startswith("postgresql"):
            options = conn.execute(sa.text("SELECT reloptions FROM pg_class WHERE relname = 'cheap'")).scalar()
            assert options == ["security_invoker=true"]
    assert migrate(build_schema(V1, "design.md"), db_url).empty
    plan = migrate(build_schema(V2, "design.md"), db_url)
    assert "create view named" in plan.describe()
    with engine_for(db_url).connect() as conn:
        assert sorted(sa.inspect(conn).get_view_names()) == ["cheap", "named"]
    assert migrate(build_schema(V2, "design.md"), db_url).empty
