"""PostgreSQL enforces the access model: two tenants, three users, rows seen and changed per user.

The tables are created by hand; everything about access comes from
``access_sql``. Each check runs as ``authenticated`` with the JWT claims set
the way PostgREST sets them.
"""

from __future__ import annotations

import json
import uuid

import pytest

from docbase.access import build_access
from docbase.access.policies import access_sql

from .helpers import saas

pytestmark = pytest.mark.pg

DDL = """
CREATE TABLE users (id uuid PRIMARY KEY, email text, password_hash text);
CREATE TABLE workspaces (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, owner_id uuid NOT NULL REFERENCES users(id));
CREATE TABLE workspace_members (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE, user_id uuid NOT NULL REFERENCES users(id),
  role text CHECK (role IN ('owner', 'admin', 'member', 'viewer')));
CREATE TABLE projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), workspace_id uuid NOT NULL REFERENCES workspaces(id), name text);
CREATE TABLE files (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), project_id uuid NOT NULL REFERENCES projects(id),
  created_by text, body text);
CREATE TABLE notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users(id), body text);
CREATE TABLE plans (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, price_cents integer);
CREATE TABLE subscriptions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), workspace_id uuid NOT NULL REFERENCES workspaces(id),
  plan_id uuid REFERENCES plans(id));
CREATE TABLE refresh_tokens (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid, token text);
CREATE TABLE job_runs (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), status text, attempts integer);
"""

A_OWNER, A_VIEWER, B_OWNER, NEWCOMER = (str(uuid.uuid4()) for _ in range(4))
WS_A, WS_B, P_A, P_B = (str(uuid.uuid4()) for _ in range(4))


@pytest.fixture
def conn(pg_url):
    import psycopg

    schema = saas()
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(DDL)
        c.execute(access_sql(schema, build_access(schema)))
        c.execute(access_sql(schema, build_access(schema)))  # idempotent: runs twice
        for uid, email in ((A_OWNER, "a@x"), (A_VIEWER, "v@x"), (B_OWNER, "b@x"), (NEWCOMER, "n@x")):
            c.execute("INSERT INTO users VALUES (%s, %s, 'secret-hash')", (uid, email))
        c.execute(
            "INSERT INTO workspaces (id, name, owner_id) VALUES (%s, 'A', %s), (%s, 'B', %s)",
            (WS_A, A_OWNER, WS_B, B_OWNER),
        )
        c.execute(
            "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (%s, %s, 'owner'), (%s, %s, 'viewer'), (%s, %s, 'owner')",
            (WS_A, A_OWNER, WS_A, A_VIEWER, WS_B, B_OWNER),
        )
        c.execute(
            "INSERT INTO projects (id, workspace_id, name) VALUES (%s, %s, 'pa'), (%s, %s, 'pb')",
            (P_A, WS_A, P_B, WS_B),
        )
        c.execute(
            "INSERT INTO files (project_id, created_by, body) VALUES (%s, %s, 'fa'), (%s, %s, 'fb')",
            (P_A, A_OWNER, P_B, B_OWNER),
        )
        c.execute(
            "INSERT INTO notes (user_id, body) VALUES (%s, 'na'), (%s, 'nv'), (%s, 'nb')", (A_OWNER, A_VIEWER, B_OWNER)
        )
        c.execute("INSERT INTO plans (name) VALUES ('free'), ('pro')")
        c.execute("INSERT INTO refresh_tokens (user_id, token) VALUES (%s, 't')", (A_OWNER,))
        yield c


def as_user(conn, uid: str | None, sql: str, params=(), role: str = "authenticated"):
    """Run one statement as PostgREST would for this user; return rows (or rowcount), or the SQLSTATE."""
    import psycopg

    claims = json.dumps({"sub": uid, "role": role} if uid else {"role": role})
    try:
        with conn.transaction():
            conn.execute(f"SET LOCAL ROLE {role}")
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (claims,))
            cur = conn.execute(sql, params)
            rows = cur.fetchall() if cur.description else cur.rowcount
            raise _Rollback(rows)
    except _Rollback as done:
        return done.rows
    except psycopg.Error as exc:
        return exc.sqlstate


