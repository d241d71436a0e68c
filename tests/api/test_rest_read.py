"""GET /rest/v1/<table>: select, filters, logic, order, paging, counts, embedding; same answers on both databases."""

from __future__ import annotations

import json

import pytest


async def get(client, path: str, status: int = 200, **kw):
    response = await client.get(path, **kw)
    assert response.status_code == status, response.text
    return response.json()


async def test_select_star_returns_typed_json(blog):
    rows = await get(blog, "/rest/v1/users?order=id")
    assert [r["id"] for r in rows] == [1, 2, 3]
    ann = rows[0]
    assert ann["active"] is True and rows[1]["active"] is False and rows[2]["active"] is None
    assert ann["profile"] == {"city": "Oslo", "n": 1}
    assert ann["tags"] == ["a", "b"]
    assert ann["born"] == "1990-01-02"
    assert ann["seen_at"].startswith("2024-05-01T10:00:00")


async def test_columns_aliases_casts_and_json_paths(blog):
    rows = await get(
        blog, "/rest/v1/users?select=id,who:name,city:profile->>city,p:profile->n,id_text:id::text&order=id&limit=2"
    )
    assert rows == [
        {"id": 1, "who": "Ann", "city": "Oslo", "p": 1, "id_text": "1"},
        {"id": 2, "who": "Bob", "city": "Rome", "p": 2, "id_text": "2"},
    ]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("id=eq.2", [2]),
        ("id=neq.2", [1, 3]),
        ("id=gt.1", [2, 3]),
        ("id=gte.2", [2, 3]),
        ("id=lt.2", [1]),
        ("id=lte.2", [1, 2]),
        ("name=like.*n*", [1]),
        ("name=ilike.C*", [3]),
        ("name=like.A*", [1]),
        ("id=in.(1,3)", [1, 3]),
        ("id=not.in.(1,3)", [2]),
        ("email=is.null", [3]),
        ("email=not.is.null", [1, 2]),
        ("active=is.true", [1]),
        ("active=is.false", [2]),
        ("tags=cs.{b}", [1, 2]),
        ("tags=cd.{a,b}", [1, 2, 3]),
        ("tags=ov.{a,z}", [1]),
        ("profile->>city=eq.Rome", [2]),
        ("born=gt.1986-01-01", [1]),
        ("seen_at=lt.2024-01-01T00:00:00Z", [3]),
        ("or=(id.eq.1,name.eq.cid)", [1, 3]),
        ("or=(id.eq.3,and(active.is.true,role.eq.admin))", [1, 3]),
        ("not.or=(id.eq.1,id.eq.2)", [3]),
        ("and=(id.gt.1,or(email.is.null,name.eq.Bob))", [2, 3]),
        ("id=gt.1&role=eq.member", [2, 3]),
        ("name=not.eq.Ann", [2, 3]),
    ],
)
async def test_filters(blog, query, ids):
    rows = await get(blog, f"/rest/v1/users?select=id&order=id&{query}")
    assert [r["id"] for r in rows] == ids


async def test_order_with_nulls_and_several_columns(blog):
    rows = await get(blog, "/rest/v1/posts?select=id&order=score.desc")
    assert [r["id"] for r in rows] == [3, 2, 1]  # NULL first when descending, as PostgreSQL does
    rows = await get(blog, "/rest/v1/posts?select=id&order=score.desc.nullslast")
    assert [r["id"] for r in rows] == [2, 1, 3]
    rows = await get(blog, "/rest/v1/posts?select=id&order=author_id.desc,id.desc")
    assert [r["id"] for r in rows] == [3, 2, 1]


async def test_limit_offset_range_and_count(blog):
    response = await blog.get("/rest/v1/users?select=id&order=id&limit=1&offset=1", headers={"Prefer": "count=exact"})
    assert response.status_code == 206
    assert response.json() == [{"id": 2}]
    assert response.headers["content-range"] == "1-1/3"
    response = await blog.get("/rest/v1/users?select=id&order=id", headers={"Range": "0-1", "Range-Unit": "items"})
    assert response.json() == [{"id": 1}, {"id": 2}]
    assert response.headers["content-range"] == "0-1/*"
    response = await blog.get("/rest/v1/users?id=eq.99")
    assert response.json() == [] and response.headers["content-range"] == "*/*"


async def test_head_counts_without_body(blog):
    response = await blog.head("/rest/v1/posts", headers={"Prefer": "count=exact"})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-range"] == "0-2/3"


