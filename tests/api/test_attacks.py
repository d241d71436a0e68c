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

from ..database_state import changed, database_state
from .two_tenants import SECRET, build, token

CSV = {"Accept": "text/csv"}
ONE = {"Accept": "application/vnd.pgrst.object+json"}
COUNT = {"Prefer": "count=exact"}
MERGE = {"Prefer": "resolution=merge-duplicates,return=representation"}
IGNORE = {"Prefer": "resolution=ignore-duplicates,return=representation"}
REP = {"Prefer": "return=representation"}
MINIMAL = {"Prefer": "return=minimal"}
MERGE_MINIMAL = {"Prefer": "resolution=merge-duplicates,return=minimal"}


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


async def _probe(t, who: str, method: str, path: str, headers: dict, body=None):
    return await t.c.request(method, f"/rest/v1/{path}", json=body, headers={**t.who(who), **headers})


def _expect(got, want, where) -> None:
    """``want`` is (status, PostgREST code) for a refusal, (status, body) for an answer, (204, None) for none."""
    status, outcome = want
    assert got.status_code == status, (where, got.status_code, got.text[:300])
    if isinstance(outcome, str):
        assert got.json()["code"] == outcome, (where, got.text[:300])
    elif outcome is None:
        assert got.content == b"", (where, got.text[:300])
    else:
        assert got.json() == outcome, (where, got.text[:300])


def _b_reads() -> dict[str, tuple]:
    """B's owner gets an answer to every read, with nothing of A's in it (checked apart)."""
    ok = (200, None)
    return {
        "list": ok,
        "by id": ok,
        "or": ok,
        "object": (406, "PGRST116"),  # zero rows: A's document does not exist for B
        "csv": ok,
        "head": ok,
        "embed docs": ok,
        "embed all": ok,
        "spread": ok,
        "inner": ok,
        "integrations": ok,
        "members": ok,
        "users": ok,
        "count": ok,
        "include deleted": ok,
        "api keys": ok,
        "invitations": ok,
        "jobs": ok,
    }


