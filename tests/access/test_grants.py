"""API-key and invitation tables carry authority: the decision on seeds 000 and 003, and PostgreSQL enforcing it.

The HTTP behaviour is in tests/conventions/test_api_key_authority.py and
test_invite_authority.py; here the model itself, and the policies run with
no API in front of them (a bug in the API cannot reopen the hole).
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from docbase.access import build_access
from docbase.access.model import Limit
from docbase.access.overrides import AccessOverrides, TableOverride
from docbase.migrate import migrate
from docbase.pipeline import load_schema
from tests.conftest import SEEDS_DIR

WRITES = ("insert", "update", "delete")


def _seed(stem: str):
    return load_schema(next(SEEDS_DIR.glob(f"{stem}_*.txt")))


def test_seed_003_api_keys_are_their_owners_and_minted_by_the_rpc_only():
    schema = _seed("003")
    access = build_access(schema).table("apikey")
    assert (access.scope, access.owner_column, access.tenant) == ("owned", "userId", None)
    assert dict(access.rules) == {"select": "self", "insert": "service_role", "update": "self", "delete": "self"}
    table = schema.table("apikey")
    assert access.frozen_columns == tuple(c.name for c in table.columns if c.name not in ("enabled", "expiresAt"))
    assert "key" in access.hidden_columns
    assert access.limits == (Limit("not_by_api_key", WRITES),)
    assert access.authority_rule == (
        "API keys: minted only by rpc/create_api_key (a key acts as its owner, userId); the owner lists their keys "
        "without key and revokes them (DELETE, or PATCH of enabled or expiresAt alone); a request made with an "
        "API key never writes here"
    )


@pytest.mark.parametrize(
    ("stem", "table", "frozen", "inviter"),
    [
        (
            "000",
            "workspace_invitations",
            ("workspace_id", "invitee_email", "role", "token", "inviter_id", "invitee_id", "responded_at"),
            "inviter_id",
        ),
        ("003", "invitation", ("organizationId", "email", "role", "inviterId"), "inviterId"),
    ],
)
def test_invitation_terms_are_fixed_and_capped(stem, table, frozen, inviter):
    access = build_access(_seed(stem)).table(table)
    assert access.scope == "tenant"
    assert access.frozen_columns == frozen
    assert access.limits == (
        Limit("own_or_admin", ("update", "delete"), inviter),
        Limit("role_within_own", ("insert",), "role"),
    )
    assert access.authority_rule.startswith(f"invitations: {', '.join(frozen[:4])}")
    assert "re-checks the inviter's current role" in access.authority_rule


def test_an_override_keeps_its_rules_but_not_the_column_and_row_limits():
    ov = AccessOverrides(tables={"apikey": TableOverride(rules=(("insert", "authenticated"),))})
    access = build_access(_seed("003"), ov).table("apikey")
    assert access.rule("insert") == "authenticated"
    assert access.limits == (Limit("not_by_api_key", WRITES),) and "userId" in access.frozen_columns
    assert access.authority_rule.endswith("docbase.toml overrides who may write it, so only the column and row "
                                          "limits above still hold")  # fmt: skip


def _as(conn, sub: str, **extra) -> None:
    conn.execute("SET LOCAL ROLE authenticated")
    claims = {"role": "authenticated", "sub": sub, **extra}
    conn.execute("SELECT set_config('request.jwt.claims', %s, true)", [json.dumps(claims)])


@pytest.mark.slow
def test_postgresql_refuses_on_its_own(pg_url):
    migrate(_seed("000"), pg_url)
    owner, writer, ws = "u-owner", "u-writer", "w-1"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, name, email) VALUES (%s, 'o', 'o@x.io'), (%s, 'w', 'w@x.io')", [owner, writer]
        )
        conn.execute("INSERT INTO workspaces (id, name) VALUES (%s, 'A')", [ws])
        conn.execute(
            "INSERT INTO memberships (id, user_id, workspace_id, role) VALUES ('m1', %s, %s, 'owner'), "
            "('m2', %s, %s, 'user')",
            [owner, ws, writer, ws],
        )
        conn.execute(
            "INSERT INTO workspace_invitations (id, workspace_id, inviter_id, invitee_email, role, token, expires_at) "
            "VALUES ('i1', %s, %s, 'friend@x.io', 'user', 'h', now() + interval '1 day')",
            [ws, owner],
        )
    attempts = [
        ("UPDATE workspace_invitations SET invitee_email = 'alt@x.io' WHERE id = 'i1'", psycopg.errors.InsufficientPrivilege),
        ("UPDATE workspace_invitations SET role = 'owner' WHERE id = 'i1'", psycopg.errors.InsufficientPrivilege),
        ("UPDATE workspace_invitations SET token = 'mine' WHERE id = 'i1'", psycopg.errors.InsufficientPrivilege),
        (
            "INSERT INTO workspace_invitations (id, workspace_id, invitee_email, role, token, expires_at) "
            f"VALUES ('i2', '{ws}', 'alt@x.io', 'owner', 'h2', now() + interval '1 day')",
            psycopg.errors.InsufficientPrivilege,
        ),
    ]  # fmt: skip
    for statement, error in attempts:
        with psycopg.connect(pg_url) as conn, pytest.raises(error):
            _as(conn, writer)
            conn.execute(statement)
    with psycopg.connect(pg_url) as conn:
        _as(conn, writer)
        assert conn.execute("UPDATE workspace_invitations SET status = 'declined' WHERE id = 'i1'").rowcount == 0
        assert conn.execute("DELETE FROM workspace_invitations WHERE id = 'i1'").rowcount == 0
        made = conn.execute(
            "INSERT INTO workspace_invitations (id, workspace_id, invitee_email, role, token, expires_at) "
            f"VALUES ('i3', '{ws}', 'pal@x.io', 'user', 'h3', now() + interval '1 day') RETURNING inviter_id"
        ).fetchall()
        assert made == [(writer,)]
    with psycopg.connect(pg_url) as conn:
        _as(conn, owner)
        assert conn.execute("DELETE FROM workspace_invitations WHERE id = 'i3'").rowcount == 1


@pytest.mark.slow
def test_postgresql_keeps_key_rows_from_users_and_keys(pg_url):
    migrate(_seed("003"), pg_url)
    owner, key = str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute('INSERT INTO "user" (id, email) VALUES (%s, %s)', [owner, "o@x.io"])
        conn.execute('INSERT INTO apikey (id, "userId", key, enabled) VALUES (%s, %s, %s, true)', [key, owner, "h"])
    for statement in (
        f"INSERT INTO apikey (id, \"userId\", key) VALUES ('{uuid.uuid4()}', '{owner}', 'chosen')",
        f"UPDATE apikey SET key = 'chosen' WHERE id = '{key}'",
        f"UPDATE apikey SET \"userId\" = '{owner}' WHERE id = '{key}'",
        "SELECT key FROM apikey",
    ):
        with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(conn, owner)
            conn.execute(statement)
    with psycopg.connect(pg_url) as conn:
        _as(conn, owner, api_key=key)  # a request made with the key itself
        assert conn.execute(f"UPDATE apikey SET enabled = true WHERE id = '{key}'").rowcount == 0
        assert conn.execute(f"DELETE FROM apikey WHERE id = '{key}'").rowcount == 0
    with psycopg.connect(pg_url) as conn:
        _as(conn, owner)
        assert conn.execute("SELECT id::text, start FROM apikey").fetchall() == [(key, None)]
        assert conn.execute(f"UPDATE apikey SET enabled = false WHERE id = '{key}'").rowcount == 1
        assert conn.execute(f"DELETE FROM apikey WHERE id = '{key}'").rowcount == 1


def test_docbase_access_says_who_writes_keys_and_invitations():
    from typer.testing import CliRunner

    from docbase.cli import app

    doc = next(SEEDS_DIR.glob("003_*.txt"))
    result = CliRunner().invoke(app, ["access", str(doc), "--json"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    tables = {t["name"]: t for t in json.loads(result.stdout)["tables"]}
    keys, invites = tables["apikey"], tables["invitation"]
    assert keys["authority_rule"].startswith("API keys: minted only by rpc/create_api_key")
    assert keys["rules"] == {"select": ["self"], "insert": ["service_role"], "update": ["self"], "delete": ["self"]}
    assert keys["limits"] == [{"kind": "not_by_api_key", "commands": list(WRITES), "column": None}]
    assert any("the owner lists and revokes them" in note for note in keys["conventions"])
    assert invites["frozen_columns"] == ["organizationId", "email", "role", "inviterId"]
    assert "only its inviter (inviterId) or an admin of the organization revokes one" in invites["authority_rule"]
