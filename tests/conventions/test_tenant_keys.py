"""API keys scoped to a tenant (issue 16): the key acts as its organization with the key's role, not as the
user who created it; only an admin of the organization makes one. Both databases, over HTTP."""

from __future__ import annotations

import pytest

from ..access.team_world import team

REP = {"Prefer": "return=representation"}


@pytest.fixture
async def w(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.chdir(tmp_path)
    world, app = await team(db_url)
    yield world
    await world.c.aclose()
    await app.state.db.close()


def _key(plain: str) -> dict[str, str]:
    return {"apikey": plain, "Authorization": ""}


async def _mint(w, who: str, **body) -> dict:
    got = await w.act(who, "POST", "rpc/create_api_key", {"name": "ci", **body})
    assert got.status_code == 200, got.text
    return got.json()


async def _get(w, plain: str, path: str) -> list:
    got = await w.c.get(f"/rest/v1/{path}", headers=_key(plain))
    assert got.status_code == 200, got.text
    return got.json()


async def test_a_tenant_key_acts_as_its_organization_not_its_creator(w):
    made = await _mint(w, "a", organization_id=w.tenants["A"])
    assert (made["organization_id"], made["role"]) == (w.tenants["A"], "member")  # the documented default
    key = made["key"]
    # Its creator belongs to B as well; the key sees A's rows and nothing of B's.
    await w.ok("POST", "memberships", {"organization_id": w.tenants["B"], "user_id": w.users["a"], "role": "member"})
    assert {r["id"] for r in (await w.act("a", "GET", "projects?select=id")).json()} == set(w.projects.values())
    assert [r["id"] for r in await _get(w, key, "projects?select=id")] == [w.projects["A"]]
    assert [r["id"] for r in await _get(w, key, "tasks?select=id")] == [w.tasks["A"]]
    assert [r["id"] for r in await _get(w, key, "organizations?select=id")] == [w.tenants["A"]]
    # Not its creator: the creator's own rows (their key list) are not the key's.
    assert await _get(w, key, "api_keys?select=id") == []
    # It writes as a member of A; the creator column records who made the key.
    task = {"project_id": w.projects["A"], "title": "from CI"}
    got = await w.c.post("/rest/v1/tasks", json=task, headers={**_key(key), **REP})
    assert got.status_code == 201, got.text
    assert got.json()[0]["created_by"] == w.users["a"]
    got = await w.c.post("/rest/v1/tasks", json={**task, "project_id": w.projects["B"]}, headers=_key(key))
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    # A member-role key deletes a task but not a project (the admin default), and makes no tenants.
    got = await w.c.delete(f"/rest/v1/projects?id=eq.{w.projects['A']}", headers={**_key(key), **REP})
    assert (got.status_code, got.json()) == (200, [])
    got = await w.c.post("/rest/v1/organizations", json={"name": "by key"}, headers=_key(key))
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    got = await w.c.post(
        "/rest/v1/memberships",
        json={"organization_id": w.tenants["A"], "user_id": w.users["b"], "role": "viewer"},
        headers=_key(key),
    )
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text


async def test_only_an_admin_of_the_organization_makes_a_key_for_it(w):
    for who in ("m", "v", "b"):  # a member, a viewer, an outsider
        got = await w.act(who, "POST", "rpc/create_api_key", {"name": "x", "organization_id": w.tenants["A"]})
        assert (got.status_code, got.json()["code"]) == (403, "42501"), (who, got.text)
    made = await _mint(w, "d", organization_id=w.tenants["A"], role="viewer")  # an admin, a read-only key
    assert made["role"] == "viewer"
    assert [r["id"] for r in await _get(w, made["key"], "tasks?select=id")] == [w.tasks["A"]]
    got = await w.c.post(
        "/rest/v1/tasks", json={"project_id": w.projects["A"], "title": "no"}, headers=_key(made["key"])
    )
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    got = await w.act("d", "POST", "rpc/create_api_key", {"organization_id": w.tenants["A"], "role": "owner"})
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text  # above the admin's own role
    assert (await _mint(w, "a", organization_id=w.tenants["A"], role="admin"))["role"] == "admin"


async def test_a_key_without_a_tenant_still_acts_as_its_owner(w):
    made = await _mint(w, "m")
    got = await _get(w, made["key"], "api_keys?select=id")
    assert [r["id"] for r in got] == [made["id"]]


async def test_the_organizations_admins_list_and_revoke_its_keys_whoever_made_them(w):
    org_key = await _mint(w, "a", organization_id=w.tenants["A"])  # the owner makes A's CI key
    personal = await _mint(w, "a")  # and a key of their own
    other_org = await _mint(w, "b", organization_id=w.tenants["B"])

    listed = await w.act("d", "GET", "api_keys?select=id,organization_id,name&order=id")
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()] == [org_key["id"]]  # A's key, not a's own, not B's
    assert "key_hash" not in (await w.act("d", "GET", "api_keys?select=*")).json()[0]  # never the hash
    for who in ("m", "v"):  # members and viewers of A do not see A's keys
        assert (await w.act(who, "GET", "api_keys?select=id")).json() == []

    got = await w.act("d", "DELETE", f"api_keys?id=eq.{personal['id']}", Prefer="return=representation")
    assert (got.status_code, got.json()) == (200, [])  # a's own key is a's alone
    got = await w.act("d", "DELETE", f"api_keys?id=eq.{other_org['id']}", Prefer="return=representation")
    assert (got.status_code, got.json()) == (200, [])
    got = await w.act("d", "DELETE", f"api_keys?id=eq.{org_key['id']}", Prefer="return=representation")
    assert (got.status_code, [r["id"] for r in got.json()]) == (200, [org_key["id"]])

    revoked = await w.c.get("/rest/v1/tasks?select=id", headers=_key(org_key["key"]))
    assert revoked.status_code == 401, revoked.text
    assert [r["id"] for r in await _get(w, personal["key"], "api_keys?select=id")] == [personal["id"]]
    assert [r["id"] for r in await _get(w, other_org["key"], "tasks?select=id")] == [w.tasks["B"]]
