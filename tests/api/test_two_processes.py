"""Two ``docbase serve`` processes on one PostgreSQL: what must be shared is shared (issue 21, stateless workers).

Everything a request leaves behind that another request depends on lives in
the database, not in a worker's memory: sign-in rate limits, refresh-token
rotation and reuse detection, API-key request counters, job claims and
invitation acceptance. Each test drives the two processes (different ports,
as on two hosts) alternately or at once and checks the outcome is the one a
single process would give.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from .test_serve import Server

pytestmark = [pytest.mark.slow, pytest.mark.pg]

DOC = """# Two processes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE);
CREATE TABLE workspaces (id text PRIMARY KEY, name text);
CREATE TABLE memberships (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  workspace_id text NOT NULL REFERENCES workspaces(id),
  role text CHECK (role IN ('owner', 'member')),
  UNIQUE (user_id, workspace_id)
);
CREATE TABLE workspace_invitations (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  invitee_email text NOT NULL,
  role text CHECK (role IN ('owner', 'member')),
  status text CHECK (status IN ('pending', 'accepted', 'declined', 'expired')) DEFAULT 'pending',
  token text NOT NULL,
  expires_at timestamptz NOT NULL,
  responded_at timestamptz
);
CREATE TABLE jobs (id serial PRIMARY KEY, status text CHECK (status IN ('pending', 'running', 'done', 'failed'))
                   DEFAULT 'pending', attempts int DEFAULT 0, max_attempts int DEFAULT 2,
                   scheduled_for timestamptz, started_at timestamptz);
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  name text,
  key text NOT NULL,
  start text,
  enabled boolean DEFAULT true,
  request_count integer DEFAULT 0,
  last_request timestamptz
);
```
"""
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def pair(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("DOCBASE_AUTH_RATE_LIMIT", "3")
    monkeypatch.setenv("DOCBASE_AUTH_REFRESH_REUSE_INTERVAL", "0")
    servers = []
    try:
        for _ in range(2):  # one after the other: the first migrates, the second finds it migrated
            server = Server(tmp_path, pg_url, document=DOC)
            server.start()
            servers.append(server)
        yield servers
    finally:
        for server in servers:
            server.stop()


def _signup(server: Server, email: str) -> dict:
    got = httpx.post(
        f"{server.base}/auth/v1/signup",
        json={"email": email, "password": PASSWORD},
        headers={"apikey": server.anon_key},
        timeout=30,
    )
    assert got.status_code == 200, got.text
    return got.json()


def _as(server: Server, session: dict) -> dict[str, str]:
    return {"apikey": server.anon_key, "Authorization": f"Bearer {session['access_token']}"}


def _service(server: Server) -> dict[str, str]:
    return {"apikey": server.service_key, "Authorization": f"Bearer {server.service_key}"}


def _sql(url: str, text: str) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(text).fetchall()


def test_sign_in_failures_are_counted_across_processes(pair):
    a, b = pair
    _signup(a, "owner@example.com")
    for i, server in enumerate((a, b, a)):  # three failures, spread over both processes
        got = httpx.post(
            f"{server.base}/auth/v1/token?grant_type=password",
            json={"email": f"guess{i}@example.com", "password": "wrong"},
            headers={"apikey": server.anon_key},
        )
        assert got.status_code == 400, got.text
    for server in (b, a):  # the limit holds on both, even for the right password
        got = httpx.post(
            f"{server.base}/auth/v1/token?grant_type=password",
            json={"email": "owner@example.com", "password": PASSWORD},
            headers={"apikey": server.anon_key},
        )
        assert got.status_code == 429, got.text


def test_a_refresh_token_rotated_on_one_process_is_spent_on_the_other(pair):
    a, b = pair
    first = _signup(a, "tabs@example.com")["refresh_token"]

    def refresh(server: Server, token: str) -> httpx.Response:
        return httpx.post(
            f"{server.base}/auth/v1/token?grant_type=refresh_token",
            json={"refresh_token": token},
            headers={"apikey": server.anon_key},
        )

    rotated = refresh(b, first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    reused = refresh(a, first)  # replayed on the other process: reuse, and the session is revoked
    assert reused.status_code == 400, reused.text
    assert refresh(b, second).status_code == 400  # the whole family went with it


def test_an_api_key_counts_every_request_on_every_process(pair, pg_url):
    a, b = pair
    session = _signup(a, "ci@example.com")
    minted = httpx.post(f"{a.base}/rest/v1/rpc/create_api_key", json={"name": "ci"}, headers=_as(a, session))
    assert minted.status_code == 200, minted.text
    key = minted.json()["key"]

    def use(server: Server) -> int:
        return httpx.get(f"{server.base}/rest/v1/workspaces?select=id", headers={"apikey": key}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(use, [a, b] * 20))
    assert statuses == [200] * 40
    assert _sql(pg_url, "SELECT request_count FROM api_keys") == [(40,)]


def test_each_job_is_claimed_once_across_processes(pair, pg_url):
    a, b = pair
    made = httpx.post(f"{a.base}/rest/v1/jobs", json=[{"id": n} for n in range(1, 41)], headers=_service(a))
    assert made.status_code == 201, made.text

    def claim(server: Server) -> int | None:
        got = httpx.post(f"{server.base}/rest/v1/rpc/claim_jobs", json={}, headers=_service(server), timeout=30)
        assert got.status_code == 200, got.text
        return (got.json() or {}).get("id")

    with ThreadPoolExecutor(8) as pool:
        claimed = [job for job in pool.map(claim, [a, b] * 25) if job is not None]
    assert sorted(claimed) == list(range(1, 41))  # every job once, none twice, 10 claims found nothing
    assert _sql(pg_url, "SELECT count(*) FROM jobs WHERE status = 'running'") == [(40,)]


def test_an_invitation_is_accepted_once_across_processes(pair, pg_url):
    a, b = pair
    ann = _signup(a, "ann@example.com")
    user_id = ann["user"]["id"]
    assert httpx.post(f"{a.base}/rest/v1/workspaces", json={"id": "w1", "name": "Acme"}, headers=_service(a)).is_success
    invited = httpx.post(
        f"{a.base}/rest/v1/workspace_invitations",
        json={
            "id": "i1",
            "workspace_id": "w1",
            "invitee_email": "ann@example.com",
            "role": "member",
            "expires_at": "2999-01-01T00:00:00+00:00",
        },  # fmt: skip
        headers={**_service(a), "Prefer": "return=representation"},
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()[0]["token"]

    def accept(server: Server) -> int:
        return httpx.post(
            f"{server.base}/rest/v1/rpc/accept_invitation", json={"token": token}, headers=_as(server, ann), timeout=30
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(accept, [a, b] * 3))
    assert statuses == [200, 409, 409, 409, 409, 409]
    assert _sql(pg_url, "SELECT user_id::text, role FROM memberships") == [(user_id, "member")]