def reads(t) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, headers) reads that must show B nothing of A."""
    doc_a, note_a, ws_a = t.docs["A"][0], t.notes["A"][0], t.ws["A"]
    return [
        ("list", "GET", "documents?select=*", {}),
        ("by id", "GET", f"documents?id=eq.{doc_a}", {}),
        ("or", "GET", f"documents?or=(id.eq.{doc_a},title.like.*)", {}),
        ("object", "GET", f"documents?id=eq.{doc_a}", ONE),
        ("csv", "GET", "documents?select=*", CSV),
        ("head", "HEAD", f"documents?id=eq.{doc_a}", COUNT),
        ("embed docs", "GET", "workspaces?select=*,documents!documents_workspace_id_fkey(*,notes(*))", {}),
        ("embed all", "GET", "workspaces?select=*,workspace_members(*),invitations(*),integrations(*)", {}),
        ("spread", "GET", f"notes?select=*,...documents(title,workspace_id)&id=eq.{note_a}", {}),
        ("inner", "GET", "notes?select=*,documents!inner(*)", {}),
        ("integrations", "GET", "integrations?select=id,masked_key,workspaces(name)", {}),
        ("members", "GET", "workspace_members?select=*,users(*)", {}),
        ("users", "GET", "users?select=*,workspace_members(*,workspaces(*))", {}),
        ("count", "GET", f"documents?select=id&workspace_id=eq.{ws_a}", COUNT),
        ("include deleted", "GET", "documents?select=id&include_deleted=true", {"Prefer": "include-deleted"}),
        ("api keys", "GET", "api_keys?select=*", {}),
        ("invitations", "GET", "invitations?select=*", {}),
        ("jobs", "GET", "jobs?select=*", {}),
    ]


@pytest.mark.parametrize("who", ["b", "anon"])
async def test_reads_show_nothing_of_a(t, who):
    expected = _b_reads()
    for name, method, path, headers in reads(t):
        got = await _probe(t, who, method, path, headers)
        status, code = (401, "42501") if who == "anon" else expected[name]
        assert got.status_code == status, (name, got.status_code, got.text[:300])
        if code is not None and method != "HEAD":
            assert got.json()["code"] == code, (name, got.text[:300])
        leaked = [s for s in secrets_of_a(t) if s in got.text or s in str(got.headers)]
        assert not leaked, (name, leaked, got.text[:300])
        if method == "HEAD" and got.status_code == 200:
            assert got.headers["content-range"] == "*/0", name


async def test_b_sees_its_own_rows_so_the_reads_above_are_not_vacuous(t):
    got = await _probe(t, "b", "GET", "documents?select=id,title", {})
    assert got.json() == [{"id": t.docs["B"][0], "title": "B live"}]
    got = await _probe(t, "b", "HEAD", f"documents?id=eq.{t.docs['B'][0]}", COUNT)
    assert got.status_code == 200 and got.headers["content-range"] == "0-0/1"


async def test_rpcs_openapi_and_the_console_reveal_no_rows(t):
    found = await t.c.post("/rest/v1/rpc/match_documents", json={"query_embedding": [1, 0, 0]}, headers=t.who("b"))
    assert found.status_code == 200, found.text
    assert [r["id"] for r in found.json()] == [t.docs["B"][0]]
    found = await t.c.post("/rest/v1/rpc/match_documents", json={"query_embedding": [1, 0, 0]}, headers=t.who("anon"))
    assert (found.status_code, found.json()["code"]) == (401, "42501"), found.text
    for path in ("/rest/v1/", "/console/api/schema", "/"):
        got = await t.c.get(path, headers=t.who("anon"))
        assert got.status_code == 200, path
        assert not [s for s in secrets_of_a(t) + [t.docs["B"][0], "B live"] if s in got.text], path


def writes(t, member_b: str) -> list[tuple[str, str, str, object, dict]]:
    """(name, method, path, body, headers): every way of writing to A's rows, or of moving a row into A."""
    doc_a, doc_b, ws_a, ws_b = t.docs["A"][0], t.docs["B"][0], t.ws["A"], t.ws["B"]
    whole_a = {"id": doc_a, "workspace_id": ws_b, "title": "pwned", "embedding": None, "is_deleted": False}
    whole_b = {"id": doc_b, "workspace_id": ws_a, "title": "pwned", "embedding": None, "is_deleted": False}
    new_id = "22222222-2222-4222-8222-222222222222"
    new_in_a = {"id": new_id, "workspace_id": ws_a, "title": "pwned", "embedding": None, "is_deleted": False}
    return [
        ("patch A", "PATCH", f"documents?id=eq.{doc_a}", {"title": "pwned"}, REP),
        ("patch A or B", "PATCH", f"documents?or=(id.eq.{doc_a},id.eq.{doc_b})", {"title": "pwned"}, REP),
        ("delete A doc", "DELETE", f"documents?id=eq.{doc_a}", None, REP),
        ("delete A notes", "DELETE", f"notes?document_id=eq.{doc_a}", None, REP),
        ("delete A", "DELETE", f"workspaces?id=eq.{ws_a}", None, REP),
        ("delete A minimal", "DELETE", f"documents?id=eq.{doc_a}", None, MINIMAL),
        (
            "upsert A in A",
            "POST",
            "documents?on_conflict=id",
            {"id": doc_a, "workspace_id": ws_a, "title": "pwned"},
            MERGE,
        ),
        (
            "upsert A to B",
            "POST",
            "documents?on_conflict=id",
            {"id": doc_a, "workspace_id": ws_b, "title": "pwned"},
            MERGE,
        ),
        (
            "upsert A to B minimal",
            "POST",
            "documents?on_conflict=id",
            {"id": doc_a, "workspace_id": ws_b, "title": "pwned"},
            MERGE_MINIMAL,
        ),
        ("ignore A", "POST", "documents?on_conflict=id", {"id": doc_a, "workspace_id": ws_b, "title": "pwned"}, IGNORE),
        ("put A to B", "PUT", f"documents?id=eq.{doc_a}", whole_a, REP),
        ("put B to A", "PUT", f"documents?id=eq.{doc_b}", whole_b, MINIMAL),
        ("put new in A", "PUT", f"documents?id=eq.{new_id}", new_in_a, REP),
        ("note on A", "POST", "notes", {"document_id": doc_a, "body": "pwned"}, REP),
        (
            "integration in A",
            "POST",
            "integrations",
            {"workspace_id": ws_a, "name": "pwned", "api_key": "sk-pwned-0123456789"},
            REP,
        ),
        ("join A", "POST", "workspace_members", {"workspace_id": ws_a, "user_id": t.users["b"], "role": "owner"}, REP),
        ("move membership", "PATCH", f"workspace_members?id=eq.{member_b}", {"workspace_id": ws_a}, REP),
        ("move membership minimal", "PATCH", f"workspace_members?id=eq.{member_b}", {"workspace_id": ws_a}, MINIMAL),
        ("move B doc", "PATCH", f"documents?id=eq.{doc_b}", {"workspace_id": ws_a}, REP),
        ("move B doc minimal", "PATCH", f"documents?id=eq.{doc_b}", {"workspace_id": ws_a}, MINIMAL),
        ("invite into A", "POST", "invitations", {"workspace_id": ws_a, "email": "b@x.io", "role": "owner"}, REP),
    ]


