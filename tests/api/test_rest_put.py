"""PUT /rest/v1/<table>?pk=eq.x: PostgREST's single-row upsert, and the errors it gives for anything looser."""

from __future__ import annotations

import pytest

from .test_rest_read import get

TEAM = {"id": 7, "name": "green"}
REPRESENT = {"Prefer": "return=representation"}


async def test_put_inserts_then_replaces_one_row(blog):
    r = await blog.put("/rest/v1/teams?id=eq.7", json=TEAM, headers=REPRESENT)
    assert r.status_code == 201, r.text  # PostgREST 12: 201 when PUT created the row, 200 when it replaced one
    assert r.json() == [TEAM]
    r = await blog.put("/rest/v1/teams?id=eq.7", json={"id": 7, "name": "teal"})
    assert r.status_code == 204 and r.content == b""
    assert await get(blog, "/rest/v1/teams?id=eq.7") == [{"id": 7, "name": "teal"}]
    assert len(await get(blog, "/rest/v1/teams")) == 3


async def test_put_on_a_composite_key_and_with_select(blog):
    r = await blog.put(
        "/rest/v1/team_members?team_id=eq.2&user_id=eq.1&select=team_id",
        json={"team_id": 2, "user_id": 1},
        headers=REPRESENT,
    )
    assert r.status_code == 201, r.text
    assert r.json() == [{"team_id": 2}]
    post = {"id": 9, "title": "T", "score": None, "author_id": 2, "editor_id": None}
    r = await blog.put("/rest/v1/posts?id=eq.9&select=id,users!author_id(name)", json=post, headers=REPRESENT)
    assert r.status_code == 201, r.text
    assert r.json() == [{"id": 9, "users": {"name": "Bob"}}]


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        ("/rest/v1/teams", TEAM, 405, "PGRST105"),  # no filter
        ("/rest/v1/teams?name=eq.green", TEAM, 405, "PGRST105"),  # not the key
        ("/rest/v1/teams?id=gt.7", TEAM, 405, "PGRST105"),  # not eq
        ("/rest/v1/teams?id=eq.7&name=eq.green", TEAM, 405, "PGRST105"),  # more than the key
        ("/rest/v1/team_members?team_id=eq.1", {"team_id": 1, "user_id": 3}, 405, "PGRST105"),  # part of it
        ("/rest/v1/teams?id=eq.8", TEAM, 400, "PGRST115"),  # body's key differs
        ("/rest/v1/teams?id=eq.7", {"id": 7}, 400, "PGRST102"),  # a column missing
        ("/rest/v1/teams?id=eq.7", [TEAM, TEAM], 400, "PGRST102"),  # more than one row
        ("/rest/v1/teams?id=eq.7", {**TEAM, "nope": 1}, 400, "PGRST102"),
        ("/rest/v1/teams?id=eq.x", {"id": "x", "name": "n"}, 400, "22P02"),
    ],
)
async def test_loose_puts_are_refused_and_write_nothing(blog, url, body, status, code):
    r = await blog.put(url, json=body)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert len(await get(blog, "/rest/v1/teams")) == 2


async def test_put_needs_a_key(blog):
    r = await blog.put("/rest/v1/teams?id=eq.1", json={"id": 1, "name": "red"}, headers={"apikey": "x"})
    assert r.status_code == 401