async def test_embed_many_to_one_with_hint(blog):
    rows = await get(
        blog, "/rest/v1/posts?select=id,author:users!author_id(name),editor:users!editor_id(name)&order=id"
    )
    assert rows == [
        {"id": 1, "author": {"name": "Ann"}, "editor": {"name": "Bob"}},
        {"id": 2, "author": {"name": "Ann"}, "editor": None},
        {"id": 3, "author": {"name": "Bob"}, "editor": {"name": "Ann"}},
    ]


async def test_embed_one_to_many_with_filter_order_limit(blog):
    rows = await get(blog, "/rest/v1/posts?select=id,comments(body)&order=id&comments.order=body.desc")
    assert rows == [
        {"id": 1, "comments": [{"body": "nice"}, {"body": "meh"}]},
        {"id": 2, "comments": [{"body": "ok"}]},
        {"id": 3, "comments": []},
    ]
    rows = await get(
        blog, "/rest/v1/posts?select=id,comments(id)&order=id&comments.limit=1&comments.order=id.desc&limit=1"
    )
    assert rows == [{"id": 1, "comments": [{"id": 2}]}]
    rows = await get(blog, "/rest/v1/posts?select=id,comments(body)&comments.body=eq.meh&id=eq.1")
    assert rows == [{"id": 1, "comments": [{"body": "meh"}]}]


async def test_embed_inner_filters_parents(blog):
    rows = await get(blog, "/rest/v1/posts?select=id,comments!inner(body)&comments.body=eq.ok")
    assert rows == [{"id": 2, "comments": [{"body": "ok"}]}]


async def test_embed_many_to_many_and_nesting(blog):
    rows = await get(blog, "/rest/v1/teams?select=name,users(name)&order=id&users.order=name")
    assert rows == [
        {"name": "red", "users": [{"name": "Ann"}, {"name": "Bob"}]},
        {"name": "blue", "users": [{"name": "Bob"}]},
    ]
    rows = await get(blog, "/rest/v1/comments?select=id,posts(title,users!author_id(name,teams(name)))&id=eq.3")
    assert rows == [{"id": 3, "posts": {"title": "World", "users": {"name": "Ann", "teams": [{"name": "red"}]}}}]


async def test_ambiguous_and_missing_relationships(blog):
    body = await get(blog, "/rest/v1/posts?select=id,users(name)", status=300)
    assert body["code"] == "PGRST201"
    body = await get(blog, "/rest/v1/posts?select=id,teams(name)", status=400)
    assert body["code"] == "PGRST200"


async def test_single_object_and_csv(blog):
    response = await blog.get(
        "/rest/v1/users?select=id,name&id=eq.1", headers={"Accept": "application/vnd.pgrst.object+json"}
    )
    assert response.status_code == 200 and response.json() == {"id": 1, "name": "Ann"}
    response = await blog.get("/rest/v1/users?select=id,name", headers={"Accept": "application/vnd.pgrst.object+json"})
    assert response.status_code == 406 and response.json()["code"] == "PGRST116"
    response = await blog.get("/rest/v1/users?select=id,name,active&order=id", headers={"Accept": "text/csv"})
    assert response.text == "id,name,active\n1,Ann,t\n2,Bob,f\n3,cid,"  # PostgREST: rows joined, no final newline
    assert response.headers["content-type"].startswith("text/csv")
    # fields quoted as PostgreSQL prints a record: empty, spaces, commas, parentheses, quotes, backslashes
    response = await blog.get("/rest/v1/users?select=id,profile,tags&id=eq.1", headers={"Accept": "text/csv"})
    row = (await blog.get("/rest/v1/users?select=profile,tags&id=eq.1")).json()[0]
    expected = ",".join(
        "" if v is None else '"' + json.dumps(v).replace('"', '""') + '"' if isinstance(v, dict | list) else str(v)
        for v in (row["profile"], row["tags"])
    )
    assert response.text == f"id,profile,tags\n1,{expected}"
    empty = await blog.get("/rest/v1/users?select=id&id=eq.999", headers={"Accept": "text/csv"})
    assert empty.text == "\n"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/rest/v1/nope", 404, "PGRST205"),
        ("/rest/v1/users?select=nope", 400, "42703"),
        ("/rest/v1/users?nope=eq.1", 400, "42703"),
        ("/rest/v1/users?id=eq.abc", 400, "22P02"),
        ("/rest/v1/users?born=eq.yesterday", 400, "22P02"),
        ("/rest/v1/users?select=id,", 400, "PGRST100"),
        ("/rest/v1/users?id=zz.1", 400, "PGRST100"),
        ("/rest/v1/users?posts.id=eq.1", 400, "PGRST108"),
        ("/rest/v1/users?name=cs.{a}", 400, "42883"),
        ("/rest/v1/users?limit=99999999999999999999", 400, "PGRST100"),
        ("/rest/v1/users?offset=99999999999999999999", 400, "PGRST100"),
        ("/rest/v1/users?id=eq.99999999999999999999", 400, "22003"),
        ("/rest/v1/users?select=id&or=(" + ",".join(f"id.eq.{i}" for i in range(3000)) + ")", 400, "PGRST100"),
    ],
)
async def test_bad_reads_get_postgrest_errors(blog, path, status, code):
    body = await get(blog, path, status=status)
    assert body["code"] == code
    assert set(body) == {"code", "message", "details", "hint"}


