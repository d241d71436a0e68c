"""The document's own functions at ``/rest/v1/rpc/<fn>``, as PostgREST serves them (RpcSpec's cases).

PostgreSQL runs them as written; SQLite runs the SQL-language ones sqlglot translates
(docbase.api.sqlite_routines) and answers PGRST127 naming any other, never a 404.
"""

from __future__ import annotations

import contextlib

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Items

```sql
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE tags (id integer PRIMARY KEY, item_id integer REFERENCES items(id), label text);

CREATE FUNCTION getitemrange(min integer, max integer) RETURNS SETOF items AS $$
  SELECT * FROM items WHERE id > min AND id <= max
$$ LANGUAGE sql STABLE;
CREATE FUNCTION add_them(a integer, b integer) RETURNS integer AS $$ SELECT a + b $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION with_default(a integer, b integer DEFAULT 10) RETURNS integer AS $$ SELECT a + b $$ LANGUAGE sql;
CREATE FUNCTION ret_void() RETURNS void AS $$ SELECT $$ LANGUAGE sql;
CREATE FUNCTION add_item(name text) RETURNS items AS $$
  INSERT INTO items (id, name) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM items), name) RETURNING *
$$ LANGUAGE sql VOLATILE;
CREATE FUNCTION item_names() RETURNS SETOF text AS $$ SELECT name FROM items ORDER BY id $$ LANGUAGE sql STABLE;
CREATE FUNCTION item_pairs() RETURNS TABLE(id integer, label text) AS $$
  SELECT id, upper(name) FROM items ORDER BY id
$$ LANGUAGE sql STABLE;
CREATE FUNCTION echo(payload json) RETURNS json AS $$ SELECT payload $$ LANGUAGE sql IMMUTABLE;
CREATE FUNCTION sum_array(xs integer[]) RETURNS integer AS $$ SELECT sum(x)::integer FROM unnest(xs) x $$ LANGUAGE sql;
```
"""

ITEMS = [{"id": i, "name": n} for i, n in enumerate(["a", "b", "c", "d", "e"], start=1)]
TAGS = [{"id": 1, "item_id": 3, "label": "red"}, {"id": 2, "item_id": 4, "label": "blue"}]


@contextlib.asynccontextmanager
async def _client(url: str, headers: dict[str, str]):
    schema = build_schema(DOC, "items.md")
    assert not schema.errors, schema.diagnostics
    create_tables(schema, url)
    app = create_app(schema, url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(headers)
        for table, rows in (("items", ITEMS), ("tags", TAGS)):
            assert (await client.post(f"/rest/v1/{table}", json=rows)).status_code == 201
        yield client
    await app.state.db.close()


@pytest.fixture
async def pg_api(db_url, service_headers):
    """The document's SQL functions, on PostgreSQL and on SQLite (as service_role)."""
    async with _client(db_url, service_headers) as client:
        client.db = "sqlite" if db_url.startswith("sqlite") else "postgresql"
        yield client


async def test_set_of_table_rows_reads_like_the_table(pg_api):
    response = await pg_api.post("/rest/v1/rpc/getitemrange", json={"min": 2, "max": 4})
    assert response.status_code == 200 and response.json() == [{"id": 3, "name": "c"}, {"id": 4, "name": "d"}]
    response = await pg_api.get("/rest/v1/rpc/getitemrange?min=2&max=4&limit=1&offset=1")
    assert response.json() == [{"id": 4, "name": "d"}]
    assert response.headers["content-range"] == "1-1/*"
    response = await pg_api.get(
        "/rest/v1/rpc/getitemrange?min=0&max=5&select=id,tags(label)&id=gte.3&order=id.desc",
        headers={"Prefer": "count=exact", "Range": "0-1"},
    )
    assert response.status_code == 206
    assert response.headers["content-range"] == "0-1/3"
    assert response.json() == [{"id": 5, "tags": []}, {"id": 4, "tags": [{"label": "blue"}]}]


async def test_scalars_defaults_arrays_and_json(pg_api):
    assert (await pg_api.get("/rest/v1/rpc/add_them?a=3&b=4")).json() == 7
    counted = await pg_api.get("/rest/v1/rpc/add_them?a=3&b=4", headers={"Prefer": "count=exact"})
    assert counted.headers["content-range"] == "0-0/1"  # PostgREST counts a scalar as one row
    names = await pg_api.get("/rest/v1/rpc/item_names", headers={"Prefer": "count=exact"})
    assert names.headers["content-range"] == "0-4/5"
    assert (await pg_api.get("/rest/v1/rpc/item_names")).headers["content-range"] == "0-4/*"
    assert (await pg_api.post("/rest/v1/rpc/add_them", json={"a": 3, "b": 4})).json() == 7
    assert (await pg_api.post("/rest/v1/rpc/with_default", json={"a": 1})).json() == 11
    summed = await pg_api.post("/rest/v1/rpc/sum_array", json={"xs": [1, 2, 3]})
    if pg_api.db == "postgresql":
        assert summed.json() == 6
    else:  # SQLite has no unnest: the function is named as PostgreSQL-only, not run
        assert summed.status_code == 400 and summed.json()["code"] == "PGRST127"
        assert "public.sum_array" in summed.json()["details"]
    assert (await pg_api.post("/rest/v1/rpc/echo", json={"payload": {"k": [1, "x"]}})).json() == {"k": [1, "x"]}
    response = await pg_api.post("/rest/v1/rpc/echo", json={"k": 1}, headers={"Prefer": "params=single-object"})
    assert response.json() == {"k": 1}


