"""Two workspaces on both databases, for attack tests: A's owner, A's viewer, B's owner, anon and service_role.

The document is small and written for these tests: a tenant root with a
membership table, tenant tables with soft delete (both spellings), a vector
column, a secret column with its masked twin, invitations, API keys, a job
queue and an audit log. Rows are written as service_role; tokens are minted
as ``/auth/v1`` signs them.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

SECRET = "test-secret-for-docbase-two-tenants-0123"

DOC = """# Team docs

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE NOT NULL, name text);
CREATE TABLE workspaces (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE workspace_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  UNIQUE (workspace_id, user_id)
);
CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  title text NOT NULL,
  embedding vector(3),
  is_deleted boolean DEFAULT false
);
CREATE TABLE notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id uuid NOT NULL REFERENCES documents(id),
  body text,
  deleted_at timestamptz
);
CREATE TABLE integrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  document_id uuid REFERENCES documents(id),
  name text,
  api_key text,
  masked_key text
);
CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  email text NOT NULL,
  role text NOT NULL DEFAULT 'member',
  token text,
  status text DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
  expires_at timestamptz
);
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  name text,
  key_hash text,
  prefix text,
  start text,
  enabled boolean DEFAULT true
);
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid REFERENCES workspaces(id),
  status text CHECK (status IN ('pending', 'running', 'done', 'failed')) DEFAULT 'pending',
  attempts int DEFAULT 0,
  max_attempts int DEFAULT 2,
  started_at timestamptz
);
```
"""

SERVICE = {"apikey": keys.service_key(SECRET)}
ANON = {"apikey": keys.anon_key(SECRET)}
REP = {"Prefer": "return=representation"}


def token(sub: str, email: str = "") -> dict[str, str]:
    claims = {
        "sub": sub,
        "role": "authenticated",
        "aud": "authenticated",
        "email": email,
        "exp": int(time.time()) + 3600,
    }
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


def _id() -> str:
    return str(uuid.uuid4())


@dataclass
class Tenants:
    """Who is who, and the ids of each workspace's rows."""

    c: httpx.AsyncClient
    url: str
    users: dict[str, str] = field(default_factory=dict)  # a (owner A), v (viewer A), w (member A), b (owner B)
    ws: dict[str, str] = field(default_factory=dict)  # "A", "B"
    docs: dict[str, list[str]] = field(default_factory=dict)  # per workspace: [live, soft-deleted]
    notes: dict[str, list[str]] = field(default_factory=dict)  # per workspace: [live, soft-deleted]
    integrations: dict[str, str] = field(default_factory=dict)

    def who(self, name: str) -> dict[str, str]:
        if name == "anon":
            return ANON
        if name == "service":
            return SERVICE
        return token(self.users[name], f"{name}@x.io")

    async def ok(self, method: str, path: str, body=None, **headers: str) -> httpx.Response:
        got = await self.c.request(method, f"/rest/v1/{path}", json=body, headers={**SERVICE, **headers})
        assert got.status_code < 300, got.text
        return got


async def build(url: str) -> tuple[Tenants, object]:
    schema = build_schema(DOC, "two_tenants.md")
    assert not schema.errors, schema.diagnostics
    migrate(schema, url)
    app = create_app(schema, url, secret=SECRET)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    t = Tenants(client, url)
    t.users = {name: _id() for name in ("a", "v", "w", "b")}
    await t.ok("POST", "users", [{"id": u, "email": f"{n}@x.io", "name": n} for n, u in t.users.items()])
    t.ws = {"A": _id(), "B": _id()}
    await t.ok("POST", "workspaces", [{"id": i, "name": f"ws {n}"} for n, i in t.ws.items()])
    members = [("A", "a", "owner"), ("A", "v", "viewer"), ("A", "w", "member"), ("B", "b", "owner")]
    await t.ok(
        "POST",
        "workspace_members",
        [{"workspace_id": t.ws[w], "user_id": t.users[u], "role": r} for w, u, r in members],
    )
    for name, ws in t.ws.items():
        live, gone = _id(), _id()
        t.docs[name] = [live, gone]
        await t.ok(
            "POST",
            "documents",
            [
                {"id": live, "workspace_id": ws, "title": f"{name} live", "embedding": [1, 0, 0]},
                {"id": gone, "workspace_id": ws, "title": f"{name} gone", "embedding": [1, 0.01, 0]},
            ],
        )
        n_live, n_gone = _id(), _id()
        t.notes[name] = [n_live, n_gone]
        await t.ok(
            "POST",
            "notes",
            [
                {"id": n_live, "document_id": live, "body": f"{name} note"},
                {"id": n_gone, "document_id": live, "body": f"{name} old note"},
            ],
        )
        await t.ok("DELETE", f"documents?id=eq.{gone}")
        await t.ok("DELETE", f"notes?id=eq.{n_gone}")
        t.integrations[name] = _id()
        await t.ok(
            "POST",
            "integrations",
            {
                "id": t.integrations[name],
                "workspace_id": ws,
                "document_id": live,
                "name": f"{name} hook",
                "api_key": f"sk-live-{name}-0123456789abcdef",
            },
        )
    return t, app