class _Rollback(Exception):
    def __init__(self, rows):
        self.rows = rows


def names(rows) -> list[str]:
    return sorted(r[0] for r in rows)


@pytest.mark.parametrize(
    ("user", "projects", "files", "notes"),
    [(A_OWNER, ["pa"], ["fa"], ["na"]), (A_VIEWER, ["pa"], ["fa"], ["nv"]), (B_OWNER, ["pb"], ["fb"], ["nb"])],
    ids=["a_owner", "a_viewer", "b_owner"],  # stable ids: pytest-xdist workers must collect the same tests
)
def test_each_user_sees_only_their_tenant_and_their_own_rows(conn, user, projects, files, notes):
    assert names(as_user(conn, user, "SELECT name FROM projects")) == projects
    assert names(as_user(conn, user, "SELECT body FROM files")) == files
    assert names(as_user(conn, user, "SELECT body FROM notes")) == notes
    assert names(as_user(conn, user, "SELECT name FROM plans")) == ["free", "pro"]
    # Their own user row and those of users sharing a workspace (team_defaults.teammate_profiles).
    mates = {A_OWNER, A_VIEWER} if user in (A_OWNER, A_VIEWER) else {user}
    assert {str(r[0]) for r in as_user(conn, user, "SELECT id FROM users")} == mates


def test_writers_write_their_tenant_and_nobody_writes_another(conn):
    insert = "INSERT INTO projects (workspace_id, name) VALUES (%s, 'new')"
    assert as_user(conn, A_OWNER, insert, (WS_A,)) == 1
    assert as_user(conn, A_OWNER, insert, (WS_B,)) == "42501"
    assert as_user(conn, A_VIEWER, insert, (WS_A,)) == "42501"
    assert as_user(conn, B_OWNER, "UPDATE projects SET name = 'pwned' WHERE id = %s", (P_A,)) == 0
    assert as_user(conn, B_OWNER, "DELETE FROM files WHERE project_id = %s", (P_A,)) == 0
    assert as_user(conn, A_VIEWER, "UPDATE projects SET name = 'x' WHERE id = %s", (P_A,)) == 0
    # moving a row into another tenant is a write to that tenant
    assert as_user(conn, A_OWNER, "UPDATE projects SET workspace_id = %s WHERE id = %s", (WS_B, P_A)) == "42501"


def test_creator_columns_default_to_the_user_and_cannot_name_another(conn):
    rows = as_user(conn, A_OWNER, "INSERT INTO files (project_id, body) VALUES (%s, 'x') RETURNING created_by", (P_A,))
    assert rows == [(A_OWNER,)]
    forged = "INSERT INTO files (project_id, created_by, body) VALUES (%s, %s, 'x')"
    assert as_user(conn, A_OWNER, forged, (P_A, B_OWNER)) == "42501"
    assert as_user(conn, A_OWNER, "UPDATE files SET created_by = %s", (B_OWNER,)) == "42501"
    assert as_user(conn, A_OWNER, "INSERT INTO notes (user_id, body) VALUES (%s, 'x')", (B_OWNER,)) == "42501"


def test_only_owners_change_roles_and_delete_the_tenant(conn):
    promote = "UPDATE workspace_members SET role = 'owner' WHERE user_id = %s"
    assert as_user(conn, A_VIEWER, promote, (A_VIEWER,)) == 0
    assert as_user(conn, A_OWNER, promote, (A_VIEWER,)) == 1
    assert as_user(conn, A_VIEWER, "DELETE FROM workspaces WHERE id = %s", (WS_A,)) == 0
    assert as_user(conn, B_OWNER, "DELETE FROM workspaces WHERE id = %s", (WS_A,)) == 0
    grab = "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (%s, %s, 'owner')"
    assert as_user(conn, B_OWNER, grab, (WS_A, B_OWNER)) == "42501"