async def test_sets_rows_and_void(pg_api):
    assert (await pg_api.get("/rest/v1/rpc/item_names")).json() == ["a", "b", "c", "d", "e"]
    pairs = (await pg_api.get("/rest/v1/rpc/item_pairs")).json()
    assert pairs[:2] == [{"id": 1, "label": "A"}, {"id": 2, "label": "B"}]
    response = await pg_api.post("/rest/v1/rpc/ret_void")
    assert response.status_code == 204 and response.content == b""


async def test_table_results_read_like_a_table(pg_api):
    """RETURNS TABLE(...): select, aliases, casts, aggregates, filters, order, limits and counts apply to the
    function's output columns (PostgREST's RpcSpec; postgrest-js's rpc tests)."""
    url = "/rest/v1/rpc/item_pairs"
    assert (await pg_api.get(url + "?select=label&id=eq.2")).json() == [{"label": "B"}]
    assert (await pg_api.get(url + "?select=name:label,id::text&id=lt.3&order=id.desc")).json() == [
        {"name": "B", "id": "2"},
        {"name": "A", "id": "1"},
    ]
    assert (await pg_api.get(url + "?select=count()&label=neq.A")).json() == [{"count": 4}]
    response = await pg_api.get(url + "?label=in.(C,D,E)&order=id&limit=1", headers={"Prefer": "count=exact"})
    assert response.json() == [{"id": 3, "label": "C"}]
    assert response.headers["content-range"] == "0-0/3"
    response = await pg_api.post(url + "?select=id&id=gt.4", json={})
    assert response.status_code == 200 and response.json() == [{"id": 5}]
    missing = await pg_api.get(url + "?select=nope")
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "42703",
        "details": None,
        "hint": None,
        "message": "column item_pairs.nope does not exist",
    }


async def test_writing_functions_need_post(pg_api):
    response = await pg_api.post("/rest/v1/rpc/add_item", json={"name": "f"})
    assert response.status_code == 200 and response.json() == {"id": 6, "name": "f"}
    response = await pg_api.get("/rest/v1/rpc/add_item?name=g")
    assert response.status_code == 405 and response.json()["code"] == "25006"
    response = await pg_api.post("/rest/v1/rpc/add_item", json={"name": "h"}, headers={"Prefer": "tx=rollback"})
    assert response.status_code == 200
    names = [r["name"] for r in (await pg_api.get("/rest/v1/items?select=name&order=id")).json()]
    assert names == ["a", "b", "c", "d", "e", "f"]
    strict = {"Prefer": "handling=strict, max-affected=2"}
    too_many = await pg_api.get("/rest/v1/rpc/getitemrange?min=0&max=5", headers=strict)
    assert too_many.status_code == 400 and too_many.json()["code"] == "PGRST124", too_many.text
    assert len((await pg_api.get("/rest/v1/rpc/getitemrange?min=0&max=2", headers=strict)).json()) == 2


async def test_unknown_function_or_arguments(pg_api):
    response = await pg_api.post("/rest/v1/rpc/add_them", json={"a": 1, "c": 2})
    assert response.status_code == 404
    assert response.json() == {
        "code": "PGRST202",
        "details": "Searched for the function public.add_them with parameters a, c or with a single unnamed "
        "json/jsonb parameter, but no matches were found in the schema cache.",
        "hint": None,
        "message": "Could not find the function public.add_them(a, c) in the schema cache",
    }
    response = await pg_api.post("/rest/v1/rpc/add_them", json={"a": "x", "b": 1})
    assert response.status_code == 400 and response.json()["code"] == "22P02"


def test_inspect_lists_the_functions_and_where_they_run(tmp_path):
    from typer.testing import CliRunner

    from docbase.cli import app

    doc = tmp_path / "items.md"
    doc.write_text(DOC)
    result = CliRunner().invoke(app, ["inspect", str(doc)])
    assert result.exit_code == 0
    assert "others answer PGRST127" in result.stdout
    assert f"{doc}:7: getitemrange (PostgreSQL and SQLite)" in result.stdout
    assert f"{doc}:21: sum_array (PostgreSQL only)" in result.stdout
