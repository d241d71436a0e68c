"""API keys over HTTP on both databases: created once, stored hashed, act as the owner, limits enforced."""

from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa

from docbase.api import create_app
from docbase.auth import keys
from docbase.conventions import hashed_tokens

from .helpers import migrated

SECRET = "test-secret-for-docbase-api-keys-012345"
DOC = """# Keys

```mermaid
erDiagram
    user {
        uuid id PK
        text email
    }
    apikey {
        uuid id PK
        text name
        text start
        text prefix
        text key
        uuid userId FK
        boolean enabled
        boolean rateLimitEnabled
        text rateLimitTimeWindow
        text rateLimitMax
        text requestCount
        text remaining
        timestamp lastRequest
        timestamp expiresAt
        timestamp createdAt
    }
    user ||--o{ apikey : owns
```
"""
OWNER = "11111111-1111-4111-8111-111111111111"


def _user() -> dict[str, str]:
    token = keys.sign({"role": "authenticated", "sub": OWNER, "email": "a@x.io", "exp": int(time.time()) + 600}, SECRET)
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    schema = migrated(DOC, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    service = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        assert (await c.post("/rest/v1/user", json={"id": OWNER, "email": "a@x.io"})).status_code == 201
        yield c
    await app.state.db.close()


def _db(url, sql, params=None):
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        result = conn.execute(sa.text(sql), params or {})
        rows = [tuple(r) for r in result.fetchall()] if result.returns_rows else []
    engine.dispose()
    return rows


def _as_owner(r) -> int:
    """The key acted as its owner: the users table shows exactly the owner's own row."""
    assert (r.status_code, r.json()) == (200, [{"id": OWNER, "email": "a@x.io"}]), r.text
    return r.status_code


async def _create(client, **body):
    r = await client.post("/rest/v1/rpc/create_api_key", json={"name": "ci", **body}, headers=_user())
    assert r.status_code == 200, r.text
    return r.json()


async def test_created_once_stored_hashed_and_acts_as_owner(client, db_url):
    made = await _create(client)
    plain = made["key"]
    assert plain.startswith("dbk_") and made["start"] == plain[:6]
    stored, start, owner = _db(db_url, 'SELECT "key", "start", "userId" FROM apikey')[0]
    assert stored == hashed_tokens.digest(plain) and start == plain[:6] and str(owner) == OWNER
    # The key authenticates as the owner: row-level access then shows them their own row, and only it.
    r = await client.get("/rest/v1/user", headers={"apikey": plain, "Authorization": ""})
    _as_owner(r)
    r = await client.get("/rest/v1/user", headers={"apikey": "dbk_not-a-key", "Authorization": ""})
    assert r.status_code == 401 and r.json()["message"] == "Invalid API key"
    assert _db(db_url, 'SELECT "requestCount" FROM apikey')[0][0] == "1"


async def test_disabled_and_expired_keys_get_401(client, db_url):
    made = await _create(client)
    _db(db_url, "UPDATE apikey SET enabled = :f", {"f": False})
    r = await client.get("/rest/v1/user", headers={"Authorization": f"Bearer {made['key']}", "apikey": ""})
    assert r.status_code == 401 and "disabled" in r.json()["message"]
    _db(db_url, 'UPDATE apikey SET enabled = :t, "expiresAt" = :past', {"t": True, "past": "2001-01-01 00:00:00"})
    r = await client.get("/rest/v1/user", headers={"Authorization": f"Bearer {made['key']}", "apikey": ""})
    assert r.status_code == 401 and "expired" in r.json()["message"]


async def test_remaining_and_rate_limit_give_429(client, db_url):
    made = await _create(client)
    _db(db_url, "UPDATE apikey SET remaining = :n", {"n": "2"})
    headers = {"apikey": made["key"], "Authorization": ""}
    seen = [await client.get("/rest/v1/user", headers=headers) for _ in range(3)]
    assert [_as_owner(r) for r in seen[:2]] == [200, 200] and seen[2].status_code == 429
    assert _db(db_url, "SELECT remaining FROM apikey")[0][0] == "0"
    _db(
        db_url,
        'UPDATE apikey SET remaining = NULL, "rateLimitEnabled" = :t, "rateLimitTimeWindow" = :w, '
        '"rateLimitMax" = :m, "requestCount" = :z',
        {"t": True, "w": "60000", "m": "2", "z": "0"},
    )
    seen = [await client.get("/rest/v1/user", headers=headers) for _ in range(3)]
    assert [_as_owner(r) for r in seen[:2]] == [200, 200] and seen[2].status_code == 429


async def test_bad_create_calls(client):
    for body, headers, status in [
        ({"prefix": "bad prefix!"}, _user(), 400),
        ({"expires_in": -5}, _user(), 400),
        ({}, {"apikey": keys.anon_key(SECRET), "Authorization": ""}, 401),
        ({}, None, 400),  # service_role must name the owner
    ]:
        r = await client.post("/rest/v1/rpc/create_api_key", json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
