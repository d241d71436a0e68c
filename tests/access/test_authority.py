"""Authority-bearing columns are the system's: users cannot grant themselves a role, a ban lift, a verified
flag or someone else's email, neither by PATCH nor through sign-up metadata, on both databases.

Issue 12, finding 7. Each attack is followed by a service_role read showing nothing changed.
"""

from __future__ import annotations

import pytest

from docbase.access import build_access
from docbase.access.authority import privileged_columns
from docbase.pipeline import build_schema, load_schema

from .worlds import REP, SMALL, new_id, seed, serve, signups, world_000, world_003, world_small


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)


def columns_of(schema, table: str) -> tuple[str, ...]:
    return tuple(name for name, _ in build_access(schema).table(table).authority_columns)


# -- the decisions -------------------------------------------------------------------------------------------


def test_seed_003_profile_role_ban_verification_and_email_are_privileged():
    assert columns_of(load_schema(seed("003")), "user") == (
        "email",
        "emailVerified",
        "role",
        "banned",
        "banReason",
        "banExpires",
    )


def test_seed_000_profile_verification_and_email_are_privileged():
    assert columns_of(load_schema(seed("000")), "users") == ("email", "is_verified")


def test_small_document_admin_flag_plan_credits_and_suspension_are_privileged():
    schema = build_schema(SMALL, "small.md")
    assert columns_of(schema, "profiles") == ("email", "is_admin", "plan", "credits", "email_verified", "suspended")
    assert columns_of(schema, "boards") == ()


def test_every_privileged_column_says_why():
    access = build_access(load_schema(seed("003"))).table("user")
    reasons = dict(access.authority_columns)
    assert reasons["role"] == "a role assignment: only service_role grants roles"
    assert reasons["banned"] == "a ban or suspension: only service_role bans and lifts bans"
    assert reasons["emailVerified"] == "verification state: set when the address is confirmed (/auth/v1/verify)"
    assert reasons["email"] == "mirrors the sign-in email: change it through /auth/v1/user"


def test_look_alike_columns_elsewhere_are_not_privileged():
    """A chat message's ``role`` or a board's ``status`` describes the row, not the user's authority."""
    schema = build_schema(
        "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text);\n"
        "CREATE TABLE messages (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users(id), role text, body text);\n"
        "CREATE TABLE user_settings (user_id uuid PRIMARY KEY REFERENCES users(id), is_admin boolean, theme text);\n```"
    )
    assert privileged_columns(schema.table("messages"), build_access(schema).table("messages")) == ()
    assert columns_of(schema, "messages") == ()
    # one row per user: a profile extension, so its admin flag is authority
    assert columns_of(schema, "user_settings") == ("is_admin",)


# -- PATCH of one's own profile ---------------------------------------------------------------------------


def refused_column(got, table: str, column: str, reason: str) -> None:
    assert got.status_code == 403, got.text
    assert got.json() == {
        "code": "42501",
        "message": f"permission denied for table {table}",
        "details": f'column "{column}" is set only by service_role: {reason}',
        "hint": None,
    }


async def _patch_each(w, user: str, table: str, changes: dict, allowed: dict) -> None:
    reasons = dict(build_access(w.schema).table(table).authority_columns)
    before = await w.snapshot(table)
    me = f"id=eq.{w.users[user]}"
    for column, value in changes.items():
        got = await w.act(user, "PATCH", f"{table}?{me}", {column: value}, **REP)
        refused_column(got, table, column, reasons[column])
        both = await w.act(user, "PATCH", f"{table}?{me}", {**allowed, column: value}, **REP)
        refused_column(both, table, column, reasons[column])
    assert await w.snapshot(table) == before
    got = await w.act(user, "PATCH", f"{table}?{me}", allowed, **REP)
    assert got.status_code == 200, got.text
    assert [{k: row[k] for k in allowed} for row in got.json()] == [allowed]


async def test_003_users_cannot_patch_their_role_ban_verification_or_email(db_url):
    w = await world_003(db_url)
    try:
        changes = {
            "role": "admin",
            "banned": False,
            "banReason": None,
            "banExpires": None,
            "emailVerified": True,
            "email": "b@x.io",
        }
        await _patch_each(w, "v", "user", changes, {"name": "Vee"})
    finally:
        await w.close()


async def test_000_users_cannot_patch_their_verification_or_email(db_url):
    w = await world_000(db_url)
    try:
        await _patch_each(w, "w", "users", {"is_verified": True, "email": "a@x.io"}, {"name": "Dub"})
    finally:
        await w.close()


async def test_small_profiles_keep_admin_plan_credits_suspension_and_email(db_url):
    w = await world_small(db_url)
    try:
        changes = {
            "is_admin": True,
            "plan": "enterprise",
            "credits": 1_000_000,
            "email_verified": True,
            "suspended": False,
            "email": "victim@x.io",
        }
        await _patch_each(w, "v", "profiles", changes, {"display_name": "Vee"})
    finally:
        await w.close()


