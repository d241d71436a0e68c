"""API-key rows are minted only by rpc/create_api_key: seed 003's ``apikey``, through HTTP, on both databases.

The outside attacker's finding (issue 12, 1): user B inserted an ``apikey``
row naming user A as its owner with a key value B chose, and that key then
authenticated as A. Keys made by the RPC could not be listed or revoked by
their owner, and a leaked key could mint more keys by inserting rows.
"""

from __future__ import annotations

import pytest

from .seed_actors import REP, build

CHOSEN = "dbk_chosen-by-b-0123456789abcdef"
KEY_ROW_COLUMNS = {"id", "name", "start", "prefix", "userId", "enabled", "expiresAt", "createdAt", "updatedAt"}


@pytest.fixture
async def w(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    world, app = await build("003", db_url)
    yield world
    await world.c.aclose()
    await app.state.db.close()


def _key(plain: str) -> dict[str, str]:
    return {"apikey": plain, "Authorization": ""}


def _refused(got, status: int = 403) -> None:
    assert got.status_code == status, got.text
    assert got.json()["code"] == "42501", got.text


async def _mint(w, who: str, name: str = "ci") -> dict:
    got = await w.c.post("/rest/v1/rpc/create_api_key", json={"name": name}, headers=w.who(who))
    assert got.status_code == 200, got.text
    return got.json()


async def test_b_cannot_plant_a_key_that_acts_as_a(w):
    planted = {
        "id": "22222222-2222-4222-8222-222222222222",
        "userId": w.users["a"],
        "key": CHOSEN,
        "jobId": w.job_b,
        "enabled": True,
        "name": "innocent",
    }
    _refused(await w.c.post("/rest/v1/apikey", json=planted, headers={**w.who("b"), **REP}))
    _refused(await w.c.post("/rest/v1/apikey", json={**planted, "userId": w.users["b"]}, headers=w.who("b")))
    _refused(await w.c.post("/rest/v1/apikey", json=planted, headers=w.who("a")))  # not even for oneself
    _refused(await w.c.post("/rest/v1/apikey", json=planted, headers=w.who("anon")), 401)
    _refused(await w.c.patch("/rest/v1/apikey", json={"userId": w.users["a"]}, headers=w.who("anon")), 401)
    assert await w.rows("apikey?select=id") == []
    got = await w.c.get("/rest/v1/organization?select=id", headers=_key(CHOSEN))
    assert (got.status_code, got.json()["message"]) == (401, "Invalid API key")


async def test_b_cannot_take_over_a_key_row(w):
    made = await _mint(w, "a")
    mine = await _mint(w, "b", "b's")
    for body in ({"userId": w.users["b"]}, {"key": CHOSEN}):  # columns nobody but the RPC writes
        _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json=body, headers=w.who("b")))
    got = await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json={"enabled": False}, headers={**w.who("b"), **REP})
    assert (got.status_code, got.json()) == (200, [])  # a revoke column, but A's row is not B's to reach
    # B's own key row cannot be pointed at A either, nor given a chosen value.
    _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{mine['id']}", json={"userId": w.users["a"]}, headers=w.who("b")))
    _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{mine['id']}", json={"key": CHOSEN}, headers=w.who("b")))
    got = await w.c.get("/rest/v1/apikey?select=id,userId&order=name", headers=w.who("service"))
    assert got.json() == [
        {"id": mine["id"], "userId": w.users["b"]},
        {"id": made["id"], "userId": w.users["a"]},
    ]
    assert (await w.c.get("/rest/v1/organization?select=id", headers=_key(CHOSEN))).status_code == 401


async def test_the_owner_lists_non_secret_fields_and_revokes(w):
    made = await _mint(w, "a")
    listed = await w.c.get("/rest/v1/apikey?select=*", headers=w.who("a"))
    assert listed.status_code == 200, listed.text
    (row,) = listed.json()
    assert row["id"] == made["id"] and row["start"] == made["key"][:6] and row["name"] == "ci"
    assert "key" not in row and KEY_ROW_COLUMNS <= set(row)
    assert made["key"] not in listed.text
    _refused(await w.c.get("/rest/v1/apikey?select=key", headers=w.who("a")))
    assert (await w.c.get("/rest/v1/apikey?select=id", headers=w.who("b"))).json() == []
    # Only the revoke columns change; the rest is the RPC's.
    _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json={"remaining": "999"}, headers=w.who("a")))
    _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json={"userId": w.users["b"]}, headers=w.who("a")))
    assert (await w.c.get("/rest/v1/organization?select=id", headers=_key(made["key"]))).status_code == 200
    got = await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json={"enabled": False}, headers=w.who("a"))
    assert got.status_code == 204, got.text
    got = await w.c.get("/rest/v1/organization?select=id", headers=_key(made["key"]))
    assert (got.status_code, got.json()["message"]) == (401, "API key is disabled")
    # B's DELETE reaches no row of A's; A's own removes it.
    got = await w.c.delete(f"/rest/v1/apikey?id=eq.{made['id']}", headers={**w.who("b"), **REP})
    assert (got.status_code, got.json()) == (200, [])
    got = await w.c.delete(f"/rest/v1/apikey?id=eq.{made['id']}", headers={**w.who("a"), **REP})
    assert got.status_code == 200 and [r["id"] for r in got.json()] == [made["id"]]
    assert await w.rows("apikey?select=id") == []


async def test_a_key_never_mints_keys_nor_writes_the_key_table(w):
    made = await _mint(w, "a")
    plain = made["key"]
    got = await w.c.post("/rest/v1/rpc/create_api_key", json={"name": "more"}, headers=_key(plain))
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    _refused(
        await w.c.post(
            "/rest/v1/apikey", json={"userId": w.users["a"], "key": CHOSEN, "name": "x"}, headers=_key(plain)
        )
    )
    _refused(await w.c.patch(f"/rest/v1/apikey?id=eq.{made['id']}", json={"enabled": False}, headers=_key(plain)))
    _refused(await w.c.delete(f"/rest/v1/apikey?id=eq.{made['id']}", headers=_key(plain)))
    # It may still read as its owner, which shows that the refusals above are about the key, not the owner.
    got = await w.c.get("/rest/v1/apikey?select=id", headers=_key(plain))
    assert (got.status_code, got.json()) == (200, [{"id": made["id"]}])
    assert [r["id"] for r in await w.rows("apikey?select=id")] == [made["id"]]
    assert (await w.c.get("/rest/v1/organization?select=id", headers=_key(CHOSEN))).status_code == 401


async def test_service_role_still_writes_key_rows(w):
    row = {"id": "33333333-3333-4333-8333-333333333333", "userId": w.users["a"], "key": CHOSEN, "enabled": True}
    got = await w.c.post("/rest/v1/apikey", json=row, headers={**w.who("service"), **REP})
    assert got.status_code == 201, got.text
    got = await w.c.patch(f"/rest/v1/apikey?id=eq.{row['id']}", json={"name": "ops"}, headers=w.who("service"))
    assert got.status_code == 204, got.text
