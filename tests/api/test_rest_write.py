"""POST (bulk, upsert, Prefer), PATCH and DELETE: PostgREST's statuses and bodies, no partial writes."""

from __future__ import annotations

import pytest

REPR = {"Prefer": "return=representation"}


async def ids(client, path: str) -> list[int]:
    return [r["id"] for r in (await client.get(path)).json()]


async def test_insert_minimal_and_representation(blog):
    response = await blog.post("/rest/v1/teams", json={"id": 3, "name": "green"})
    assert response.status_code == 201 and response.content == b""
    response = await blog.post(
        "/rest/v1/teams?select=id,label:name", json=[{"id": 4, "name": "x"}, {"id": 5, "name": "y"}], headers=REPR
    )
    assert response.status_code == 201
    assert response.json() == [{"id": 4, "label": "x"}, {"id": 5, "label": "y"}]
    assert await ids(blog, "/rest/v1/teams?select=id&order=id") == [1, 2, 3, 4, 5]


async def test_representation_matches_get(blog):
    row = {"id": 9, "name": "Zed", "active": True, "profile": {"k": [1, 2]}, "tags": ["q"], "born": "2000-02-29"}
    created = (await blog.post("/rest/v1/users?select=id,name,active,profile,tags,born", json=row, headers=REPR)).json()
    read = (await blog.get("/rest/v1/users?select=id,name,active,profile,tags,born&id=eq.9")).json()
    assert created == read == [row]


async def test_single_object_representation(blog):
    headers = {**REPR, "Accept": "application/vnd.pgrst.object+json"}
    response = await blog.post("/rest/v1/teams", json={"id": 7, "name": "one"}, headers=headers)
    assert response.status_code == 201 and response.json() == {"id": 7, "name": "one"}


async def test_bulk_insert_is_all_or_nothing(blog):
    response = await blog.post("/rest/v1/teams", json=[{"id": 10, "name": "ok"}, {"id": 1, "name": "dup"}])
    assert response.status_code == 409 and response.json()["code"] == "23505"
    assert await ids(blog, "/rest/v1/teams?select=id&order=id") == [1, 2]


async def test_missing_default_and_mixed_keys(blog):
    response = await blog.post(
        "/rest/v1/posts?select=id,score",
        json=[{"id": 20, "title": "a", "author_id": 1, "score": 2}, {"id": 21, "title": "b", "author_id": 1}],
        headers={"Prefer": "return=representation,missing=default"},
    )
    assert response.status_code == 201
    assert response.json() == [{"id": 20, "score": 2}, {"id": 21, "score": None}]


async def test_columns_parameter_limits_keys(blog):
    response = await blog.post("/rest/v1/teams?columns=id,name", json={"id": 30, "name": "c", "junk": 1}, headers=REPR)
    assert response.status_code == 201 and response.json() == [{"id": 30, "name": "c"}]


async def test_upsert_merge_and_ignore(blog):
    merge = {"Prefer": "return=representation,resolution=merge-duplicates"}
    response = await blog.post(
        "/rest/v1/teams", json=[{"id": 1, "name": "crimson"}, {"id": 40, "name": "new"}], headers=merge
    )
    assert response.status_code == 201
    assert sorted(r["name"] for r in response.json()) == ["crimson", "new"]
    ignore = {"Prefer": "return=representation,resolution=ignore-duplicates"}
    response = await blog.post("/rest/v1/teams", json={"id": 2, "name": "navy"}, headers=ignore)
    assert response.status_code == 201 and response.json() == []
    names = (await blog.get("/rest/v1/teams?select=name&order=id")).json()
    assert names == [{"name": "crimson"}, {"name": "blue"}, {"name": "new"}]


async def test_upsert_on_conflict_column(blog):
    headers = {"Prefer": "return=representation,resolution=merge-duplicates"}
    response = await blog.post(
        "/rest/v1/users?on_conflict=email&select=id,name",
        json={"id": 1, "name": "Annie", "email": "ann@x.io", "profile": {}, "tags": []},
        headers=headers,
    )
    # an update of ann@x.io's row, nothing created: 200, as PostgREST's UpsertSpec answers
    assert response.status_code == 200 and response.json() == [{"id": 1, "name": "Annie"}]


async def test_patch_with_filters(blog):
    response = await blog.patch("/rest/v1/posts?author_id=eq.1&select=id,title", json={"title": "Edited"}, headers=REPR)
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()) == [1, 2]
    response = await blog.patch("/rest/v1/posts?id=eq.3", json={"title": "Quiet"})
    assert response.status_code == 204
    titles = (await blog.get("/rest/v1/posts?select=title&order=id")).json()
    assert titles == [{"title": "Edited"}, {"title": "Edited"}, {"title": "Quiet"}]


