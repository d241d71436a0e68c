"""PostgREST's MultipleSchemaSpec.hs: tables of several schemas, chosen by Accept-Profile / Content-Profile.

The fixture is the spec's ``v1`` and ``v2`` schemas (``parents``, ``children``,
``v2.another_table``) with ``db_schemas = "v1, v2"`` in docbase.toml, as the
spec configures ``db-schemas``: ``v1`` is the default, ``personal.users``-style
names stay apart (``v1.parents`` beside ``v2.parents``), an unknown profile is
PGRST106 listing the exposed schemas. On SQLite a schema is a name prefix
(table ``"v2.parents"`` in the one database file).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.pipeline import build_schema

from ...conftest import _server_url, _swap_database
from ..conftest import SECRET, create_tables
from .cases import Case, check, ids

DOC = """# Two versions of one API

```sql
create schema v1;
create schema v2;
create table v1.parents (id int primary key, name text);
create table v1.children (
  id int primary key, name text, parent_id int,
  constraint parent foreign key(parent_id) references v1.parents(id)
);
create table v2.parents (id int primary key, name text);
create table v2.children (
  id int primary key, name text, parent_id int,
  constraint parent foreign key(parent_id) references v2.parents(id)
);
create table v2.another_table (id int primary key, another_value text);
```
"""

ROWS = [
    ("v1", "parents", [{"id": 1, "name": "parent v1-1"}, {"id": 2, "name": "parent v1-2"}]),
    (
        "v1",
        "children",
        [{"id": 1, "name": "child v1-1", "parent_id": 1}, {"id": 2, "name": "child v1-2", "parent_id": 2}],
    ),
    ("v2", "parents", [{"id": 3, "name": "parent v2-3"}, {"id": 4, "name": "parent v2-4"}]),
    ("v2", "children", [{"id": 1, "name": "child v2-3", "parent_id": 3}]),
    ("v2", "another_table", [{"id": 5, "another_value": "value 5"}, {"id": 6, "another_value": "value 6"}]),
]
SERVICE = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}
INVALID = {
    "message": "Invalid schema: unknown",
    "code": "PGRST106",
    "details": None,
    "hint": "Only the following schemas are exposed: v1, v2",
}
ROLLBACK = "return=representation, tx=rollback"


def _schema(path):
    schema = build_schema(DOC, str(path))
    assert not schema.errors, schema.diagnostics
    return schema


async def _load(schema, url: str) -> None:
    app = create_app(schema, url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://spec") as client:
        for profile, table, rows in ROWS:
            headers = {**SERVICE, "Content-Profile": profile}
            response = await client.post(f"/rest/v1/{table}", json=rows, headers=headers)
            assert response.status_code == 201, response.text
    await app.state.db.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def schemas_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    folder = tmp_path_factory.mktemp("schemas")
    (folder / "docbase.toml").write_text('db_schemas = "v1, v2"\n')
    schema = _schema(folder / "api.md")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'api.db'}"
        create_tables(schema, url)
        asyncio.run(_load(schema, url))
        yield schema, url
        return
    import psycopg

    server = _server_url()
    name = f"docbase_schemas_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _swap_database(server, name)
        create_tables(schema, url)
        asyncio.run(_load(schema, url))
        yield schema, url
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def api(schemas_url):
    schema, url = schemas_url
    app = create_app(schema, url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://spec/rest/v1") as client:
        client.headers.update(SERVICE)
        client.dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        yield client
    await app.state.db.close()


V1 = {"Content-Profile": "v1"}
V2 = {"Content-Profile": "v2"}
CASES = [
    Case("/parents", [{"id": 1, "name": "parent v1-1"}, {"id": 2, "name": "parent v1-2"}], headers=V1),
    Case(
        "/parents",
        [{"id": 1, "name": "parent v1-1"}, {"id": 2, "name": "parent v1-2"}],
        headers=V1,
        request_headers={"Accept-Profile": "v1"},
    ),
    Case(
        "/parents",
        [{"id": 3, "name": "parent v2-3"}, {"id": 4, "name": "parent v2-4"}],
        headers=V2,
        request_headers={"Accept-Profile": "v2"},
    ),
    Case(
        "/another_table",
        [{"id": 5, "another_value": "value 5"}, {"id": 6, "another_value": "value 6"}],
        headers=V2,
        request_headers={"Accept-Profile": "v2"},
    ),
    Case(
        "/another_table",
        {
            "code": "PGRST205",
            "details": None,
            "hint": None,
            "message": "Could not find the table 'v1.another_table' in the schema cache",
        },
        status=404,
        request_headers={"Accept-Profile": "v1"},
    ),
    Case("/parents", INVALID, status=406, request_headers={"Accept-Profile": "unknown"}),
    Case(
        "/children",
        [{"id": 0, "name": "child v1-1", "parent_id": 1}],
        method="POST",
        status=201,
        json={"id": 0, "name": "child v1-1", "parent_id": 1},
        headers=V1,
        request_headers={"Prefer": ROLLBACK},
    ),
    Case(
        "/children?select=id,parent(*)",
        [{"id": 0, "parent": {"id": 2, "name": "parent v1-2"}}],
        method="POST",
        status=201,
        json={"id": 0, "name": "child v1-2", "parent_id": 2},
        headers=V1,
        request_headers={"Prefer": ROLLBACK, **V1},
    ),
    Case(
        "/children?select=id,parent(*)",
        [{"id": 0, "parent": {"id": 3, "name": "parent v2-3"}}],
        method="POST",
        status=201,
        json={"id": 0, "name": "child v2-3", "parent_id": 3},
        headers=V2,
        request_headers={"Prefer": ROLLBACK, **V2},
    ),
    Case(
        "/children",
        INVALID,
        method="POST",
        status=406,
        json={"name": "child 4", "parent_id": 4},
        request_headers={"Content-Profile": "unknown"},
    ),
    Case(
        "/children?select=name,parent(name)&id=eq.1",
        [{"name": "child v1-1 updated", "parent": {"name": "parent v1-1"}}],
        method="PATCH",
        json={"name": "child v1-1 updated"},
        headers=V1,
        request_headers={"Prefer": ROLLBACK, **V1},
    ),
    Case(
        "/children?select=name,parent(name)&id=eq.1",
        [{"name": "child v2-1 updated", "parent": {"name": "parent v2-3"}}],
        method="PATCH",
        json={"name": "child v2-1 updated"},
        headers=V2,
        request_headers={"Prefer": ROLLBACK, **V2},
    ),
    Case(
        "/children?id=eq.1",
        [{"id": 1, "name": "child v2-3", "parent_id": 3}],
        method="DELETE",
        headers=V2,
        request_headers={"Prefer": ROLLBACK, **V2},
    ),
    Case(
        "/children?id=eq.111",
        [{"id": 111, "name": "child v2-111", "parent_id": None}],
        method="PUT",
        status=201,
        json=[{"id": 111, "name": "child v2-111", "parent_id": None}],
        headers=V2,
        request_headers={"Prefer": ROLLBACK, **V2},
    ),
    # docbase: the children of each schema's parents, embedded within the schema the request names
    Case(
        "/parents?select=id,children(id,name)",
        [{"id": 3, "children": [{"id": 1, "name": "child v2-3"}]}, {"id": 4, "children": []}],
        headers=V2,
        request_headers={"Accept-Profile": "v2"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_multiple_schemas(api, case: Case) -> None:
    await check(api, case)
