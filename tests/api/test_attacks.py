"""Tenant B's owner and anon attack tenant A through every route, on SQLite and PostgreSQL.

Each attempt is one row of a table (who, method, path, body, headers): reads
must carry nothing of A's (ids, titles, notes, secrets - searched for in the
raw response, whatever its shape: JSON, CSV, an object, a HEAD's headers),
and afterwards service_role finds every one of A's rows exactly as before.
"""

from __future__ import annotations

import uuid

import pytest

from docbase.api import mount
from docbase.auth import keys
from docbase.ui.routes import console_routes

from .two_tenants import SECRET, build, token

CSV = {"Accept": "text/csv"}
ONE = {"Accept": "application/vnd.pgrst.object+json"}
COUNT = {"Prefer": "count=exact"}
MERGE = {"Prefer": "resolution=merge-duplicates,return=representation"}
IGNORE = {"Prefer": "resolution=ignore-duplicates,return=representation"}
REP = {"Prefer": "return=representation"}


@pytest.fixture
async def t(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)
    world, app = await build(db_url)
    for route in console_routes(app.state.schema, anon_key=keys.anon_key(SECRET)):
        mount(app, route)
    yield world
    await world.c.aclose()
    await app.state.db.close()


def reads(t) -> list[tuple[str, str, dict]]:
    """(method, path, headers) reads that must show B nothing of A."""
    doc_a, note_a, ws_a = t.docs["A"][0], t.notes["A"][0], t.ws["A"]
    return [
        ("GET", "documents?select=*", {}),
        ("GET", f"documents?id=eq.{doc_a}", {}),
        ("GET", f"documents?or=(id.eq.{doc_a},title.like.*)", {}),
        ("GET", f"documents?id=eq.{doc_a}", ONE),
        ("GET", "documents?select=*", CSV),
        ("HEAD", f"documents?id=eq.{doc_a}", COUNT),
        ("GET", "workspaces?select=*,documents!documents_workspace_id_fkey(*,notes(*))", {}),
        ("GET", "workspaces?select=*,workspace_members(*),invitations(*),integrations(*)", {}),
        ("GET", f"notes?select=*,...documents(title,workspace_id)&id=eq.{note_a}", {}),
        ("GET", "notes?select=*,documents!inner(*)", {}),
        ("GET", "integrations?select=id,masked_key,workspaces(name)", {}),
        ("GET", "workspace_members?select=*,users(*)", {}),
        ("GET", "users?select=*,workspace_members(*,workspaces(*))", {}),
        ("GET", f"documents?select=id&workspace_id=eq.{ws_a}", COUNT),
        ("GET", "documents?select=id&include_deleted=true", {"Prefer": "include-deleted"}),
        ("GET", "api_keys?select=*", {}),
        ("GET", "invitations?select=*", {}),
        ("GET", "jobs?select=*", {}),
    ]


def secrets_of_a(t) -> list[str]:
    return [
        t.docs["A"][0],
        t.docs["A"][1],
        t.notes["A"][0],
        t.integrations["A"],
        t.ws["A"],
        "A live",
        "A note",
        "A hook",
        "sk-live-A",
        t.users["a"],
    ]


async def _snapshot(t) -> dict[str, list]:
    out = {}
    for table in ("workspaces", "workspace_members", "documents", "notes", "integrations", "users"):
        got = await t.c.get(f"/rest/v1/{table}?select=*&order=id&include_deleted=true", headers=t.who("service"))
        out[table] = got.json()
    return out


async def _probe(t, who: str, method: str, path: str, headers: dict, body=None):
    return await t.c.request(method, f"/rest/v1/{path}", json=body, headers={**t.who(who), **headers})


@pytest.mark.parametrize("who", ["b", "anon"])
async def test_reads_show_nothing_of_a(t, who):
    for method, path, headers in reads(t):
        got = await _probe(t, who, method, path, headers)
        assert got.status_code < 500, (path, got.text)
        if who == "anon":
            assert got.status_code == 401, (path, got.status_code)
        leaked = [s for s in secrets_of_a(t) if s in got.text or s in str(got.headers)]
        assert not leaked, (path, leaked, got.text[:300])
        if method == "HEAD" and got.status_code == 200:
            assert got.headers["content-range"].endswith("/0"), path


async def test_b_sees_its_own_rows_so_the_reads_above_are_not_vacuous(t):
    got = await _probe(t, "b", "GET", "documents?select=id,title", {})
    assert got.json() == [{"id": t.docs["B"][0], "title": "B live"}]


async def test_rpcs_openapi_and_the_console_reveal_no_rows(t):
    for who in ("b", "anon"):
        found = await t.c.post("/rest/v1/rpc/match_documents", json={"query_embedding": [1, 0, 0]}, headers=t.who(who))
        assert not [s for s in secrets_of_a(t) if s in found.text], who
    for path in ("/rest/v1/", "/console/api/schema", "/"):
        got = await t.c.get(path, headers=t.who("anon"))
        assert got.status_code == 200, path
        assert not [s for s in secrets_of_a(t) + [t.docs["B"][0], "B live"] if s in got.text], path


