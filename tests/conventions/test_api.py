"""The conventions through /rest/v1 on both databases, checked in the database itself."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from docbase.api import create_app
from docbase.auth import keys
from docbase.conventions import hashed_tokens

from .helpers import migrated

SECRET = "test-secret-for-docbase-conventions-0123"
DOC = """# App

```sql
CREATE TABLE integrations (id serial PRIMARY KEY, name text, api_key text, masked_key text);
CREATE TABLE invitations (id serial PRIMARY KEY, email text, token text);
CREATE TABLE notes (id serial PRIMARY KEY, body text, is_deleted boolean DEFAULT false);
CREATE TABLE audit_log (id serial PRIMARY KEY, user_id text, action text, changes jsonb, table_name text,
                        record_id text, created_at timestamptz DEFAULT now());
CREATE TABLE tasks (id serial PRIMARY KEY, cron_schedule text, next_run_at timestamptz);
CREATE TABLE jobs (id serial PRIMARY KEY, status text CHECK (status IN ('pending', 'running', 'done', 'failed')) DEFAULT 'pending',
                   attempts int DEFAULT 0, max_attempts int DEFAULT 2, scheduled_for timestamptz, started_at timestamptz);
```
"""


@pytest.fixture
async def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)
    schema = migrated(DOC, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    key = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": key, "Authorization": f"Bearer {key}"})
        yield c
    await app.state.db.close()


def _db(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]
    engine.dispose()
    return rows


REP = {"Prefer": "return=representation"}


async def test_secret_is_encrypted_in_the_database_and_clear_for_service_role(client, db_url):
    r = await client.post("/rest/v1/integrations", json={"id": 1, "api_key": "sk-live-0123456789abcd"}, headers=REP)
    assert r.status_code == 201
    assert r.json()[0]["api_key"] == "sk-live-0123456789abcd"
    stored, masked = _db(db_url, "SELECT api_key, masked_key FROM integrations")[0]
    assert stored.startswith("enc:v1:") and "0123456789" not in stored
    assert masked == "sk-l****abcd"
    assert (await client.get("/rest/v1/integrations")).json()[0]["api_key"] == "sk-live-0123456789abcd"


async def test_token_is_stored_hashed_shown_once_and_found_by_plaintext(client, db_url):
    r = await client.post("/rest/v1/invitations", json={"id": 1, "email": "a@x.io"}, headers=REP)
    plain = r.json()[0]["token"]
    assert _db(db_url, "SELECT token FROM invitations")[0][0] == hashed_tokens.digest(plain)
    found = (await client.get(f"/rest/v1/invitations?token=eq.{plain}")).json()
    assert [row["id"] for row in found] == [1]
    assert (await client.get("/rest/v1/invitations?token=eq.wrong")).json() == []


async def test_delete_marks_the_row_and_reads_leave_it_out(client, db_url):
    await client.post("/rest/v1/notes", json=[{"id": 1, "body": "a"}, {"id": 2, "body": "b"}])
    assert (await client.delete("/rest/v1/notes?id=eq.1")).status_code == 204
    assert _db(db_url, "SELECT count(*) FROM notes")[0][0] == 2
    assert [n["id"] for n in (await client.get("/rest/v1/notes")).json()] == [2]
    assert [n["id"] for n in (await client.get("/rest/v1/notes?include_deleted=true&order=id")).json()] == [1, 2]


async def test_every_write_leaves_an_audit_row(client, db_url):
    await client.post("/rest/v1/notes", json={"id": 5, "body": "private words"})
    await client.patch("/rest/v1/notes?id=eq.5", json={"body": "other words"})
    await client.delete("/rest/v1/notes?id=eq.5")
    rows = _db(db_url, "SELECT action, table_name, record_id, changes FROM audit_log ORDER BY id")
    assert [(a, t, r) for a, t, r, _ in rows] == [
        ("insert", "notes", "5"),
        ("update", "notes", "5"),
        ("delete", "notes", "5"),
    ]
    assert "words" not in str(rows)


async def test_bad_cron_is_400_and_next_run_is_filled(client, db_url):
    r = await client.post("/rest/v1/tasks", json={"id": 1, "cron_schedule": "61 * * * *"})
    assert r.status_code == 400 and set(r.json()) == {"code", "message", "details", "hint"}
    assert (await client.post("/rest/v1/tasks", json={"id": 2, "cron_schedule": "0 3 * * *"})).status_code == 201
    assert _db(db_url, "SELECT next_run_at FROM tasks")[0][0] is not None


async def test_job_queue_rpcs_over_http(client):
    await client.post("/rest/v1/jobs", json=[{"id": 1}, {"id": 2}])
    job = (await client.post("/rest/v1/rpc/claim_jobs", json={})).json()
    assert job["status"] == "running" and job["id"] == 1
    failed = (await client.post("/rest/v1/rpc/fail_jobs", json={"id": 1})).json()
    assert failed["status"] == "pending" and failed["attempts"] == 1
    r = await client.post("/rest/v1/rpc/complete_jobs", json={"id": 99})
    assert r.status_code == 404 and r.json()["code"] == "P0002"
    r = await client.post("/rest/v1/rpc/claim_nothing", json={})
    assert r.status_code == 404 and r.json()["code"] == "PGRST202"
    anon = await client.post(
        "/rest/v1/rpc/claim_jobs", json={}, headers={"apikey": keys.anon_key(SECRET), "Authorization": ""}
    )
    assert anon.status_code in (401, 403)