def test_creating_a_tenant_makes_the_creator_its_owner(conn):
    sql = "WITH w AS (INSERT INTO workspaces (name) VALUES ('mine') RETURNING id) SELECT count(*) FROM w"
    # the membership row is written by an AFTER trigger, visible to the next statement: its role is read there
    # (test_membership_trigger_grants_the_top_role)
    assert as_user(conn, NEWCOMER, "INSERT INTO workspaces (name) VALUES ('mine') RETURNING name") == [("mine",)]
    assert as_user(conn, NEWCOMER, sql) == [(1,)]
    assert as_user(conn, NEWCOMER, "INSERT INTO workspaces (name, owner_id) VALUES ('x', %s)", (A_OWNER,)) == "42501"


def test_membership_trigger_grants_the_top_role(conn):
    with conn.transaction():
        conn.execute("SET LOCAL ROLE authenticated")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": NEWCOMER}),))
        conn.execute("INSERT INTO workspaces (name) VALUES ('mine')")
        roles = conn.execute("SELECT role FROM workspace_members WHERE user_id = %s", (NEWCOMER,)).fetchall()
        deleted = conn.execute("DELETE FROM workspaces WHERE name = 'mine'").rowcount
    assert roles == [("owner",)]
    assert deleted == 1


def test_private_tables_hidden_columns_and_anon(conn):
    assert as_user(conn, A_OWNER, "SELECT * FROM refresh_tokens") == "42501"
    assert as_user(conn, A_OWNER, "SELECT * FROM job_runs") == "42501"
    assert as_user(conn, A_OWNER, "SELECT password_hash FROM users") == "42501"
    # Teammates read each other's users rows, so the email is nobody's but service_role's (/auth/v1/user).
    assert as_user(conn, A_OWNER, "SELECT email FROM users") == "42501"
    assert as_user(conn, A_OWNER, "UPDATE users SET password_hash = 'x'") == "42501"
    assert as_user(conn, None, "SELECT name FROM plans", role="anon") == "42501"
    assert as_user(conn, None, "SELECT name FROM projects", role="anon") == "42501"
    assert len(as_user(conn, None, "SELECT token FROM refresh_tokens", role="service_role")) == 1


def test_document_policies_replace_the_inferred_ones_for_their_commands():
    from dataclasses import replace

    from docbase.schema.model import Policy

    schema = saas()
    schema = replace(schema, policies=(Policy("own", "projects", "SELECT", using="true", sql="CREATE POLICY own ..."),))
    sql = access_sql(schema, build_access(schema))
    projects = [line for line in sql.splitlines() if "CREATE POLICY" in line and 'ON "projects"' in line]
    assert not any("FOR SELECT" in line for line in projects)
    assert any("FOR INSERT" in line for line in projects)
    assert 'GRANT SELECT ON "projects" TO authenticated' in sql


def test_a_tenant_without_an_owner_column_is_returned_to_its_creator(pg_url):
    """PostgreSQL checks RETURNING before AFTER triggers; the creator still gets the new row back."""
    import psycopg

    from docbase.access.policies import access_sql

    from .helpers import schema, table

    s = schema(
        table("users", "id"),
        table("teams", "id name"),
        table("memberships", "id user_id! team_id! role", {"user_id": "users", "team_id": "teams"}, role="owner|user"),
    )
    uid, other = str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(
            "CREATE TABLE users (id uuid PRIMARY KEY); CREATE TABLE teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);"
            "CREATE TABLE memberships (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users,"
            " team_id uuid NOT NULL REFERENCES teams, role text)"
        )
        c.execute(access_sql(s, build_access(s)))
        c.execute("INSERT INTO users VALUES (%s), (%s)", (uid, other))
        assert as_user(c, uid, "INSERT INTO teams (name) VALUES ('t') RETURNING name") == [("t",)]
        with c.transaction():
            c.execute("INSERT INTO teams (name) VALUES ('kept')")
        assert as_user(c, uid, "SELECT name FROM teams") == []  # rolled back above; the kept team is not theirs
        assert as_user(c, other, "SELECT name FROM teams") == []