async def test_many_or_terms_within_the_limit_work(blog):
    rows = await get(blog, "/rest/v1/users?select=id&order=id&or=(" + ",".join(f"id.eq.{i}" for i in range(400)) + ")")
    assert [r["id"] for r in rows] == [1, 2, 3]


async def test_shapes_are_compiled_once(blog):
    app_cache = blog._transport.app.state.rest.cache
    await get(blog, "/rest/v1/users?select=id&id=eq.1")
    size = len(app_cache)
    assert (await get(blog, "/rest/v1/users?select=id&id=eq.2")) == [{"id": 2}]
    assert len(app_cache) == size


async def test_self_reference_children_by_name_parent_by_column(tmp_path, service_headers):
    import httpx

    from docbase.api import create_app
    from docbase.pipeline import build_schema

    from .conftest import SECRET, create_tables

    doc = "```sql\nCREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer REFERENCES nodes(id));\n```\n"
    schema = build_schema(doc)
    url = f"sqlite:///{tmp_path / 'n.db'}"
    create_tables(schema, url)
    app = create_app(schema, url, secret=SECRET)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=service_headers
    ) as c:
        await c.post("/rest/v1/nodes", json=[{"id": 1, "parent_id": None}, {"id": 2, "parent_id": 1}])
        rows = (await c.get("/rest/v1/nodes?select=id,nodes(id),parent:parent_id(id)&order=id")).json()
    assert rows == [{"id": 1, "nodes": [{"id": 2}], "parent": None}, {"id": 2, "nodes": [], "parent": {"id": 1}}]


async def test_cached_shapes_bind_each_requests_values(blog):
    shape = (
        "/rest/v1/posts?select=id,author:users!author_id(name),comments!inner(id)"
        "&comments.id=in.({c})&author_id=eq.{a}&order=id&limit={n}"
    )
    first = await get(blog, shape.format(c="1,2", a=1, n=5))
    assert first == [{"id": 1, "author": {"name": "Ann"}, "comments": [{"id": 1}, {"id": 2}]}]
    second = await get(blog, shape.format(c="1,3", a=1, n=5))
    assert second == [
        {"id": 1, "author": {"name": "Ann"}, "comments": [{"id": 1}]},
        {"id": 2, "author": {"name": "Ann"}, "comments": [{"id": 3}]},
    ]
    third = await get(blog, shape.format(c="2,3", a=1, n=1))
    assert third == [{"id": 1, "author": {"name": "Ann"}, "comments": [{"id": 2}]}]
    body = await get(blog, shape.format(c="1,x", a=1, n=1), status=400)
    assert body["code"] == "22P02"


async def test_text_filters_outside_a_check_list_match_nothing(blog):
    assert await get(blog, "/rest/v1/users?role=eq.king") == []
    assert await get(blog, "/rest/v1/users?select=id&role=in.(king,admin)") == [{"id": 1}]


async def test_spread_to_one_resource(blog):
    rows = await get(blog, "/rest/v1/posts?select=id,...users!author_id(name,active,profile)&order=id&limit=2")
    assert rows == [
        {"id": 1, "name": "Ann", "active": True, "profile": {"city": "Oslo", "n": 1}},
        {"id": 2, "name": "Ann", "active": True, "profile": {"city": "Oslo", "n": 1}},
    ]
    rows = await get(blog, "/rest/v1/posts?select=id,...users!editor_id(editor:name)&order=id")
    assert rows == [{"id": 1, "editor": "Bob"}, {"id": 2, "editor": None}, {"id": 3, "editor": "Ann"}]
    # to-many spreads (PostgREST 13): each key is the array of the related rows' values
    rows = await get(blog, "/rest/v1/posts?select=id,...comments(body)&order=id&comments.order=id")
    assert rows == [{"id": 1, "body": ["nice", "meh"]}, {"id": 2, "body": ["ok"]}, {"id": 3, "body": []}]


async def test_huge_range_is_416(blog):
    response = await blog.get("/rest/v1/users", headers={"Range": "99999999999999999999-"})
    assert response.status_code == 416 and response.json()["code"] == "PGRST103"
