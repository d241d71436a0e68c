"""PostgREST's spec fixture (``schema.md``, rows from its ``data.sql``) served by docbase on both databases.

Reading specs share one database per module and dialect (building and
migrating the schema per case would dominate the run); each case gets a
fresh app and client over it. Writing specs send ``Prefer: tx=rollback``
as PostgREST's own spec runs every request in a rolled-back transaction,
so the shared rows stay as ``data.sql`` left them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.pipeline import build_schema

from ...conftest import _server_url, _swap_database
from ..conftest import SECRET, create_tables

DOC = Path(__file__).with_name("schema.md")

# The rows of PostgREST's test/spec/fixtures/data.sql for the tables schema.md keeps, in its insertion order.
DATA: dict[str, list[dict]] = {
    "items": [{"id": i} for i in range(1, 16)],
    "simple_pk": [{"k": "xyyx", "extra": "u"}, {"k": "xYYx", "extra": "v"}],
    "no_pk": [{"a": None, "b": None}, {"a": "1", "b": "0"}, {"a": "2", "b": "0"}],
    "nullable_integer": [{"a": None}],
    "chores": [
        {"id": 1, "name": "take out the garbage", "done": True},
        {"id": 2, "name": "do the laundry", "done": False},
        {"id": 3, "name": "wash the dishes", "done": None},
    ],
    "complex_items": [
        {"id": 1, "name": "One", "settings": {"foo": {"int": 1, "bar": "baz"}}, "arr_data": [1]},
        {"id": 2, "name": "Two", "settings": {"foo": {"int": 1, "bar": "baz"}}, "arr_data": [1, 2]},
        {
            "id": 3,
            "name": "Three",
            "settings": {"foo": {"int": 1, "bar": "baz"}},
            "arr_data": [1, 2, 3],
            "field-with_sep": 3,
        },
    ],
    "clients": [{"id": 1, "name": "Microsoft"}, {"id": 2, "name": "Apple"}],
    "projects": [
        {"id": 1, "name": "Windows 7", "client_id": 1},
        {"id": 2, "name": "Windows 10", "client_id": 1},
        {"id": 3, "name": "IOS", "client_id": 2},
        {"id": 4, "name": "OSX", "client_id": 2},
        {"id": 5, "name": "Orphan", "client_id": None},
    ],
    "users": [
        {"id": 1, "name": "Angela Martin"},
        {"id": 2, "name": "Michael Scott"},
        {"id": 3, "name": "Dwight Schrute"},
    ],
    "users_projects": [{"user_id": u, "project_id": p} for u, p in ((1, 1), (1, 2), (2, 3), (2, 4), (3, 1), (3, 3))],
    "tasks": [
        {"id": 1, "name": "Design w7", "project_id": 1},
        {"id": 2, "name": "Code w7", "project_id": 1},
        {"id": 3, "name": "Design w10", "project_id": 2},
        {"id": 4, "name": "Code w10", "project_id": 2},
        {"id": 5, "name": "Design IOS", "project_id": 3},
        {"id": 6, "name": "Code IOS", "project_id": 3},
        {"id": 7, "name": "Design OSX", "project_id": 4},
        {"id": 8, "name": "Code OSX", "project_id": 4},
    ],
    "users_tasks": [
        {"user_id": u, "task_id": t}
        for u, t in ((1, 1), (1, 2), (1, 3), (1, 4), (2, 5), (2, 6), (2, 7), (3, 1), (3, 5))
    ],
    "comments": [{"id": 1, "commenter_id": 1, "user_id": 2, "task_id": 6, "content": "Needs to be delivered ASAP"}],
    "entities": [
        {"id": 1, "name": "entity 1", "arr": [1]},
        {"id": 2, "name": "entity 2", "arr": [1, 2]},
        {"id": 3, "name": "entity 3", "arr": [1, 2, 3]},
        {"id": 4, "name": None, "arr": None},
    ],
    "child_entities": [
        {"id": i, "name": f"child entity {i}", "parent_id": p}
        for i, p in ((1, 1), (2, 1), (3, 2), (4, 1), (5, 1), (6, 2))
    ],
    "country": [{"id": 1, "name": "Afghanistan"}, {"id": 2, "name": "Algeria"}],
    "capital": [{"id": 1, "name": "Kabul", "country_id": 1}, {"id": 2, "name": "Algiers", "country_id": 2}],
    # data.sql inserts to_tsvector(...) of five sentences; these are the vectors PostgreSQL makes of them
    "tsearch": [
        {"id": i + 1, "text_search_vector": v}
        for i, v in enumerate(
            [
                "'fun':5 'imposs':9 'kind':3",
                "'also':2 'fun':3 'possibl':8",
                "'ate':3 'cat':2 'fat':1 'rat':4",
                "'amus':5 'fair':7 'impossibl':9 'peu':4",
                "'art':4 'spass':5 'unmog':7",
            ]
        )
    ],
    "tsearch_to_tsvector": [
        {"id": i + 1, "text_search": t, "jsonb_search": {"text_search": t}}
        for i, t in enumerate(
            [
                "It's kind of fun to do the impossible",
                "But also fun to do what is possible",
                "Fat cats ate rats",
                "C'est un peu amusant de faire l'impossible",
                "Es ist eine Art Spaß, das Unmögliche zu machen",
            ]
        )
    ],
    "ranges": [
        {"id": 1, "range": "[1,3]"},
        {"id": 2, "range": "[3,6]"},
        {"id": 3, "range": "[6,9]"},
        {"id": 4, "range": "[9,12]"},
        {"id": 5, "range": None},
    ],
    "json_arr": [
        {"id": 1, "data": [1, 2, 3]},
        {"id": 2, "data": [4, 5, 6]},
        {"id": 3, "data": [[9, 8, 7], [11, 12, 13]]},
        {"id": 4, "data": [[[5, 6], 7, 8]]},
        {"id": 5, "data": [{"a": "A"}, {"b": "B"}]},
        {"id": 6, "data": [{"a": [1, 2, 3]}, {"b": [4, 5]}]},
        {"id": 7, "data": {"c": [1, 2, 3], "d": [4, 5]}},
        {"id": 8, "data": {"c": [{"d": [4, 5, 6, 7, 8]}]}},
    ],
}


def service_headers() -> dict[str, str]:
    key = keys.service_key(SECRET)
    return {"apikey": key, "Authorization": f"Bearer {key}"}


def spec_schema():
    schema = build_schema(DOC.read_text(), "schema.md")
    assert not schema.errors, schema.diagnostics
    return schema


async def _load(schema, url: str) -> None:
    app = create_app(schema, url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://spec") as client:
        client.headers.update(service_headers())
        for table, rows in DATA.items():
            # one row a request keeps data.sql's insertion order (and rows without a key column)
            for row in rows:
                response = await client.post(f"/rest/v1/{table}", json=row)
                assert response.status_code == 201, (table, response.text)
    await app.state.db.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def spec_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated, loaded database per module and dialect."""
    schema = spec_schema()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('spec') / 'spec.db'}"
        create_tables(schema, url)
        asyncio.run(_load(schema, url))
        yield url
        return
    import psycopg

    server = _server_url()
    name = f"docbase_spec_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _swap_database(server, name)
        create_tables(schema, url)
        asyncio.run(_load(schema, url))
        yield url
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def spec(spec_url: str):
    """A client of docbase serving the spec's schema, with PostgREST's path prefix and the service key."""
    app = create_app(spec_schema(), spec_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://spec/rest/v1") as client:
        client.headers.update(service_headers())
        client.dialect = "postgresql" if spec_url.startswith("postgresql") else "sqlite"
        yield client
    await app.state.db.close()
