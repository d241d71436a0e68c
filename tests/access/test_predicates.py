"""SQLAlchemy predicates enforce the same model where the database cannot (SQLite), and agree on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from docbase.access import build_access
from docbase.access.predicates import (
    AccessError,
    check_row,
    creator_defaults,
    hidden_columns,
    immutable_columns,
    read_predicate,
    tenant_claim,
    write_check,
)

from .helpers import saas

A_OWNER, A_VIEWER, B_OWNER = (str(uuid.uuid4()) for _ in range(3))
WS_A, WS_B, P_A, P_B = (str(uuid.uuid4()) for _ in range(4))
MODEL = build_access(saas())


def metadata() -> sa.MetaData:
    md = sa.MetaData()
    text = sa.String
    sa.Table(
        "users", md, sa.Column("id", text, primary_key=True), sa.Column("email", text), sa.Column("password_hash", text)
    )
    sa.Table(
        "workspaces", md, sa.Column("id", text, primary_key=True), sa.Column("name", text), sa.Column("owner_id", text)
    )
    sa.Table(
        "workspace_members", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("workspace_id", text),
        sa.Column("user_id", text), sa.Column("role", text),
    )  # fmt: skip
    sa.Table(
        "projects",
        md,
        sa.Column("id", text, primary_key=True),
        sa.Column("workspace_id", text),
        sa.Column("name", text),
    )
    sa.Table(
        "files", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("project_id", text),
        sa.Column("created_by", text), sa.Column("body", text),
    )  # fmt: skip
    sa.Table(
        "notes", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("user_id", text), sa.Column("body", text)
    )
    sa.Table(
        "plans",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", text),
        sa.Column("price_cents", sa.Integer),
    )
    sa.Table(
        "subscriptions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", text),
        sa.Column("plan_id", sa.Integer),
    )
    sa.Table(
        "refresh_tokens",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", text),
        sa.Column("token", text),
    )
    sa.Table(
        "job_runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", text),
        sa.Column("attempts", sa.Integer),
    )
    return md


MD = metadata()


@pytest.fixture
def engine(db_url):
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    MD.create_all(engine)
    t = MD.tables
    with engine.begin() as c:
        c.execute(t["users"].insert(), [{"id": u, "email": u[:4]} for u in (A_OWNER, A_VIEWER, B_OWNER)])
        c.execute(
            t["workspaces"].insert(),
            [{"id": WS_A, "name": "A", "owner_id": A_OWNER}, {"id": WS_B, "name": "B", "owner_id": B_OWNER}],
        )
        c.execute(
            t["workspace_members"].insert(),
            [
                {"workspace_id": WS_A, "user_id": A_OWNER, "role": "owner"},
                {"workspace_id": WS_A, "user_id": A_VIEWER, "role": "viewer"},
                {"workspace_id": WS_B, "user_id": B_OWNER, "role": "owner"},
            ],
        )
        c.execute(
            t["projects"].insert(),
            [{"id": P_A, "workspace_id": WS_A, "name": "pa"}, {"id": P_B, "workspace_id": WS_B, "name": "pb"}],
        )
        c.execute(t["files"].insert(), [{"project_id": P_A, "body": "fa"}, {"project_id": P_B, "body": "fb"}])
        c.execute(t["notes"].insert(), [{"user_id": A_OWNER, "body": "na"}, {"user_id": B_OWNER, "body": "nb"}])
        c.execute(t["plans"].insert(), [{"name": "free"}])
        c.execute(t["refresh_tokens"].insert(), [{"user_id": A_OWNER, "token": "t"}])
    yield engine
    engine.dispose()


def user(uid: str) -> dict:
    return {"role": "authenticated", "sub": uid}


def seen(engine, table: str, column: str, claims) -> list:
    t = MD.tables[table]
    with engine.connect() as c:
        return sorted(c.execute(sa.select(t.c[column]).where(read_predicate(MODEL, MD, table, claims))).scalars())


@pytest.mark.parametrize(
    ("uid", "projects", "files", "notes", "workspaces"),
    [
        (A_OWNER, ["pa"], ["fa"], ["na"], ["A"]),
        (A_VIEWER, ["pa"], ["fa"], [], ["A"]),
        (B_OWNER, ["pb"], ["fb"], ["nb"], ["B"]),
    ],
    ids=["a_owner", "a_viewer", "b_owner"],  # stable ids: pytest-xdist workers must collect the same tests
)
def test_reads_are_limited_to_the_callers_tenant_and_rows(engine, uid, projects, files, notes, workspaces):
    assert seen(engine, "projects", "name", user(uid)) == projects
    assert seen(engine, "files", "body", user(uid)) == files
    assert seen(engine, "notes", "body", user(uid)) == notes
    assert seen(engine, "workspaces", "name", user(uid)) == workspaces
    # Their own user row and those of users sharing a workspace (team_defaults.teammate_profiles).
    assert seen(engine, "users", "id", user(uid)) == sorted({A_OWNER, A_VIEWER} if uid != B_OWNER else {uid})
    assert seen(engine, "plans", "name", user(uid)) == ["free"]
    assert seen(engine, "refresh_tokens", "token", user(uid)) == []


def test_anon_and_service_role(engine):
    assert seen(engine, "projects", "name", {"role": "anon"}) == []
    assert seen(engine, "plans", "name", None) == []
    assert seen(engine, "projects", "name", {"role": "service_role"}) == ["pa", "pb"]
    assert seen(engine, "projects", "name", {"role": "authenticated"}) == []  # no sub, no rows


def changed(engine, table: str, command: str, claims, **values) -> int:
    t = MD.tables[table]
    where = write_check(MODEL, MD, table, command, claims)
    stmt = t.update().values(**values) if command == "update" else t.delete()
    with engine.begin() as c:
        count = c.execute(stmt.where(where)).rowcount
        c.rollback()
    return count


def test_updates_and_deletes_touch_only_rows_the_caller_may_write(engine):
    assert changed(engine, "projects", "update", user(B_OWNER), name="x") == 1  # only pb
    assert changed(engine, "projects", "update", user(A_VIEWER), name="x") == 0
    assert changed(engine, "files", "delete", user(A_OWNER)) == 1
    assert changed(engine, "workspaces", "delete", user(A_VIEWER)) == 0
    assert changed(engine, "workspace_members", "update", user(A_VIEWER), role="owner") == 0


def allowed(engine, table: str, command: str, row: dict, claims) -> bool:
    with engine.connect() as c:
        return bool(c.execute(check_row(MODEL, MD, table, command, row, claims)).scalar())


def test_written_rows_must_pass_the_check(engine):
    assert allowed(engine, "projects", "insert", {"workspace_id": WS_A, "name": "n"}, user(A_OWNER))
    assert not allowed(engine, "projects", "insert", {"workspace_id": WS_B, "name": "n"}, user(A_OWNER))
    assert not allowed(engine, "projects", "insert", {"workspace_id": WS_A}, user(A_VIEWER))
    assert not allowed(engine, "projects", "insert", {"name": "no tenant"}, user(A_OWNER))
    row = {"project_id": P_A, "body": "x"} | creator_defaults(MODEL, "files", user(A_OWNER))
    assert row["created_by"] == A_OWNER and allowed(engine, "files", "insert", row, user(A_OWNER))
    assert not allowed(engine, "files", "insert", {"project_id": P_A, "created_by": B_OWNER}, user(A_OWNER))
    assert allowed(engine, "notes", "insert", {"user_id": A_OWNER}, user(A_OWNER))
    assert not allowed(engine, "notes", "insert", {"user_id": B_OWNER}, user(A_OWNER))
    assert allowed(engine, "workspaces", "insert", {"name": "new", "owner_id": A_VIEWER}, user(A_VIEWER))
    assert not allowed(engine, "plans", "insert", {"name": "p"}, user(A_OWNER))
    assert allowed(engine, "plans", "insert", {"name": "p"}, {"role": "service_role"})


def test_columns_hidden_and_frozen_per_caller():
    assert hidden_columns(MODEL, "users", user(A_OWNER)) == ("password_hash", "email")  # teammates read users
    assert hidden_columns(MODEL, "users", {"role": "service_role"}) == ()
    assert immutable_columns(MODEL, "files", user(A_OWNER)) == ("created_by",)
    assert immutable_columns(MODEL, "users", user(A_OWNER)) == ("password_hash", "email")


def test_a_table_missing_from_the_metadata_refuses_rather_than_runs_open():
    with pytest.raises(AccessError):
        read_predicate(MODEL, sa.MetaData(), "projects", user(A_OWNER))


def test_creating_a_tenant_on_sqlite_names_the_owner_membership_to_write():
    claim = tenant_claim(MODEL, "workspaces", {"id": WS_A, "name": "n"}, user(A_VIEWER))
    assert claim == ("workspace_members", {"workspace_id": WS_A, "user_id": A_VIEWER, "role": "owner"})
    assert tenant_claim(MODEL, "projects", {"id": P_A}, user(A_VIEWER)) is None
    assert tenant_claim(MODEL, "workspaces", {"id": WS_A}, {"role": "service_role"}) is None
