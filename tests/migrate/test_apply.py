"""migrate(): create, evolve with rows in place, refuse what loses data, run once under concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from docbase.migrate import MigrateError, migrate
from docbase.migrate.history import applied
from docbase.pipeline import build_schema

from .conftest import engine_for, sql_doc

V1 = sql_doc("""
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE customers (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  nickname TEXT NOT NULL,
  status TEXT CHECK (status IN ('active', 'banned')),
  mood mood,
  updated_at TIMESTAMPTZ
);
CREATE TABLE orders (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id INTEGER,
  total NUMERIC(10,2) NOT NULL
);
""")

V2 = sql_doc("""
CREATE TYPE mood AS ENUM ('happy', 'sad', 'curious');
CREATE TABLE customers (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  nickname TEXT,
  status TEXT CHECK (status IN ('active', 'banned', 'vip')),
  mood mood,
  tier TEXT NOT NULL DEFAULT 'basic',
  updated_at TIMESTAMPTZ
);
CREATE TABLE orders (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
  total NUMERIC(10,2) NOT NULL
);
CREATE INDEX idx_orders_total ON orders (total DESC);
CREATE TABLE notes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  body TEXT NOT NULL
);
""")


def _schema(text: str):
    schema = build_schema(text, "design.md")
    assert not schema.errors, schema.errors
    return schema


def _seed_rows(url: str) -> None:
    with engine_for(url).begin() as conn:
        conn.execute(
            sa.text("INSERT INTO customers (name, nickname, status, mood) VALUES ('Ada', 'ada', 'active', 'happy')")
        )
        conn.execute(sa.text("INSERT INTO orders (customer_id, total) VALUES (1, 9.5)"))


def test_creates_an_empty_database_and_rerun_does_nothing(db_url: str) -> None:
    schema = _schema(V1)
    plan = migrate(schema, db_url)
    assert plan.applied and plan.created
    again = migrate(schema, db_url)
    assert again.empty and not again.applied
    with engine_for(db_url).connect() as conn:
        assert len(applied(conn)) == 1
        assert {"customers", "orders"} <= set(sa.inspect(conn).get_table_names())


def test_document_changes_apply_and_rows_survive(db_url: str) -> None:
    migrate(_schema(V1), db_url)
    _seed_rows(db_url)
    plan = migrate(_schema(V2), db_url)
    text = plan.describe()
    for expected in (
        "add column customers.tier",
        "allow NULL in customers.nickname",
        "create table notes",
        "add index idx_orders_total",
        "foreign key on orders (customer_id)",
    ):
        assert expected in text, text
    with engine_for(db_url).begin() as conn:
        row = conn.execute(sa.text("SELECT name, tier, nickname FROM customers")).one()
        assert (row.name, row.tier) == ("Ada", "basic")
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 1
        conn.execute(sa.text("INSERT INTO customers (name, status, mood) VALUES ('Bo', 'vip', 'curious')"))
        conn.execute(sa.text("INSERT INTO notes (body) VALUES ('hi')"))
        assert len(str(conn.execute(sa.text("SELECT id FROM notes")).scalar())) == 36
    assert migrate(_schema(V2), db_url).empty
    with engine_for(db_url).connect() as conn:
        assert len(applied(conn)) == 2


def test_new_foreign_key_is_enforced(db_url: str) -> None:
    migrate(_schema(V1), db_url)
    migrate(_schema(V2), db_url)
    with engine_for(db_url).connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("INSERT INTO orders (customer_id, total) VALUES (999, 1)"))


def test_old_enum_check_still_refuses_unknown_values(db_url: str) -> None:
    migrate(_schema(V1), db_url)
    migrate(_schema(V2), db_url)
    with engine_for(db_url).connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("INSERT INTO customers (name, status) VALUES ('X', 'nobody')"))


def test_destructive_changes_are_refused_and_nothing_changes(db_url: str) -> None:
    migrate(_schema(V2), db_url)
    fewer = V2.replace("  tier TEXT NOT NULL DEFAULT 'basic',\n", "").replace(
        "CREATE TABLE notes (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  body TEXT NOT NULL\n);\n", ""
    )
    with pytest.raises(MigrateError) as err:
        migrate(_schema(fewer), db_url)
    message = str(err.value)
    assert "drop column customers.tier" in message and "drop table notes" in message and "\n" not in message
    with engine_for(db_url).connect() as conn:
        assert "tier" in {c["name"] for c in sa.inspect(conn).get_columns("customers")}
        assert "notes" in sa.inspect(conn).get_table_names()
    plan = migrate(_schema(fewer), db_url, allow_destructive=True)
    assert plan.applied
    with engine_for(db_url).connect() as conn:
        assert "notes" not in sa.inspect(conn).get_table_names()


def test_narrowing_not_null_is_refused(db_url: str) -> None:
    migrate(_schema(V2), db_url)
    with pytest.raises(MigrateError, match="make customers.nickname NOT NULL"):
        migrate(_schema(V2.replace("nickname TEXT,", "nickname TEXT NOT NULL,")), db_url)


def test_a_renamed_column_is_reported_not_silently_dropped(db_url: str) -> None:
    migrate(_schema(V1), db_url)
    _seed_rows(db_url)
    renamed = V1.replace("nickname TEXT NOT NULL", "handle TEXT NOT NULL")
    with pytest.raises(MigrateError, match="looks like a rename to handle"):
        migrate(_schema(renamed), db_url)
    # even allowed, dropping nickname cannot fill the rows' NOT NULL handle: refused, with the rename advice
    with pytest.raises(MigrateError, match="customers.handle is NOT NULL without a DEFAULT") as refused:
        migrate(_schema(renamed), db_url, dry_run=True, allow_destructive=True)
    assert refused.value.plan is not None
    assert any("RENAME COLUMN" in w for w in refused.value.plan.warnings)


def test_dry_run_changes_nothing(db_url: str) -> None:
    migrate(_schema(V1), db_url)
    plan = migrate(_schema(V2), db_url, dry_run=True)
    assert not plan.applied and "create table notes" in plan.describe(dry_run=True)
    with engine_for(db_url).connect() as conn:
        assert "notes" not in sa.inspect(conn).get_table_names()


def test_two_concurrent_runs_apply_once(db_url: str) -> None:
    schema = _schema(V2)
    results: list[object] = []

    def run() -> None:
        try:
            results.append(migrate(schema, db_url))
        except Exception as exc:  # surfaced by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.applied for r in results) == [False, True]
    with engine_for(db_url).connect() as conn:
        assert len(applied(conn)) == 1


def test_unrelated_tables_are_left_alone(db_url: str) -> None:
    with engine_for(db_url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE payroll (id INTEGER PRIMARY KEY)"))
    with pytest.raises(MigrateError, match="payroll"):
        migrate(_schema(V1), db_url)
    with engine_for(db_url).connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["payroll"]


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("nonsense", "not a database URL"),
        ("mysql://u@localhost/x", "unsupported database"),
        ("postgresql://postgres:wrong@127.0.0.1:1/nowhere", "cannot connect"),
        ("sqlite:////no/such/dir/x.db", "cannot connect"),
    ],
)
def test_bad_urls_give_one_line_errors(url: str, fragment: str) -> None:
    with pytest.raises(MigrateError) as err:
        migrate(_schema(V1), url)
    assert fragment in str(err.value) and "\n" not in str(err.value)
    assert "wrong" not in str(err.value)  # the password is never printed


def test_a_document_with_errors_is_refused(sqlite_url: str) -> None:
    from dataclasses import replace

    from docbase.document.diagnostics import error

    schema = replace(_schema(V1), diagnostics=(error(3, "broken table"),))
    with pytest.raises(MigrateError, match="line 3: broken table"):
        migrate(schema, sqlite_url)
