"""Soft-deleted rows are left out by the access layer's row filter, and the caller's query reaches SQL as written.

The hiding rule used to be appended to the caller's parsed filters (PUT then
saw two filters and refused every caller). It is now the access layer's
(docbase.access.live_rows), so it holds wherever a row filter is asked for,
the junction of a many-to-many embed and a related order included, on both
databases; the caller's own filters on the mark are neither merged with it
nor dropped.
"""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from docbase.access.decide import ServiceRoleOnly
from docbase.access.live_rows import DeleteMark, LiveRows
from docbase.access.principal import Principal
from docbase.auth import keys
from docbase.pipeline import build_schema

from ..tenants import serve

SECRET = "test-secret-for-docbase-live-rows-0123456"
SERVICE = {"apikey": keys.service_key(SECRET)}
REP = {"Prefer": "return=representation"}

DOC = """# Blog

```sql
CREATE TABLE authors (id integer PRIMARY KEY, name text NOT NULL, deleted_at timestamptz);
CREATE TABLE posts (
  id integer PRIMARY KEY,
  title text NOT NULL,
  author_id integer REFERENCES authors(id),
  deleted_at timestamptz
);
CREATE TABLE tags (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE post_tags (
  post_id integer NOT NULL REFERENCES posts(id),
  tag_id integer NOT NULL REFERENCES tags(id),
  is_deleted boolean DEFAULT false,
  PRIMARY KEY (post_id, tag_id)
);
```
"""


@pytest.fixture
async def blog(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    client, app = serve(build_schema(DOC, "blog.md"), db_url, SECRET)
    for table, rows in [
        ("authors", [{"id": 1, "name": "Zoe"}, {"id": 2, "name": "Abe"}, {"id": 3, "name": "Mia"}]),
        (
            "posts",
            [
                {"id": 1, "title": "live", "author_id": 1},
                {"id": 2, "title": "by a gone author", "author_id": 2},
                {"id": 3, "title": "gone", "author_id": 3},
            ],
        ),
        ("tags", [{"id": 1, "name": "kept"}, {"id": 2, "name": "untagged"}]),
        ("post_tags", [{"post_id": 1, "tag_id": 1}, {"post_id": 1, "tag_id": 2}]),
    ]:
        r = await client.post(f"/rest/v1/{table}", json=rows, headers=SERVICE)
        assert r.status_code == 201, r.text
    for path in ("authors?id=eq.2", "posts?id=eq.3", "post_tags?post_id=eq.1&tag_id=eq.2"):
        r = await client.delete(f"/rest/v1/{path}", headers=SERVICE)
        assert r.status_code == 204, r.text
    yield client
    await client.aclose()
    await app.state.db.close()


async def _get(c: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> list:
    r = await c.get(f"/rest/v1/{path}", headers={**SERVICE, **(headers or {})})
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_soft_deleted_junction_row_no_longer_links_its_rows(blog):
    """Untagging a post by soft-deleting the junction row untags it in many-to-many embeds too."""
    got = await _get(blog, "posts?select=id,tags(name)&id=eq.1")
    assert got == [{"id": 1, "tags": [{"name": "kept"}]}]
    inner = await _get(blog, "posts?select=id,tags!inner(name)&tags.name=eq.untagged")
    assert inner == []
    asked = await _get(blog, "posts?select=id,tags(name)&id=eq.1&order=id&include_deleted=true")
    assert sorted(t["name"] for t in asked[0]["tags"]) == ["kept", "untagged"]


async def test_a_related_order_does_not_read_a_soft_deleted_row(blog):
    """``order=authors(name)`` sorts by what the embed shows: nothing for a post whose author is gone."""
    got = await _get(blog, "posts?select=id,authors(name)&order=authors(name).desc.nullsfirst")
    assert got == [{"id": 2, "authors": None}, {"id": 1, "authors": {"name": "Zoe"}}]


async def test_the_callers_filters_on_the_mark_are_kept_and_not_merged(blog):
    assert await _get(blog, "posts?select=id&deleted_at=not.is.null") == []
    assert await _get(blog, "posts?select=id&deleted_at=not.is.null&include_deleted=true") == [{"id": 3}]
    assert await _get(blog, "posts?select=id&or=(deleted_at.not.is.null,id.eq.1)") == [{"id": 1}]
    asked = await _get(blog, "posts?select=id&or=(deleted_at.not.is.null,id.eq.1)&order=id&include_deleted=true")
    assert asked == [{"id": 1}, {"id": 3}]
    assert await _get(blog, "posts?select=id&deleted_at=is.null&order=id") == [{"id": 1}, {"id": 2}]


async def test_put_names_its_row_by_one_key_filter_on_a_soft_delete_table(blog):
    r = await blog.put(
        "/rest/v1/posts?id=eq.4", json={"id": 4, "title": "new", "author_id": 1, "deleted_at": None}, headers=SERVICE
    )
    assert r.status_code == 201, r.text
    r = await blog.put(
        "/rest/v1/posts?id=eq.4",
        json={"id": 4, "title": "renamed", "author_id": 1, "deleted_at": None},
        headers={**SERVICE, **REP},
    )
    assert r.status_code == 200, r.text
    assert r.json() == [{"id": 4, "title": "renamed", "author_id": 1, "deleted_at": None}]
    # the soft-deleted row is named by its key too: PUT replaces it (here restoring it), as an upsert would
    r = await blog.put(
        "/rest/v1/posts?id=eq.3&select=id,title,authors(name)",
        json={"id": 3, "title": "back", "author_id": 3, "deleted_at": None},
        headers={**SERVICE, **REP},
    )
    assert r.status_code == 200, r.text
    assert r.json() == [{"id": 3, "title": "back", "authors": {"name": "Mia"}}]
    assert [p["id"] for p in await _get(blog, "posts?select=id&order=id")] == [1, 2, 3, 4]


async def test_service_role_restores_a_row_it_asked_to_see(blog):
    hidden = await blog.patch("/rest/v1/posts?id=eq.3", json={"deleted_at": None}, headers={**SERVICE, **REP})
    assert hidden.status_code == 200 and hidden.json() == []  # not asked for: a marked row is not there
    r = await blog.patch(
        "/rest/v1/posts?id=eq.3&include_deleted=true&select=id,authors(name)",
        json={"deleted_at": None},
        headers={**SERVICE, **REP},
    )
    assert r.status_code == 200, r.text
    assert r.json() == [{"id": 3, "authors": {"name": "Mia"}}]


def test_the_live_condition_joins_every_row_filter_but_an_inserts():
    posts = sa.Table("posts", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("deleted_at", sa.DateTime))
    gate = LiveRows(ServiceRoleOnly({}), {"posts": DeleteMark("deleted_at", flag=False)})
    alias = posts.alias("t0")
    for command in ("select", "update", "delete"):
        cond = gate.row_filter("posts", alias, command, "service_role")
        assert cond is not None and str(cond) == "t0.deleted_at IS NULL"
        assert gate.row_filter("posts", alias, command, "service_role", include_deleted=True) is None
    assert gate.row_filter("posts", alias, "insert", "service_role") is None
    assert gate.row_filter("tags", alias, "select", "service_role") is None
    assert gate.allows("posts", "select", Principal("service_role"))
    assert not gate.allows("posts", "select", Principal("anon"))
