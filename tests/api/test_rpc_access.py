"""Every RPC decides access, on SQLite and PostgreSQL: searches see what a GET sees, the rest is for whom it names."""

from __future__ import annotations

import pytest

from .two_tenants import ANON, SERVICE, build, token


@pytest.fixture
async def t(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)
    world, app = await build(db_url)
    yield world
    await world.c.aclose()
    await app.state.db.close()


async def _match(t, who, **body):
    return await t.c.post(
        "/rest/v1/rpc/match_documents", json={"query_embedding": [1, 0, 0], **body}, headers=t.who(who)
    )


@pytest.mark.parametrize("who,workspace", [("a", "A"), ("v", "A"), ("b", "B")])
async def test_vector_search_returns_only_rows_the_caller_may_read(t, who, workspace):
    got = await _match(t, who)
    assert got.status_code == 200, got.text
    assert [r["id"] for r in got.json()] == [t.docs[workspace][0]]  # not the soft-deleted one, not the other tenant's
    assert all("embedding" not in r for r in got.json())


async def test_vector_search_filter_cannot_reach_another_tenant(t):
    got = await _match(t, "b", filter={"workspace_id": t.ws["A"]})
    assert got.status_code == 200 and got.json() == []


async def test_vector_search_for_service_role_sees_every_live_row_and_anon_none(t):
    got = await _match(t, "service")
    assert sorted(r["id"] for r in got.json()) == sorted([t.docs["A"][0], t.docs["B"][0]])
    refused = await _match(t, "anon")
    assert refused.status_code == 401 and refused.json()["code"] == "42501"


async def test_invitation_is_answered_only_by_the_invitee(t):
    made = await t.c.post(
        "/rest/v1/invitations",
        json={"workspace_id": t.ws["A"], "email": "Carol@x.io", "role": "member"},
        headers={**SERVICE, "Prefer": "return=representation"},
    )
    assert made.status_code == 201, made.text
    plain = made.json()[0]["token"]
    body = {"token": plain}
    stolen = await t.c.post("/rest/v1/rpc/accept_invitation", json=body, headers=t.who("b"))
    assert stolen.status_code == 403
    assert (await t.c.post("/rest/v1/rpc/accept_invitation", json=body, headers=ANON)).status_code == 401
    assert (await t.c.post("/rest/v1/rpc/decline_invitation", json=body, headers=t.who("b"))).status_code == 403
    carol = "6b0c0a52-1c1a-4f43-9d55-5b3f3f0b7d11"
    await t.ok("POST", "users", {"id": carol, "email": "carol@x.io"})
    assert (await t.c.get("/rest/v1/documents?select=id", headers=token(carol, "carol@x.io"))).json() == []
    took = await t.c.post("/rest/v1/rpc/accept_invitation", json=body, headers=token(carol, "carol@x.io"))
    assert took.status_code == 200, took.text
    seen = (await t.c.get("/rest/v1/documents?select=id", headers=token(carol, "carol@x.io"))).json()
    assert [r["id"] for r in seen] == [t.docs["A"][0]]


async def test_api_keys_are_made_for_the_signed_in_owner_only(t):
    made = await t.c.post(
        "/rest/v1/rpc/create_api_key", json={"name": "ci", "user_id": t.users["b"]}, headers=t.who("a")
    )
    assert made.status_code == 200, made.text
    key = made.json()["key"]
    owners = (await t.c.get(f"/rest/v1/api_keys?select=user_id&id=eq.{made.json()['id']}", headers=SERVICE)).json()
    assert owners == [{"user_id": t.users["a"]}]  # the body's user_id is not the caller's to choose
    assert (await t.c.post("/rest/v1/rpc/create_api_key", json={"name": "x"}, headers=ANON)).status_code == 401
    with_key = {"apikey": key, "Authorization": f"Bearer {key}"}
    assert (await t.c.get("/rest/v1/documents?select=id", headers=with_key)).status_code == 200
    minted = await t.c.post("/rest/v1/rpc/create_api_key", json={"name": "more"}, headers=with_key)
    assert minted.status_code == 403 and minted.json()["code"] == "42501"


@pytest.mark.parametrize("name", ["claim_jobs", "complete_jobs", "fail_jobs"])
async def test_job_queue_is_for_service_role_workers_only(t, name):
    await t.ok("POST", "jobs", {"workspace_id": t.ws["A"]})
    assert (await t.c.post(f"/rest/v1/rpc/{name}", json={}, headers=t.who("a"))).status_code == 403
    assert (await t.c.post(f"/rest/v1/rpc/{name}", json={}, headers=ANON)).status_code == 401
    assert (await t.c.post("/rest/v1/rpc/claim_jobs", json={}, headers=SERVICE)).json()["status"] == "running"
