"""Soft delete and secrets hold inside embedded resources exactly as at top level, on both databases."""

from __future__ import annotations

import pytest

from .two_tenants import build


@pytest.fixture
async def t(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)
    world, app = await build(db_url)
    yield world
    await world.c.aclose()
    await app.state.db.close()


async def _get(t, who: str, path: str):
    got = await t.c.get(f"/rest/v1/{path}", headers=t.who(who))
    assert got.status_code == 200, got.text
    return got.json()


@pytest.mark.parametrize("who", ["a", "service"])
async def test_embedded_soft_deleted_rows_are_left_out(t, who):
    rows = await _get(
        t, who, f"workspaces?select=id,documents!documents_workspace_id_fkey(id,notes(id))&id=eq.{t.ws['A']}"
    )
    docs = rows[0]["documents"]
    assert [d["id"] for d in docs] == [t.docs["A"][0]]
    assert [n["id"] for n in docs[0]["notes"]] == [t.notes["A"][0]]
    inner = await _get(t, who, f"notes?select=id,documents!inner(id)&documents.id=eq.{t.docs['A'][1]}")
    assert inner == []  # the parent goes too when its only match is marked deleted


async def test_service_role_may_ask_for_marked_embedded_rows(t):
    path = f"workspaces?select=id,documents!documents_workspace_id_fkey(id)&id=eq.{t.ws['A']}"
    rows = await _get(t, "service", path + "&include_deleted=true")
    assert sorted(d["id"] for d in rows[0]["documents"]) == sorted(t.docs["A"])
    asked = await t.c.get(f"/rest/v1/{path}", headers={**t.who("a"), "Prefer": "include-deleted"})
    assert [d["id"] for d in asked.json()[0]["documents"]] == [t.docs["A"][0]]  # only service_role may


async def test_embedded_secrets_are_clear_for_service_role_at_every_depth_and_under_aliases(t):
    plain = "sk-live-A-0123456789abcdef"
    nested = await _get(
        t,
        "service",
        f"workspaces?select=documents!documents_workspace_id_fkey(integrations(api_key,masked_key))&id=eq.{t.ws['A']}",
    )
    assert nested[0]["documents"][0]["integrations"] == [{"api_key": plain, "masked_key": "sk-l****cdef"}]
    aliased = await _get(t, "service", f"integrations?select=k:api_key,t:api_key::text&id=eq.{t.integrations['A']}")
    assert aliased == [{"k": plain, "t": plain}]
    star = await _get(t, "service", f"documents?select=integrations(*)&id=eq.{t.docs['A'][0]}")
    assert star[0]["integrations"][0]["api_key"] == plain


async def test_embedded_secrets_never_reach_ordinary_users(t):
    got = await t.c.get("/rest/v1/documents?select=id,integrations(*)", headers=t.who("a"))
    assert got.status_code == 200
    text = got.text
    assert "enc:v1" not in text and "0123456789abcdef" not in text
    assert got.json()[0]["integrations"][0]["masked_key"] == "sk-l****cdef"
    named = await t.c.get("/rest/v1/documents?select=id,integrations(k:api_key)", headers=t.who("a"))
    assert named.status_code == 403 and named.json()["code"] == "42501"
    spread = await t.c.get("/rest/v1/integrations?select=id,...documents(*)", headers=t.who("a"))
    assert spread.status_code == 200 and "is_deleted" in spread.json()[0]
