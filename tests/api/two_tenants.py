"""Two workspaces on both databases, for attack tests: A's owner, A's viewer, B's owner, anon and service_role.

The document is small and written for these tests: a tenant root with a
membership table, tenant tables with soft delete (both spellings), a vector
column, a secret column with its masked twin, invitations, API keys, a job
queue and an audit log. Rows are written as service_role; tokens are minted
as ``/auth/v1`` signs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from docbase.auth import keys
from docbase.pipeline import build_schema

from ..tenants import TwoTenants, new_id, serve
from ..tenants import token as signed

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
    return signed(SECRET, sub, email)


@dataclass(kw_only=True)
class Tenants(TwoTenants):
    """Who is who (a owns A, v views A, w is a member of A, b owns B), and the ids of each workspace's rows."""

    url: str
    docs: dict[str, list[str]] = field(default_factory=dict)  # per workspace: [live, soft-deleted]
    notes: dict[str, list[str]] = field(default_factory=dict)  # per workspace: [live, soft-deleted]
    integrations: dict[str, str] = field(default_factory=dict)

    @property
    def ws(self) -> dict[str, str]:
        return self.tenants


async def build(url: str) -> tuple[Tenants, Any]:
    client, app = serve(build_schema(DOC, "two_tenants.md"), url, SECRET)
    t = Tenants(c=client, secret=SECRET, url=url)
    await t.add_users("users", ("a", "v", "w", "b"))
    await t.add_tenants("workspaces", lambda n: {"name": f"ws {n}"})
    members = [("A", "a", "owner"), ("A", "v", "viewer"), ("A", "w", "member"), ("B", "b", "owner")]
    await t.add_members("workspace_members", members, tenant="workspace_id")
    for name, ws in t.ws.items():
        live, gone = new_id(), new_id()
        t.docs[name] = [live, gone]
        await t.ok(
            "POST",
            "documents",
            [
                {"id": live, "workspace_id": ws, "title": f"{name} live", "embedding": [1, 0, 0]},
                {"id": gone, "workspace_id": ws, "title": f"{name} gone", "embedding": [1, 0.01, 0]},
            ],
        )
        n_live, n_gone = new_id(), new_id()
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
        t.integrations[name] = new_id()
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
