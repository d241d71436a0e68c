"""A live ``docbase serve`` with two tenants whose members listen through the official realtime clients.

``organizations`` is the tenant; Alice writes in org A, Vera only reads there,
Bob writes in org B. ``notes.api_key`` is a secret column (masked for users in
/rest/v1, so in realtime too); ``tasks.deleted_at`` makes tasks soft-delete. Rows are written through /rest/v1 as the
service role, and straight into the database file / server (``direct``), the way
another program would.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

pytest.importorskip("supabase")

from docbase import dburl  # noqa: E402

from ..api.test_serve import Server  # noqa: E402

DOC = """# Teams

```sql
CREATE TABLE organizations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE memberships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES auth.users(id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);
CREATE TABLE notes (
  id integer PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  title text NOT NULL,
  n integer NOT NULL DEFAULT 0,
  api_key text
);
CREATE TABLE tasks (
  id integer PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  title text NOT NULL,
  deleted_at timestamptz
);
```
"""
TOML = "auth_confirm_email = false\nauth_bcrypt_cost = 4\n"
PASSWORD = "correct-horse-battery-9"


@dataclass
class World:
    server: Server
    url: str
    org_a: str
    org_b: str
    users: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def rest(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"apikey": self.server.service_key, "Prefer": "return=representation"}
        if token:
            headers = {"apikey": self.server.anon_key, "Authorization": f"Bearer {token}"}
        r = httpx.request(method, f"{self.server.base}{path}", headers=headers, timeout=10, **kw)
        assert r.status_code < 300, r.text
        return r

    def note(self, id: int, org: str, title: str, n: int = 0, api_key: str | None = None) -> dict:
        return {"id": id, "organization_id": org, "title": title, "n": n, "api_key": api_key}

    def direct(self, sql: str, params: tuple) -> None:
        """Write through a database connection of our own, not through docbase."""
        self.direct_transaction([(sql, params)])

    def direct_transaction(self, statements: list[tuple[str, tuple]]) -> None:
        """Several writes committed together through a connection of our own (one commit, one poll sees all)."""
        parsed = dburl.parse(self.url)
        if parsed.dialect == "sqlite":
            conn = sqlite3.connect(parsed.path, timeout=10)
            with conn:
                for sql, params in statements:
                    conn.execute(sql, params)
            conn.close()
        else:
            import psycopg

            with psycopg.connect(parsed.libpq()) as conn:
                for sql, params in statements:
                    conn.execute(sql.replace("?", "%s"), params)


def make_world(server: Server, url: str) -> World:
    admin = {"apikey": server.service_key}
    org_a, org_b = str(uuid.uuid4()), str(uuid.uuid4())
    r = httpx.post(
        f"{server.base}/rest/v1/organizations",
        headers=admin,
        json=[{"id": org_a, "name": "A"}, {"id": org_b, "name": "B"}],
    )
    assert r.status_code == 201, r.text
    world = World(server, url, org_a, org_b)
    for name, org, role in (("alice", org_a, "member"), ("vera", org_a, "viewer"), ("bob", org_b, "member")):
        r = httpx.post(
            f"{server.base}/auth/v1/signup",
            headers={"apikey": server.anon_key},
            json={"email": f"{name}@example.com", "password": PASSWORD},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        world.users[name] = body["user"]["id"]
        world.tokens[name] = body["access_token"]
        r = httpx.post(
            f"{server.base}/rest/v1/memberships",
            headers=admin,
            json={"organization_id": org, "user_id": world.users[name], "role": role},
        )
        assert r.status_code == 201, r.text
    return world


@contextlib.contextmanager
def served_world(tmp_path, db_url: str, toml: str = TOML) -> Iterator[World]:
    """``docbase serve`` of DOC with ``toml`` beside it, and the two tenants' world made through it."""
    (tmp_path / "docbase.toml").write_text(toml)
    server = Server(tmp_path, db_url, document=DOC)
    server.start()
    try:
        yield make_world(server, db_url)
    finally:
        server.stop()


@pytest.fixture
def world(tmp_path, db_url):
    with served_world(tmp_path, db_url) as made:
        yield made


async def wait_for(predicate, timeout: float = 90.0, state=None) -> None:
    """Until ``predicate()`` holds; fails the test otherwise. A deadline, not a speed claim: generous, so a
    loaded CI machine (each event is re-read once per subscriber) does not fail a correct delivery."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting" + (f": {state()}" if state else ""))
        await asyncio.sleep(0.05)