async def test_b_cannot_change_a_rows_by_any_write(t):
    before = await _snapshot(t)
    doc_a, doc_b, ws_a, ws_b = t.docs["A"][0], t.docs["B"][0], t.ws["A"], t.ws["B"]
    member_b = (await _probe(t, "service", "GET", f"workspace_members?select=id&workspace_id=eq.{ws_b}", {})).json()
    attempts = [
        ("PATCH", f"documents?id=eq.{doc_a}", {"title": "pwned"}, REP),
        ("PATCH", f"documents?or=(id.eq.{doc_a},id.eq.{doc_b})", {"title": "pwned"}, REP),
        ("DELETE", f"documents?id=eq.{doc_a}", None, REP),
        ("DELETE", f"notes?document_id=eq.{doc_a}", None, REP),
        ("DELETE", f"workspaces?id=eq.{ws_a}", None, REP),
        ("POST", "documents?on_conflict=id", {"id": doc_a, "workspace_id": ws_a, "title": "pwned"}, MERGE),
        ("POST", "documents?on_conflict=id", {"id": doc_a, "workspace_id": ws_b, "title": "pwned"}, MERGE),
        ("POST", "documents?on_conflict=id", {"id": doc_a, "workspace_id": ws_b, "title": "pwned"}, IGNORE),
        ("PUT", f"documents?id=eq.{doc_a}", {"id": doc_a, "workspace_id": ws_b, "title": "pwned"}, REP),
        ("POST", "notes", {"document_id": doc_a, "body": "pwned"}, REP),
        ("POST", "integrations", {"workspace_id": ws_a, "name": "pwned", "api_key": "sk-pwned-0123456789"}, REP),
        ("POST", "workspace_members", {"workspace_id": ws_a, "user_id": t.users["b"], "role": "owner"}, REP),
        ("PATCH", f"workspace_members?id=eq.{member_b[0]['id']}", {"workspace_id": ws_a}, REP),
        ("PATCH", f"documents?id=eq.{doc_b}", {"workspace_id": ws_a}, REP),
        ("POST", "invitations", {"workspace_id": ws_a, "email": "b@x.io", "role": "owner"}, REP),
    ]
    for who in ("b", "anon", "v"):
        for method, path, body, headers in attempts:
            got = await _probe(t, who, method, path, headers, body)
            assert got.status_code < 500, (who, method, path, got.text)
            assert not [s for s in secrets_of_a(t) if s in got.text], (who, method, path, got.text[:300])
            if who == "anon":
                assert got.status_code == 401, (method, path, got.status_code)
    after = await _snapshot(t)
    for table in before:
        a_rows = [r for r in before[table] if any(v in str(r) for v in (t.ws["A"], t.docs["A"][0], t.users["a"]))]
        assert all(r in after[table] for r in a_rows), table
        assert len(after[table]) == len(before[table]), table  # nothing inserted into A (or anywhere)


async def test_a_member_cannot_raise_themself_to_owner_through_an_invitation(t):
    alt = "11111111-1111-4111-8111-111111111111"
    await t.ok("POST", "users", {"id": alt, "email": "alt@x.io"})
    body = {"workspace_id": t.ws["A"], "email": "alt@x.io", "role": "owner", "token": "chosen-token-0123456789"}
    made = await t.c.post("/rest/v1/invitations", json=body, headers=t.who("w"))
    assert (made.status_code, made.json()["code"]) == (403, "42501"), made.text  # above w's own role
    took = await t.c.post(
        "/rest/v1/rpc/accept_invitation",
        json={"token": "chosen-token-0123456789"},
        headers=token(alt, "alt@x.io"),
    )
    assert (took.status_code, took.json()["message"]) == (404, "no such invitation"), took.text


async def test_invitations_without_an_inviter_column_grant_any_role_but_the_top_one(t):
    """This document's invitations name no inviter, so nobody can vouch for an owner invitation."""
    for n, role, status in ((3, "member", 200), (4, "owner", 403)):
        alt = str(uuid.uuid4())
        email = f"alt{n}@x.io"
        await t.ok("POST", "users", {"id": alt, "email": email})
        body = {"workspace_id": t.ws["A"], "email": email, "role": role, "token": f"tok-{n}-0123456789"}
        made = await t.c.post("/rest/v1/invitations", json=body, headers=t.who("a"))
        assert made.status_code == 201, made.text
        took = await t.c.post(
            "/rest/v1/rpc/accept_invitation", json={"token": f"tok-{n}-0123456789"}, headers=token(alt, email)
        )
        assert took.status_code == status, took.text