async def test_service_role_still_sets_privileged_columns(db_url):
    w = await world_003(db_url)
    try:
        got = await w.ok("PATCH", f"user?id=eq.{w.users['v']}", {"role": "admin", "banned": True})
        assert [(r["role"], r["banned"]) for r in got.json()] == [("admin", True)]
    finally:
        await w.close()


# -- sign-up metadata ---------------------------------------------------------------------------------------


async def _signup(w, email: str, data: dict):
    got = await w.c.post(
        "/auth/v1/signup",
        json={"email": email, "password": "Tr0ub4dor&3-staple", "data": data},
        headers=w.who("anon"),
    )
    assert got.status_code == 200, got.text
    return got.json()["user"]["id"]


async def test_003_signup_metadata_never_reaches_role_or_ban(db_url):
    w = await world_003(db_url)
    try:
        data = {"role": "admin", "banned": False, "banReason": "none", "emailVerified": True, "name": "Eve"}
        eve = await _signup(w, "eve@x.io", data)
        got = await w.c.get(
            f"/rest/v1/user?id=eq.{eve}&select=name,email,role,banned,banReason", headers=w.who("service")
        )
        assert got.json() == [{"name": "Eve", "email": "eve@x.io", "role": None, "banned": None, "banReason": None}]
    finally:
        await w.close()


async def test_small_signup_metadata_never_reaches_admin_or_plan(db_url):
    w = await world_small(db_url)
    try:
        data = {"is_admin": True, "plan": "enterprise", "suspended": False, "display_name": "Eve", "email": "x@y.io"}
        eve = await _signup(w, "eve@x.io", data)
        got = await w.c.get(
            f"/rest/v1/profiles?id=eq.{eve}&select=display_name,email,is_admin,plan,suspended", headers=w.who("service")
        )
        assert got.json() == [
            {"display_name": "Eve", "email": "eve@x.io", "is_admin": False, "plan": "free", "suspended": False}
        ]
    finally:
        await w.close()


async def test_a_profile_email_cannot_be_squatted_to_block_a_sign_up(db_url):
    w = await world_small(db_url)
    try:
        got = await w.act("b", "PATCH", f"profiles?id=eq.{w.users['b']}", {"email": "victim@x.io"}, **REP)
        assert got.status_code == 403, got.text
        victim = await _signup(w, "victim@x.io", {})
        rows = await w.c.get("/rest/v1/profiles?email=eq.victim@x.io&select=id", headers=w.who("service"))
        assert rows.json() == [{"id": victim}]
    finally:
        await w.close()


# -- memberships: nobody raises their own role or admits themself -------------------------------------------


async def _membership_attacks(w, table: str, user_col: str, tenant_col: str, role_col: str, raisers, owners) -> None:
    """Nobody raises their own role (``raisers``: (who, higher role)) nor inserts a membership naming themself
    (``owners`` included, in their own tenant and in another): nothing changes."""
    before = await w.snapshot(table)
    for who, higher in raisers:
        mine = f"{user_col}=eq.{w.users[who]}"
        got = await w.act(who, "PATCH", f"{table}?{mine}", {role_col: higher}, **REP)
        assert (got.status_code, got.json()) == (200, []), (who, got.text)  # not theirs to update: no row matches
    for who in [who for who, _ in raisers] + owners:
        for tenant in ("A", "B"):
            row = {tenant_col: w.tenants[tenant], user_col: w.users[who], role_col: "owner"}
            got = await w.act(who, "POST", table, row, **REP)
            assert (got.status_code, got.json()["code"]) == (403, "42501"), (who, tenant, got.text)
    got = await w.act("anon", "POST", table, {tenant_col: w.tenants["A"], user_col: w.users["b"], role_col: "owner"})
    assert got.status_code == 401, got.text
    assert await w.snapshot(table) == before


async def test_003_members_cannot_raise_or_admit_themselves(db_url):
    w = await world_003(db_url)
    try:
        raisers = [("w", "owner"), ("v", "admin"), ("adm", "owner")]
        await _membership_attacks(w, "member", "userId", "organizationId", "role", raisers, ["a", "b"])
        # an owner may not promote themself either: org_owner ranks above owner
        before = await w.snapshot("member")
        got = await w.act("a", "PATCH", f"member?userId=eq.{w.users['a']}", {"role": "org_owner"}, **REP)
        assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
        assert await w.snapshot("member") == before
        # but may hand a role they hold to someone else
        got = await w.act("a", "PATCH", f"member?userId=eq.{w.users['w']}", {"role": "owner"}, **REP)
        assert [r["role"] for r in got.json()] == ["owner"], got.text
    finally:
        await w.close()


async def test_000_members_cannot_raise_or_admit_themselves(db_url):
    w = await world_000(db_url)
    try:
        await _membership_attacks(w, "memberships", "user_id", "workspace_id", "role", [("w", "owner")], ["a", "b"])
    finally:
        await w.close()