async def test_delete_with_filters_and_count(blog):
    response = await blog.delete(
        "/rest/v1/comments?post_id=eq.1", headers={"Prefer": "return=representation,count=exact"}
    )
    assert response.status_code == 200
    assert sorted(r["id"] for r in response.json()) == [1, 2]
    assert response.headers["content-range"] == "*/2"  # PostgREST's DeleteSpec: no range for deleted rows
    response = await blog.delete("/rest/v1/comments?id=eq.3")
    assert response.status_code == 204
    assert (await blog.get("/rest/v1/comments")).json() == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/rest/v1/posts", {"id": 50, "title": "x", "author_id": 99}, 409, "23503"),
        ("POST", "/rest/v1/posts", {"id": 50, "author_id": 1}, 400, "23502"),
        ("POST", "/rest/v1/posts", {"id": 50, "title": "x", "author_id": "one"}, 400, "22P02"),
        ("POST", "/rest/v1/users", {"id": 50, "name": "x", "born": "someday"}, 400, "22P02"),
        ("POST", "/rest/v1/users", {"id": 50, "name": "x", "nope": 1}, 400, "PGRST204"),
        ("POST", "/rest/v1/users", {"id": 50, "name": "x", "role": "king"}, 400, "23514"),
        ("POST", "/rest/v1/users", {"id": 2**40, "name": "x"}, 400, "22003"),
        ("POST", "/rest/v1/users", [1, 2], 400, "PGRST102"),
        ("POST", "/rest/v1/users", "text", 400, "PGRST102"),
        ("PATCH", "/rest/v1/users?id=eq.1", {"nope": 1}, 400, "PGRST204"),
        ("PATCH", "/rest/v1/users?id=eq.1", [{"name": "x"}], 400, "PGRST102"),
        ("PATCH", "/rest/v1/users?id=eq.1", {"email": "bob@x.io"}, 409, "23505"),
        ("DELETE", "/rest/v1/users?id=eq.1", None, 409, "23503"),
    ],
)
async def test_bad_writes_get_postgrest_errors_and_change_nothing(blog, method, path, body, status, code):
    before = (await blog.get("/rest/v1/users?order=id")).json()
    response = await blog.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert (await blog.get("/rest/v1/users?order=id")).json() == before


async def test_invalid_utf8_and_bad_json_are_400(blog):
    response = await blog.post(
        "/rest/v1/teams", content=b'{"id": 60, "name": "\xff"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["code"] == "PGRST102"
    response = await blog.post("/rest/v1/teams", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == "PGRST102"


async def test_oversize_body_is_413(blog):
    rows = [{"id": 100 + i, "name": "x" * 50} for i in range(200)]
    response = await blog.post("/rest/v1/teams", json=rows)
    assert response.status_code == 413
    assert response.json()["code"] == "PGRST413"
    assert len((await blog.get("/rest/v1/teams")).json()) == 2


async def test_timestamps_read_back_as_postgresql_writes_them(blog):
    import re

    shape = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
    created = (await blog.post("/rest/v1/comments", json={"id": 70, "post_id": 1}, headers=REPR)).json()[0]
    assert shape.match(created["created_at"]), created
    read = (await blog.get("/rest/v1/comments?id=eq.70")).json()[0]
    assert read["created_at"] == created["created_at"]
    row = {"id": 71, "name": "Tz", "seen_at": "2024-05-01T10:00:00.5+02:00", "profile": {}, "tags": []}
    created = (await blog.post("/rest/v1/users?select=seen_at", json=row, headers=REPR)).json()
    assert created == [{"seen_at": "2024-05-01T08:00:00.5+00:00"}]
    assert (await blog.get("/rest/v1/users?select=seen_at&id=eq.71")).json() == created
    later = (await blog.get("/rest/v1/users?select=id&seen_at=gt.2024-05-01T08:00:00Z&order=id")).json()
    assert later == [{"id": 1}, {"id": 71}]


async def test_representation_with_embeds_reads_the_written_rows(blog):
    rows = [{"id": 61, "title": "b", "author_id": 2}, {"id": 60, "title": "a", "author_id": 1}]
    response = await blog.post(
        "/rest/v1/posts?select=id,author:users!author_id(name),t:title::text", json=rows, headers=REPR
    )
    assert response.status_code == 201
    assert response.json() == [
        {"id": 61, "author": {"name": "Bob"}, "t": "b"},
        {"id": 60, "author": {"name": "Ann"}, "t": "a"},
    ]
    response = await blog.patch("/rest/v1/posts?id=eq.60&select=id,comments(id)", json={"title": "c"}, headers=REPR)
    assert response.status_code == 200 and response.json() == [{"id": 60, "comments": []}]


async def test_an_upsert_with_missing_default_sets_left_out_listed_columns_to_their_default(blog):
    """``columns=`` lists what the upsert writes; with ``missing=default`` a row that leaves one out updates
    it to its default, as PostgREST's ``SET col = EXCLUDED.col`` does (supabase-js's bulk ``upsert`` with
    ``defaultToNull: false``). Before: the left-out column kept its old value."""
    assert (await blog.patch("/rest/v1/posts?id=eq.1", json={"score": 5})).status_code == 204
    response = await blog.post(
        "/rest/v1/posts?columns=id,title,score,author_id&select=id,title,score",
        json=[{"id": 1, "title": "T", "author_id": 1}, {"id": 50, "title": "new", "author_id": 1, "score": 3}],
        headers={"Prefer": "return=representation,missing=default,resolution=merge-duplicates"},
    )
    assert response.status_code == 201, response.text
    assert response.json() == [{"id": 1, "title": "T", "score": None}, {"id": 50, "title": "new", "score": 3}]
