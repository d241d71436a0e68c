"""Invitations cannot be rewritten into a way in: seeds 000 and 003, through HTTP, on both databases.

The outside attacker's finding (issue 12, 2): a writer-level member PATCHed
an invitation the owner had made (email, role, and in 000 the token), had a
second account accept it as owner, and deleted the real owner's membership;
the cap on an invitation's role looked only at the original inviter.
"""

from __future__ import annotations

import uuid

import pytest

from .seed_actors import REP, build

FUTURE = "2999-01-01T00:00:00+00:00"


@pytest.fixture(params=["000", "003"])
async def w(request, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    world, app = await build(request.param, db_url)
    yield world
    await world.c.aclose()
    await app.state.db.close()


def _refused(got, status: int = 403) -> None:
    assert got.status_code == status, got.text
    assert got.json()["code"] == "42501", got.text


def _body(w, by: str, email: str, role: str) -> dict:
    n = w.n
    key = str(uuid.uuid4())
    body = {"id": key, n.invite_tenant: w.tenants["A"], n.email: email, "role": role, n.inviter: w.users[by]}
    body.update({"status": "pending", ("expires_at" if w.seed == "000" else "expiresAt"): FUTURE})
    if n.token:
        body[n.token] = f"tok-{key}"
    return body


async def _invite(w, by: str, email: str, role: str) -> tuple[str, str]:
    """(invitation id, what its link carries), made by ``by`` through the API."""
    body = _body(w, by, email, role)
    got = await w.c.post(f"/rest/v1/{w.n.invites}", json=body, headers=w.who(by))
    assert got.status_code == 201, got.text
    return body["id"], body.get(w.n.token or "", body["id"])


async def _accept(w, who: str, token: str):
    return await w.c.post("/rest/v1/rpc/accept_invitation", json={"token": token}, headers=w.who(who))


async def _invitation(w, key: str) -> dict:
    (row,) = await w.rows(f"{w.n.invites}?id=eq.{key}&select=*")
    return row


async def test_a_writer_cannot_rewrite_the_owners_invitation_into_ownership(w):
    n = w.n
    key, token = await _invite(w, "a", "friend@x.io", n.writer)
    before = await _invitation(w, key)
    changes = [
        {n.email: "alt@x.io"},
        {"role": n.top},
        {n.invite_tenant: w.tenants["B"]},
        {n.inviter: w.users["w"]},
        {n.email: "alt@x.io", "role": n.top},
    ]
    if n.token:
        changes.append({n.token: "chosen-by-w-0123456789"})
    for change in changes:
        _refused(await w.c.patch(f"/rest/v1/{n.invites}?id=eq.{key}", json=change, headers=w.who("w")))
    assert await _invitation(w, key) == before
    took = await _accept(w, "alt", token)
    _refused(took)
    assert took.json()["message"] == "this invitation was sent to another email address"
    if n.token:
        assert (await _accept(w, "alt", "chosen-by-w-0123456789")).status_code == 404
    # The attacker's last step: the real owner's membership cannot be deleted by the writer.
    await w.c.delete(f"/rest/v1/{n.members}?{n.member_user}=eq.{w.users['a']}", headers=w.who("w"))
    assert await w.memberships("alt") == []
    assert await w.memberships("a") == [(w.tenants["A"], n.top)]
    assert await w.memberships("w") == [(w.tenants["A"], n.writer)]


async def test_the_inviter_and_the_invited_email_are_immutable_even_to_the_owner(w):
    n = w.n
    key, _ = await _invite(w, "w", "friend@x.io", n.writer)
    for change in ({n.email: "alt@x.io"}, {"role": n.top}, {n.inviter: w.users["a"]}):
        _refused(await w.c.patch(f"/rest/v1/{n.invites}?id=eq.{key}", json=change, headers=w.who("a")))
    got = await w.c.patch(f"/rest/v1/{n.invites}?id=eq.{key}", json={n.email: "x@x.io"}, headers=w.who("service"))
    assert got.status_code == 204, got.text  # service_role may


async def test_an_invitation_grants_no_more_than_its_creator_holds(w):
    n = w.n
    _refused(await w.c.post(f"/rest/v1/{n.invites}", json=_body(w, "w", "alt@x.io", n.top), headers=w.who("w")))
    _, token = await _invite(w, "w", "alt@x.io", n.writer)
    took = await _accept(w, "alt", token)
    assert took.status_code == 200, took.text
    assert await w.memberships("alt") == [(w.tenants["A"], n.writer)]
    assert len(await w.rows(f"{n.invites}?select=id")) == 1


async def test_only_the_inviter_or_an_admin_revokes(w):
    n = w.n
    owners, _ = await _invite(w, "a", "friend@x.io", n.writer)
    writers, _ = await _invite(w, "w", "pal@x.io", n.writer)
    other, _ = await _invite(w, "w", "mate@x.io", n.writer)
    # The writer reaches no invitation but their own (PostgREST: nothing matched, nothing changed).
    got = await w.c.delete(f"/rest/v1/{n.invites}?id=eq.{owners}", headers={**w.who("w"), **REP})
    assert (got.status_code, got.json()) == (200, [])
    got = await w.c.patch(
        f"/rest/v1/{n.invites}?id=eq.{owners}", json={"status": "declined"}, headers={**w.who("w"), **REP}
    )
    assert (got.status_code, got.json()) == (200, [])
    assert (await _invitation(w, owners))["status"] == "pending"
    # Their own they may revoke, by status or by deleting it; the owner may revoke anyone's.
    got = await w.c.patch(
        f"/rest/v1/{n.invites}?id=eq.{writers}", json={"status": "declined"}, headers={**w.who("w"), **REP}
    )
    assert got.status_code == 200 and [r["status"] for r in got.json()] == ["declined"], got.text
    got = await w.c.delete(f"/rest/v1/{n.invites}?id=eq.{writers}", headers={**w.who("w"), **REP})
    assert got.status_code == 200 and [r["id"] for r in got.json()] == [writers], got.text
    got = await w.c.delete(f"/rest/v1/{n.invites}?id=eq.{other}", headers={**w.who("a"), **REP})
    assert got.status_code == 200 and [r["id"] for r in got.json()] == [other], got.text
    assert [r["id"] for r in await w.rows(f"{n.invites}?select=id")] == [owners]


async def test_acceptance_rechecks_the_inviters_current_role(w):
    n = w.n
    _, to_alt = await _invite(w, "a", "alt@x.io", n.top)
    _, to_b = await _invite(w, "a", "b@x.io", n.writer)
    _, to_c = await _invite(w, "a", "c@x.io", n.writer)
    await w.ok("PATCH", f"{n.members}?{n.member_user}=eq.{w.users['a']}", {"role": n.writer})
    took = await _accept(w, "alt", to_alt)
    _refused(took)
    assert took.json()["message"] == "this invitation grants a role above what its inviter holds in this tenant"
    assert (await _accept(w, "b", to_b)).status_code == 200  # within what A still holds
    await w.ok("DELETE", f"{n.members}?{n.member_user}=eq.{w.users['a']}")
    _refused(await _accept(w, "c", to_c))  # an inviter who left vouches for nobody
    assert await w.memberships("alt") == []
    assert await w.memberships("c") == []
    assert await w.memberships("b") == sorted([(w.tenants["A"], n.writer), (w.tenants["B"], n.top)])


async def test_an_upsert_cannot_rewrite_an_invitation_either(w):
    n = w.n
    key, _ = await _invite(w, "w", "friend@x.io", n.writer)
    before = await _invitation(w, key)
    body = {**_body(w, "w", "alt@x.io", n.writer), "id": key}
    got = await w.c.post(
        f"/rest/v1/{n.invites}?on_conflict=id",
        json=body,
        headers={**w.who("w"), "Prefer": "resolution=merge-duplicates,return=representation"},
    )
    _refused(got)
    assert await _invitation(w, key) == before
