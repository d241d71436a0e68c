"""A write's returned row reads exactly as a GET of that row: PostgreSQL renders both (issue 15).

PostgREST answers ``Prefer: return=representation`` from the statement's own
RETURNING, turned into JSON by PostgreSQL, so the text of a numeric keeps its
scale (``12.50``), an interval reads ``3 days``, a time ``10:11:12.5``. A
client comparing what it wrote with what it reads back must see the same
text. Every write that returns rows is checked against a GET of the same row,
column for column, on both PostgreSQL write paths (one pipelined round trip,
and asyncpg's for the writes that cannot be pipelined).
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from docbase.api import create_app
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET
from .test_pipelined_writes import DOC, OWNER, REPR, ROW, SERVICE

pytestmark = pytest.mark.pg

#: Column values whose JSON text a Python round trip changes (the rest are checked too, by the same GET).
TELLING = {"num": "12.50", "iv": "3 days", "num2": "3.00", "tm": "10:11:12.5", "nmr": "[1.5,2.5]"}


def _exact(text: str) -> object:
    """JSON with every number kept as its text: 12.50 and 12.5 are different answers here."""
    return json.loads(text, parse_float=str, parse_int=str)


@pytest.fixture(params=["pipelined", "asyncpg"])
async def client(request, pg_url):
    schema = build_schema(DOC, "kinds.md")
    migrate(schema, pg_url)
    app = create_app(schema, pg_url, secret=SECRET)
    app.state.db.pipelined_writes = request.param == "pipelined"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.post("/rest/v1/owners", json={"id": OWNER}, headers=SERVICE)).is_success
        yield c
    await app.state.db.close()


async def _read(client: httpx.AsyncClient, row_id: str, select: str = "*") -> dict:
    got = await client.get(f"/rest/v1/kinds?id=eq.{row_id}&select={select}", headers=SERVICE)
    assert got.status_code == 200, got.text
    (row,) = _exact(got.text)
    return row


def _texts(response: httpx.Response) -> list[dict]:
    assert response.is_success, response.text
    return _exact(response.text)


async def test_an_inserted_row_reads_back_as_it_was_returned(client):
    row_id = str(uuid.uuid4())
    (written,) = _texts(
        await client.post("/rest/v1/kinds", json={**ROW, "id": row_id, "owner_id": OWNER}, headers=REPR)
    )
    assert written == await _read(client, row_id)
    assert {k: written[k] for k in TELLING} == TELLING


@pytest.mark.parametrize(
    "method, path, body, prefer",
    [
        ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"t": "changed"}, "return=representation"),
        ("PATCH", "/rest/v1/kinds?id=eq.{id}&select=num,iv,money,t", {"t": "picked"}, "return=representation"),
        ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"t": "rolled"}, "return=representation,tx=rollback"),
        ("POST", "/rest/v1/kinds?on_conflict=id", "{row}", "return=representation,resolution=merge-duplicates"),
        ("PUT", "/rest/v1/kinds?id=eq.{id}", "{row}", "return=representation"),
        ("DELETE", "/rest/v1/kinds?id=eq.{id}", None, "return=representation"),
    ],
)
async def test_every_write_returns_the_row_as_a_read_shows_it(client, method, path, body, prefer):
    row_id = str(uuid.uuid4())
    full = {**ROW, "id": row_id, "owner_id": OWNER}
    assert (await client.post("/rest/v1/kinds", json=full, headers=SERVICE)).status_code == 201
    select = path.split("select=")[1] if "select=" in path else "*"
    before = await _read(client, row_id, select)
    sent = {**full, "t": "replaced"} if body == "{row}" else body
    got = await client.request(method, path.format(id=row_id), json=sent, headers={**SERVICE, "Prefer": prefer})
    (written,) = _texts(got)
    expected = before if method == "DELETE" else {**before, **{k: v for k, v in (sent or {}).items() if k == "t"}}
    assert written == expected
    if method != "DELETE" and "rollback" not in prefer:
        assert written == await _read(client, row_id, select)


async def test_an_object_answer_to_a_write_is_the_row_as_read(client):
    row_id = str(uuid.uuid4())
    headers = {**REPR, "Accept": "application/vnd.pgrst.object+json"}
    got = await client.post("/rest/v1/kinds", json={**ROW, "id": row_id}, headers=headers)
    assert got.status_code == 201, got.text
    assert _exact(got.text) == await _read(client, row_id)
    assert _exact(got.text)["iv"] == "3 days"


async def test_a_read_of_one_object_keeps_the_databases_text(client):
    row_id = str(uuid.uuid4())
    assert (await client.post("/rest/v1/kinds", json={**ROW, "id": row_id}, headers=SERVICE)).status_code == 201
    headers = {**SERVICE, "Accept": "application/vnd.pgrst.object+json"}
    got = await client.get(f"/rest/v1/kinds?id=eq.{row_id}&select=num,num2,iv", headers=headers)
    assert got.status_code == 200, got.text
    assert _exact(got.text) == {"num": "12.50", "num2": "3.00", "iv": "3 days"}


async def test_a_written_row_is_what_postgresqls_to_jsonb_says(client, pg_url):
    """The oracle is the database itself: to_jsonb of the stored row, every type of the document's table."""
    import psycopg

    row_id = str(uuid.uuid4())
    got = await client.post("/rest/v1/kinds", json={**ROW, "id": row_id, "owner_id": OWNER}, headers=REPR)
    (written,) = _texts(got)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        (stored,) = conn.execute("SELECT to_jsonb(k)::text FROM kinds k WHERE id = %s", [uuid.UUID(row_id)]).fetchone()
    assert written == _exact(stored)