RLS = (403, "42501")  # row-level security: the new or changed row is not the caller's to write


def expected_writes(t, who: str) -> dict[str, tuple]:
    """What each write gets from B's owner or A's viewer (anon is stopped at the door: 401 42501)."""
    doc_b = {
        "id": t.docs["B"][0],
        "workspace_id": t.ws["B"],
        "title": "pwned",
        "embedding": [1, 0, 0],
        "is_deleted": False,
    }
    nothing = (200, [])  # the filters match no row the caller may change
    out = {
        "patch A": nothing,
        "patch A or B": (200, [doc_b]) if who == "b" else nothing,
        "delete A doc": nothing,
        "delete A notes": nothing,
        "delete A": nothing,
        "delete A minimal": (204, None),
        "upsert A in A": RLS,
        "upsert A to B": RLS,
        "upsert A to B minimal": RLS,
        "ignore A": (201, []) if who == "b" else RLS,  # B may insert into B; the conflict skips the row
        "put A to B": RLS,
        "put B to A": RLS,
        "put new in A": RLS,
        "note on A": RLS,
        "integration in A": RLS,
        "join A": RLS,
        "move membership": RLS if who == "b" else nothing,  # A's viewer cannot see B's membership at all
        "move membership minimal": RLS if who == "b" else (204, None),
        "move B doc": RLS if who == "b" else nothing,
        "move B doc minimal": RLS if who == "b" else (204, None),
        "invite into A": RLS,
    }
    return out


@pytest.mark.parametrize("who", ["b", "anon", "v"])
async def test_no_write_changes_a_row_it_may_not(t, who):
    """Each write gets its exact answer, and the whole database, read directly, changes only where allowed."""
    before = database_state(t.url)
    member_b = [r["id"] for r in before["workspace_members"] if r["workspace_id"] == t.ws["B"]]
    attempts = writes(t, member_b[0])
    expected = expected_writes(t, who)
    assert sorted(expected) == sorted(a[0] for a in attempts)
    for name, method, path, body, headers in attempts:
        got = await _probe(t, who, method, path, headers, body)
        _expect(got, (401, "42501") if who == "anon" else expected[name], (who, name))
        assert not [s for s in secrets_of_a(t) if s in got.text], (who, name, got.text[:300])
    after = database_state(t.url)
    if who == "b":  # the one row B may change: its own document, renamed by "patch A or B"
        (row,) = [r for r in before["documents"] if r["id"] == t.docs["B"][0]]
        before["documents"] = sorted(
            [r for r in before["documents"] if r is not row] + [{**row, "title": "pwned"}], key=repr
        )
    assert changed(before, after) == {}


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
    joined = await _probe(t, "service", "GET", f"workspace_members?select=id&user_id=eq.{alt}", {})
    assert joined.json() == []


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


async def test_a_owner_may_put_its_own_document_so_the_refused_puts_above_are_the_rules_doing(t):
    doc_a, ws_a = t.docs["A"][0], t.ws["A"]
    whole = {"id": doc_a, "workspace_id": ws_a, "title": "A put", "embedding": [0, 1, 0], "is_deleted": False}
    got = await _probe(t, "a", "PUT", f"documents?id=eq.{doc_a}", REP, whole)
    _expect(got, (200, [whole]), "put own")
    got = await _probe(t, "a", "GET", f"documents?select=title&id=eq.{doc_a}", {})
    assert got.json() == [{"title": "A put"}]
