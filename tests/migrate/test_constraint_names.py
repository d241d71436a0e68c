"""PostgreSQL's own constraint names (``t_pkey``, ``t_col_key``, ``t_col_fkey``) for what the document leaves
unnamed, and a database made with docbase's former names (``pk_t``, ``uq_t_col``, ``fk_t_col_ref``) migrates to
them without drift and without dropping anything."""

from __future__ import annotations

import sqlalchemy as sa

from docbase.ddl import to_ddl
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import engine_for, sql_doc

DOC = sql_doc("""
CREATE TABLE simple_pk (k text PRIMARY KEY, extra text);
CREATE TABLE members (id integer PRIMARY KEY, email text UNIQUE, team text, UNIQUE (team, email));
CREATE TABLE posts (id integer PRIMARY KEY, author_id integer REFERENCES members(id));
""")

FORMER = """
CREATE TABLE simple_pk (k TEXT NOT NULL, extra TEXT, CONSTRAINT pk_simple_pk PRIMARY KEY (k));
CREATE TABLE members (
  id INTEGER NOT NULL, email TEXT, team TEXT,
  CONSTRAINT pk_members PRIMARY KEY (id),
  CONSTRAINT uq_members_email UNIQUE (email),
  CONSTRAINT uq_members_team_email UNIQUE (team, email)
);
CREATE TABLE posts (
  id INTEGER NOT NULL, author_id INTEGER,
  CONSTRAINT pk_posts PRIMARY KEY (id),
  CONSTRAINT fk_posts_author_id_members FOREIGN KEY (author_id) REFERENCES members (id)
);
CREATE INDEX ix_posts_author_id ON posts (author_id);
"""


def _names(conn: sa.Connection) -> set[str]:
    rows = conn.execute(
        sa.text(
            "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')"
        )
    )
    return {r[0] for r in rows}


def test_ddl_uses_postgresql_names() -> None:
    ddl = to_ddl(build_schema(DOC, "design.md"), "postgresql")
    for name in ("simple_pk_pkey", "members_email_key", "members_team_email_key", "posts_author_id_fkey"):
        assert f"CONSTRAINT {name} " in ddl, ddl


def test_former_names_migrate_without_drift(db_url: str) -> None:
    with engine_for(db_url).begin() as conn:
        for statement in FORMER.split(";"):
            if statement.strip():
                conn.execute(sa.text(statement))
        conn.execute(sa.text("INSERT INTO members VALUES (1, 'a@x.io', 'red')"))
    schema = build_schema(DOC, "design.md")
    plan = migrate(schema, db_url)
    assert not plan.destructive, plan.describe()
    assert "drop" not in plan.describe().lower(), plan.describe()
    if db_url.startswith("postgresql"):
        with engine_for(db_url).connect() as conn:
            assert _names(conn) - {"docbase_migrations_pkey"} == {
                "simple_pk_pkey",
                "members_pkey",
                "members_email_key",
                "members_team_email_key",
                "posts_pkey",
                "posts_author_id_fkey",
            }
    assert migrate(schema, db_url).empty
    with engine_for(db_url).connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM members")).scalar() == "a@x.io"


CHECKS = """
CREATE TABLE tasks (
  id integer PRIMARY KEY,
  priority integer CHECK (priority BETWEEN 1 AND 5),
  status text CHECK (status IN ('todo', 'done')),
  starts date,
  ends date,
  CHECK (starts <= ends),
  CHECK (priority > 0)
);
"""
CHECK_NAMES = {"tasks_priority_check", "tasks_status_check", "tasks_check", "tasks_priority_check1"}
FORMER_CHECKS = """
CREATE TABLE tasks (
  id INTEGER NOT NULL, priority INTEGER, status TEXT, starts DATE, ends DATE,
  CONSTRAINT pk_tasks PRIMARY KEY (id),
  CONSTRAINT ck_tasks_status_enum CHECK (status IN ('todo', 'done')),
  CONSTRAINT ck_tasks_1 CHECK (priority BETWEEN 1 AND 5),
  CONSTRAINT ck_tasks_2 CHECK (starts <= ends),
  CONSTRAINT ck_tasks_3 CHECK (priority > 0)
)
"""


def _check_names(url: str) -> set[str]:
    with engine_for(url).connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_check_constraints("tasks")}


def test_unnamed_checks_get_the_names_postgresql_itself_gives(pg_url: str) -> None:
    """The oracle is PostgreSQL: the document's SQL run as written names its checks; docbase's must match."""
    with engine_for(pg_url).begin() as conn:
        conn.execute(sa.text(CHECKS))
    assert _check_names(pg_url) == CHECK_NAMES
    ddl = to_ddl(build_schema(sql_doc(CHECKS), "design.md"), "postgresql")
    assert {name for name in CHECK_NAMES if f"CONSTRAINT {name} CHECK" in ddl} == CHECK_NAMES, ddl


def test_former_check_names_are_renamed_keeping_rows(db_url: str) -> None:
    with engine_for(db_url).begin() as conn:
        conn.execute(sa.text(FORMER_CHECKS))
        conn.execute(sa.text("INSERT INTO tasks VALUES (1, 3, 'todo', '2026-01-01', '2026-02-01')"))
    schema = build_schema(sql_doc(CHECKS), "design.md")
    plan = migrate(schema, db_url)
    assert not plan.destructive, plan.describe()
    assert "drop check" not in plan.describe(), plan.describe()
    assert CHECK_NAMES <= _check_names(db_url)
    assert not any(n.startswith("ck_") for n in _check_names(db_url))
    assert migrate(schema, db_url).empty
    with engine_for(db_url).begin() as conn:
        assert conn.execute(sa.text("SELECT priority FROM tasks")).scalar() == 3
    try:
        with engine_for(db_url).begin() as conn:
            conn.execute(sa.text("INSERT INTO tasks VALUES (2, 9, 'todo', NULL, NULL)"))
    except sa.exc.IntegrityError as exc:
        assert "tasks_priority_check" in str(exc)
    else:
        raise AssertionError("a priority of 9 was accepted")
