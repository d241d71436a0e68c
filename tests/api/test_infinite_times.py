"""``infinity`` and ``-infinity`` are dates and timestamps PostgreSQL accepts: docbase takes them too (issue 15).

PostgREST passes the text to PostgreSQL, so ``{"ends_at": "infinity"}`` is
an open-ended row, not a 22P02. On PostgreSQL they are stored as
PostgreSQL's own infinities (either write path); on SQLite as the words,
which sort after (``infinity``) and before (``-infinity``) every other date.
Both read back, filter and order as PostgreSQL does.
"""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET

DOC = """# Offers

```sql
CREATE TABLE offers (
  id integer PRIMARY KEY,
  starts_at timestamptz,
  ends_at timestamp,
  valid_until date
);
```
"""
HEADERS = {"apikey": keys.service_key(SECRET), "Prefer": "return=representation"}
ROWS = [
    {"id": 1, "starts_at": "-infinity", "ends_at": "infinity", "valid_until": "infinity"},
    {"id": 2, "starts_at": "2024-01-02T03:04:05+00:00", "ends_at": "2024-01-02T03:04:05", "valid_until": "2024-01-02"},
    {"id": 3, "starts_at": "Infinity", "ends_at": "-infinity", "valid_until": "-infinity"},
]


@pytest.fixture
async def client(db_url):
    schema = build_schema(DOC, "offers.md")
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await app.state.db.close()


async def test_infinite_dates_and_timestamps_are_written_and_read_back(client):
    got = await client.post("/rest/v1/offers", json=ROWS, headers=HEADERS)
    assert got.status_code == 201, got.text
    written = got.json()
    assert [r["starts_at"] for r in written] == ["-infinity", "2024-01-02T03:04:05+00:00", "infinity"]
    assert [r["ends_at"] for r in written] == ["infinity", "2024-01-02T03:04:05", "-infinity"]
    assert [r["valid_until"] for r in written] == ["infinity", "2024-01-02", "-infinity"]
    read = (await client.get("/rest/v1/offers?order=id", headers=HEADERS)).json()
    assert read == written


async def test_infinities_filter_and_sort_as_postgresql_orders_them(client):
    assert (await client.post("/rest/v1/offers", json=ROWS, headers=HEADERS)).status_code == 201
    later = await client.get("/rest/v1/offers?select=id&ends_at=gt.2030-01-01&order=id", headers=HEADERS)
    assert later.json() == [{"id": 1}]
    ordered = await client.get("/rest/v1/offers?select=id&order=valid_until.asc", headers=HEADERS)
    assert ordered.json() == [{"id": 3}, {"id": 2}, {"id": 1}]
    exact = await client.get("/rest/v1/offers?select=id&starts_at=eq.infinity", headers=HEADERS)
    assert exact.json() == [{"id": 3}]
    moved = await client.patch("/rest/v1/offers?id=eq.2", json={"ends_at": "infinity"}, headers=HEADERS)
    assert moved.status_code == 200 and moved.json()[0]["ends_at"] == "infinity", moved.text


async def test_a_word_that_is_not_a_date_is_still_refused(client):
    got = await client.post("/rest/v1/offers", json={"id": 9, "starts_at": "forever"}, headers=HEADERS)
    assert got.status_code == 400 and got.json()["code"] in ("22007", "22P02"), got.text
