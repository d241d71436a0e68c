"""SQLite answers writes as PostgreSQL does: a write is judged by the rights held when the statement began.

PostgreSQL checks a policy against the database as it was when the statement
started (STABLE functions see that snapshot), and its references check sees
the rows the same statement already inserted. SQLite has no such snapshot
inside a transaction, so docbase runs the checks at the matching moment: an
owner demoting themself is not refused by their own demotion, and a bulk
insert may name a row inserted earlier in the same request.
"""

from __future__ import annotations

import pytest

from .worlds import REP, new_id, world_003, world_small


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)


async def test_003_an_owner_may_demote_themself(db_url):
    w = await world_003(db_url)
    try:
        mine = f"member?userId=eq.{w.users['a']}&organizationId=eq.{w.tenants['A']}"
        got = await w.act("a", "PATCH", mine, {"role": "member"}, **REP)
        assert (got.status_code, [(r["userId"], r["role"]) for r in got.json()]) == (200, [(w.users["a"], "member")])
        # and from then on holds only what a member holds: membership rows are no longer theirs to change
        got = await w.act("a", "PATCH", mine, {"role": "owner"}, **REP)
        assert (got.status_code, got.json()) == (200, [])
        rows = (await w.snapshot("member"))["member"]
        assert [r["role"] for r in rows if r["userId"] == w.users["a"]] == ["member"]
    finally:
        await w.close()


async def test_small_an_owner_may_demote_themself(db_url):
    w = await world_small(db_url)
    try:
        mine = f"team_members?user_id=eq.{w.users['a']}"
        got = await w.act("a", "PATCH", mine, {"role": "viewer"}, **REP)
        assert (got.status_code, [r["role"] for r in got.json()]) == (200, ["viewer"])
    finally:
        await w.close()


async def test_small_a_bulk_insert_may_name_a_card_made_earlier_in_the_same_request(db_url):
    w = await world_small(db_url)
    try:
        board = w.rows["board B"]
        first, second, third = new_id(), new_id(), new_id()
        batch = [
            {"id": first, "board_id": board, "parent_id": None, "title": "epic"},
            {"id": second, "board_id": board, "parent_id": first, "title": "story"},
            {"id": third, "board_id": board, "parent_id": second, "title": "task"},
        ]
        got = await w.act("b", "POST", "cards", batch, **REP)
        assert (got.status_code, [(r["id"], r["parent_id"]) for r in got.json()]) == (
            201,
            [(first, None), (second, first), (third, second)],
        )
        # the batch may not smuggle in another team's card as an earlier row's parent
        crossing = [
            {"id": new_id(), "board_id": board, "parent_id": first, "title": "fine"},
            {"id": new_id(), "board_id": board, "parent_id": w.rows["card A"], "title": "not B's"},
        ]
        got = await w.act("b", "POST", "cards", crossing, **REP)
        assert got.status_code == 403, got.text
        assert got.json()["code"] == "42501"
        rows = (await w.snapshot("cards"))["cards"]
        assert sorted(r["title"] for r in rows if r["board_id"] == board) == ["B card", "epic", "story", "task"]
    finally:
        await w.close()


async def test_003_an_upsert_naming_the_creator_column_is_refused_naming_it(db_url):
    """PostgreSQL refuses the merge's UPDATE of a creator column (not granted); both databases now say which."""
    w = await world_003(db_url)
    try:
        tag_b = w.rows["tag B"]
        before = await w.snapshot("tags")
        body = {"id": tag_b, "organizationId": w.tenants["B"], "name": "renamed", "createdByUserId": w.users["b"]}
        merge = {"Prefer": "resolution=merge-duplicates,return=representation"}
        got = await w.act("b", "POST", "tags?on_conflict=id", body, **merge)
        assert (got.status_code, got.json()) == (
            403,
            {
                "code": "42501",
                "message": "permission denied for table tags",
                "details": 'column "createdByUserId" names who created the row and never changes',
                "hint": None,
            },
        )
        assert await w.snapshot("tags") == before
    finally:
        await w.close()


async def test_003_an_upsert_without_the_creator_column_updates_and_keeps_the_creator(db_url):
    """The creator value docbase fills in is for the insert only: the merge never rewrites it, on either database."""
    w = await world_003(db_url)
    try:
        tag_b = w.rows["tag B"]
        before = {r["id"]: r for r in (await w.snapshot("tags"))["tags"]}[tag_b]
        body = {"id": tag_b, "organizationId": w.tenants["B"], "name": "renamed by upsert"}
        merge = {"Prefer": "resolution=merge-duplicates,return=representation"}
        got = await w.act("b", "POST", "tags?on_conflict=id&select=id,name", body, **merge)
        assert (got.status_code, got.json()) == (200, [{"id": tag_b, "name": "renamed by upsert"}]), got.text
        after = {r["id"]: r for r in (await w.snapshot("tags"))["tags"]}[tag_b]
        assert after["createdByUserId"] == before["createdByUserId"]
        assert after["name"] == "renamed by upsert"
    finally:
        await w.close()
