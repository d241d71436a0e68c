"""A PostgreSQL write sent in one pipeline (psycopg) answers exactly as it did on asyncpg, for every type and error.

Two apps serve one database: one sends a write of one statement through the
pipeline (docbase.db.pipelined), the other (``pipelined_writes = False``)
through asyncpg as before. Every request below goes to both, each with its
own row id, and the answers must be the same byte for byte once the ids are
swapped: status, the headers PostgREST sets, and the body, with a returned
row holding every column type docbase knows, PostgreSQL's infinite dates
and timestamps, and each refusal's code, message, details and hint.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET

DOC = """# Kinds

```sql
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE owners (id uuid PRIMARY KEY);
CREATE TABLE kinds (
  id uuid PRIMARY KEY,
  owner_id uuid REFERENCES owners(id),
  i2 smallint, i4 integer, i8 bigint, num numeric, num2 numeric(10,2), f4 real, f8 double precision,
  b boolean, t text NOT NULL, vc varchar(5), ch char(4), ts timestamp, tstz timestamptz, d date, tm time,
  tmtz timetz, iv interval, j json, jb jsonb, by bytea, ip inet, ci cidr, mac macaddr, arr integer[],
  tarr text[], jarr jsonb[], uarr uuid[], r4 int4range, rts tstzrange, nmr numrange, dr daterange,
  money money, pt point, bits bit(3), vb varbit, x xml, tsv tsvector, e mood,
  CHECK (i4 IS NULL OR i4 >= 0)
);
ALTER TABLE kinds ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own kinds" ON public.kinds FOR ALL USING (auth.uid() = owner_id) WITH CHECK (auth.uid() = owner_id);
```
"""

#: One value for each type docbase knows (the document's point, bit, xml and macaddr are kept as text).
ROW = {
    "i2": 1,
    "i4": "2",
    "i8": 2**40,
    "num": "12.50",
    "num2": 3,
    "f4": 0.1,
    "f8": 0.1,
    "b": True,
    "t": "hé",
    "vc": "ab",
    "ch": "a",
    "ts": "2024-01-02T03:04:05.5",
    "tstz": "2024-01-02T03:04:05+02:00",
    "d": "2024-01-02",
    "tm": "10:11:12.5",
    "tmtz": "10:11:12+02",
    "iv": "3 days",
    "j": {"a": 1, "b": [1, 2]},
    "jb": {"a": 1.5, "s": "x"},
    "by": "\\x00ff",
    "ip": "10.0.0.1",
    "ci": "10.0.0.0/8",
    "mac": "08:00:2b:01:02:03",
    "arr": [1, 2, None],
    "tarr": ["a", "b c"],
    "jarr": [{"x": 1}],
    "uarr": ["6e01ff01-17b4-4bb5-abbb-38d9e4ff81f2"],
    "r4": "[1,5)",
    "rts": "[2024-01-01,2024-02-01)",
    "nmr": "[1.5,2.5]",
    "dr": "[2024-01-01,2024-01-05)",
    "money": "12.34",
    "pt": "(1,2)",
    "bits": "101",
    "vb": "11",
    "x": "<a/>",
    "tsv": "fat cat",
    "e": "happy",
}
SERVICE = {"apikey": keys.service_key(SECRET)}
REPR = {**SERVICE, "Prefer": "return=representation"}
OWNER = "0f6c1c70-0000-4000-8000-000000000001"


def bearer(sub: str, prefer: str = "return=representation") -> dict[str, str]:
    claims = {"sub": sub, "role": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}", "Prefer": prefer}


#: (method, path, body, headers); ``{id}``, ``{other}``, ``{third}``: rows of each app's own.
CASES: list[tuple[str, str, Any, dict[str, str]]] = [
    ("POST", "/rest/v1/kinds", {**ROW, "id": "{id}", "owner_id": OWNER}, REPR),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"t": "changed", "jb": [1, {"k": None}]}, REPR),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}&select=t,i4,jb,tstz,r4", {"i4": 7}, {**REPR, "Prefer": "count=exact"}),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"i4": 8}, {**REPR, "Prefer": "return=representation,count=exact"}),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}&select=id,t,d", {"t": 'csv, "quoted"'}, {**REPR, "Accept": "text/csv"}),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"t": "minimal"}, SERVICE),
    ("POST", "/rest/v1/kinds", {"id": "{id}", "t": "again"}, REPR),  # 23505
    ("POST", "/rest/v1/kinds", {"id": "{other}"}, REPR),  # 23502
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "x", "i4": -1}, REPR),  # 23514
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "x", "owner_id": "{other}"}, REPR),  # 23503
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "x", "r4": "[5,1)"}, REPR),  # 22000 from the server
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "x", "num2": 10**12}, REPR),  # 22003
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "x", "ch": "too long"}, REPR),  # 22001
    (
        "POST",
        "/rest/v1/kinds",
        {"id": "{third}", "t": "kept back"},
        {**REPR, "Prefer": "return=representation,tx=rollback"},
    ),
    ("GET", "/rest/v1/kinds?id=eq.{third}", None, SERVICE),  # the rolled-back row is not there
    ("POST", "/rest/v1/kinds", {"id": "{other}", "t": "mine", "owner_id": OWNER}, bearer(OWNER)),
    ("PATCH", "/rest/v1/kinds?id=eq.{other}", {"t": "theirs"}, bearer(str(uuid.uuid4()))),  # RLS: no row
    ("POST", "/rest/v1/kinds", {"id": str(uuid.uuid4()), "t": "x", "owner_id": OWNER}, bearer(str(uuid.uuid4()))),
    ("PATCH", "/rest/v1/kinds?id=eq.{id}", {"t": "infinite"}, REPR),  # after the infinite values set below
    ("DELETE", "/rest/v1/kinds?id=eq.{other}", None, bearer(OWNER, "return=representation,count=exact")),
    ("DELETE", "/rest/v1/kinds?id=eq.{id}&select=id,t,ts,d", None, REPR),
    ("DELETE", "/rest/v1/kinds?id=eq.{id}", None, REPR),  # nothing left to delete
]
INFINITE = 18  # the case after which the row's dates and timestamps are set to PostgreSQL's infinities
SHOWN = ("content-type", "content-range", "preference-applied", "location")


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "}" in value and "{}" not in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _answer(client: httpx.AsyncClient, case: tuple, ids: dict[str, str]) -> tuple:
    method, path, body, headers = case
    got = await client.request(method, _fill(path, ids), json=_fill(body, ids), headers=headers)
    text = got.text
    for name, value in ids.items():
        text = text.replace(value, "{" + name + "}")
    return got.status_code, {h: got.headers.get(h) for h in SHOWN}, text


@pytest.fixture
async def two_apps(pg_url):
    schema = build_schema(DOC, "kinds.md")
    migrate(schema, pg_url)
    pipelined, plain = create_app(schema, pg_url, secret=SECRET), create_app(schema, pg_url, secret=SECRET)
    plain.state.db.pipelined_writes = False
    try:
        yield pg_url, pipelined, plain
    finally:
        await pipelined.state.db.close()
        await plain.state.db.close()


async def test_pipelined_writes_answer_as_asyncpg_did(two_apps):
    url, pipelined, plain = two_apps
    apps = {"pipelined": pipelined, "asyncpg": plain}
    ids = {name: {k: str(uuid.uuid4()) for k in ("id", "other", "third")} for name in apps}
    clients = {n: httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://t") for n, a in apps.items()}
    try:
        assert (await clients["asyncpg"].post("/rest/v1/owners", json={"id": OWNER}, headers=SERVICE)).is_success
        for number, case in enumerate(CASES):
            if number == INFINITE:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(
                        "UPDATE kinds SET ts = 'infinity', tstz = '-infinity', d = 'infinity' WHERE id = ANY(%s)",
                        [[uuid.UUID(ids[n]["id"]) for n in apps]],
                    )
            answers = {name: await _answer(clients[name], case, ids[name]) for name in apps}
            assert answers["pipelined"] == answers["asyncpg"], f"case {number}: {case[0]} {case[1]}"
            assert answers["pipelined"][0] < 500, answers["pipelined"]
        assert len(pipelined.state.db.write_pipeline) == 1 and len(plain.state.db.write_pipeline) == 0
    finally:
        for client in clients.values():
            await client.aclose()


async def test_a_refused_or_rolled_back_write_leaves_its_pooled_connection_clean(two_apps):
    """One pooled write connection, used by a refusal, a rollback and two callers in turn: each sees only its own."""
    _, app, _ = two_apps
    app.state.db.write_pipeline.size = 1
    ann, bob = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for who in (ann, bob):
            assert (await c.post("/rest/v1/owners", json={"id": who}, headers=SERVICE)).status_code == 201
        row = {"id": str(uuid.uuid4()), "t": "ann's", "owner_id": ann}
        assert (await c.post("/rest/v1/kinds", json=row, headers=bearer(ann))).status_code == 201
        again = await c.post("/rest/v1/kinds", json=row, headers=bearer(ann))
        assert again.status_code == 409 and again.json()["code"] == "23505"
        kept_back = {**row, "id": str(uuid.uuid4())}
        rolled = await c.post("/rest/v1/kinds", json=kept_back, headers=bearer(ann, "return=minimal,tx=rollback"))
        assert rolled.status_code == 201 and rolled.headers["preference-applied"] == "return=minimal, tx=rollback"
        # bob, on the same connection: ann's role and claims ended with her transactions
        stolen = await c.patch(f"/rest/v1/kinds?id=eq.{row['id']}", json={"t": "bob's"}, headers=bearer(bob))
        assert stolen.status_code == 200 and stolen.json() == []
        everything = await c.get("/rest/v1/kinds?select=id,t", headers=SERVICE)
        assert everything.json() == [{"id": row["id"], "t": "ann's"}]