async def test_small_members_cannot_raise_or_admit_themselves(db_url):
    w = await world_small(db_url)
    try:
        raisers = [("e", "owner"), ("v", "editor")]
        await _membership_attacks(w, "team_members", "user_id", "team_id", "role", raisers, ["a", "b"])
    finally:
        await w.close()


async def test_003_an_admin_upserting_the_organization_does_not_become_its_owner(db_url):
    """Creating a tenant makes its creator the owner; an upsert that *updates* an existing one must not."""
    w = await world_003(db_url)
    try:
        before = await w.snapshot("member")
        org = {"id": w.tenants["A"], "name": "renamed by admin", "slug": "a"}
        merge = {"Prefer": "resolution=merge-duplicates,return=representation"}
        got = await w.act("adm", "POST", "organization?on_conflict=id", org, **merge)
        assert got.status_code == 200, got.text  # PostgREST: an upsert that only updated answers 200
        assert [r["name"] for r in got.json()] == ["renamed by admin"]
        assert await w.snapshot("member") == before
    finally:
        await w.close()


async def test_admins_allowed_to_manage_members_still_cannot_grant_above_their_own_role(db_url, tmp_path):
    """With ``docbase.toml`` letting admins write memberships, an admin may hand out admin, editor or viewer,
    but neither raise themself nor make another account (an alternate of theirs) owner."""
    doc = tmp_path / "small.md"
    doc.write_text(SMALL)
    (tmp_path / "docbase.toml").write_text('[access.tables.team_members]\ninsert = "admin"\nupdate = "admin"\n')
    w = await serve(load_schema(doc), db_url)
    try:
        w.users = await signups(w, "a", "adm", "e", "x")
        team = new_id()
        await w.ok("POST", "teams", {"id": team, "name": "team A"})
        roles = [("a", "owner"), ("adm", "admin"), ("e", "editor")]
        await w.ok("POST", "team_members", [{"team_id": team, "user_id": w.users[u], "role": r} for u, r in roles])
        before = await w.snapshot("team_members")
        for who, role in (("adm", "owner"), ("e", "owner")):
            got = await w.act("adm", "PATCH", f"team_members?user_id=eq.{w.users[who]}", {"role": role}, **REP)
            assert (got.status_code, got.json()["code"]) == (403, "42501"), (who, got.text)
        got = await w.act("adm", "POST", "team_members", {"team_id": team, "user_id": w.users["x"], "role": "owner"})
        assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
        assert await w.snapshot("team_members") == before
        got = await w.act("adm", "PATCH", f"team_members?user_id=eq.{w.users['e']}", {"role": "admin"}, **REP)
        assert [r["role"] for r in got.json()] == ["admin"], got.text
        row = {"team_id": team, "user_id": w.users["x"], "role": "viewer"}
        got = await w.act("adm", "POST", "team_members", row, **REP)
        assert [(r["user_id"], r["role"]) for r in got.json()] == [(w.users["x"], "viewer")], got.text
    finally:
        await w.close()


LOOKUP = """# Roles as rows

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE orgs (id uuid PRIMARY KEY, name text);
CREATE TABLE roles (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE user_roles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES orgs(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role_id integer NOT NULL REFERENCES roles(id)
);
```
"""


async def test_the_role_cap_reads_role_names_through_a_lookup_table(db_url, tmp_path):
    """Seed 002's shape: ``user_roles.role_id -> roles.name``."""
    doc = tmp_path / "lookup.md"
    doc.write_text(LOOKUP)
    (tmp_path / "docbase.toml").write_text('[access.tables.user_roles]\ninsert = "admin"\nupdate = "admin"\n')
    w = await serve(load_schema(doc), db_url)
    try:
        w.users = {n: new_id() for n in ("a", "adm", "m")}
        await w.ok("POST", "users", [{"id": u, "email": f"{n}@x.io"} for n, u in w.users.items()])
        await w.ok(
            "POST", "roles", [{"id": 1, "name": "owner"}, {"id": 2, "name": "admin"}, {"id": 3, "name": "member"}]
        )
        org = new_id()
        await w.ok("POST", "orgs", {"id": org, "name": "A"})
        held = [("a", 1), ("adm", 2), ("m", 3)]
        await w.ok("POST", "user_roles", [{"org_id": org, "user_id": w.users[u], "role_id": r} for u, r in held])
        before = await w.snapshot("user_roles")
        for who in ("adm", "m"):
            got = await w.act("adm", "PATCH", f"user_roles?user_id=eq.{w.users[who]}", {"role_id": 1}, **REP)
            assert (got.status_code, got.json()["code"]) == (403, "42501"), (who, got.text)
        assert await w.snapshot("user_roles") == before
        got = await w.act("adm", "PATCH", f"user_roles?user_id=eq.{w.users['m']}", {"role_id": 2}, **REP)
        assert [r["role_id"] for r in got.json()] == [2], got.text
    finally:
        await w.close()
