"""API keys scoped to a project (issue 16): when the key table points at a table under the tenant
(``api_keys.project_id -> projects``), a key made for one project acts inside that project only: its row,
the rows beneath it and the tenant's own row, nothing of the tenant's other projects or members. Both
databases, over HTTP."""

from __future__ import annotations

import pytest

from ..access.team_world import DOC, team
from ..tenants import new_id

PROJECT_DOC = DOC.replace(
    "  organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,\n  name text,\n  key_hash",
    "  organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,\n"
    "  project_id uuid REFERENCES projects(id) ON DELETE CASCADE,\n  name text,\n  key_hash",
)
REP = {"Prefer": "return=representation"}


@pytest.fixture
async def w(db_url, tmp_path, monkeypatch):
    assert PROJECT_DOC != DOC
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.chdir(tmp_path)
    world, app = await team(db_url, PROJECT_DOC)
    world.other_project, world.other_task = new_id(), new_id()  # a second project of A, with a task
    await world.ok("POST", "projects", {"id": world.other_project, "organization_id": world.tenants["A"], "name": "Q"})
    await world.ok("POST", "tasks", {"id": world.other_task, "project_id": world.other_project, "title": "TQ"})
    yield world
    await world.c.aclose()
    await app.state.db.close()


def _key(plain: str) -> dict[str, str]:
    return {"apikey": plain, "Authorization": ""}


async def _ids(w, plain: str, path: str) -> list:
    got = await w.c.get(f"/rest/v1/{path}", headers=_key(plain))
    assert got.status_code == 200, got.text
    return [r["id"] for r in got.json()]


async def test_a_project_key_acts_inside_its_project_only(w):
    got = await w.act("a", "POST", "rpc/create_api_key", {"name": "deploy", "project_id": w.projects["A"]})
    assert got.status_code == 200, got.text
    made = got.json()
    assert (made["project_id"], made["organization_id"]) == (w.projects["A"], w.tenants["A"])  # tenant from project
    key = made["key"]
    assert await _ids(w, key, "projects?select=id") == [w.projects["A"]]
    assert await _ids(w, key, "tasks?select=id") == [w.tasks["A"]]  # not the other project's task
    assert await _ids(w, key, "organizations?select=id") == [w.tenants["A"]]
    assert await _ids(w, key, "memberships?select=id") == []  # the organization's members are not the project's

    task = {"project_id": w.projects["A"], "title": "from deploy"}
    got = await w.c.post("/rest/v1/tasks", json=task, headers={**_key(key), **REP})
    assert got.status_code == 201, got.text
    got = await w.c.post("/rest/v1/tasks", json={**task, "project_id": w.other_project}, headers=_key(key))
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    got = await w.c.patch(f"/rest/v1/tasks?id=eq.{w.other_task}", json={"title": "x"}, headers={**_key(key), **REP})
    assert (got.status_code, got.json()) == (200, [])
    got = await w.c.patch(  # nor move its own project's task into the other project
        f"/rest/v1/tasks?id=eq.{w.tasks['A']}", json={"project_id": w.other_project}, headers=_key(key)
    )
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text

    # The same organization's key (no project) still sees both projects: the limit is the project key's alone.
    got = await w.act("a", "POST", "rpc/create_api_key", {"name": "org", "organization_id": w.tenants["A"]})
    assert sorted(await _ids(w, got.json()["key"], "projects?select=id")) == sorted([w.projects["A"], w.other_project])


async def test_only_an_admin_of_the_projects_organization_makes_a_project_key(w):
    for who in ("m", "b"):  # a member of A, the owner of B
        got = await w.act(who, "POST", "rpc/create_api_key", {"project_id": w.projects["A"]})
        assert (got.status_code, got.json()["code"]) == (403, "42501"), (who, got.text)
    got = await w.act("a", "POST", "rpc/create_api_key", {"project_id": new_id()})  # none: the same 403, no oracle
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    got = await w.c.post(  # a project of B named with organization A: refused, not silently re-scoped
        "/rest/v1/rpc/create_api_key",
        json={"user_id": w.users["a"], "project_id": w.projects["B"], "organization_id": w.tenants["A"]},
        headers=w.service,
    )
    assert got.status_code == 400 and "project_id" in got.json()["message"], got.text
