"""Two tenants on a seed (or a small document), served with /rest/v1 and /auth/v1, for authority tests.

Rows are written as service_role with only the columns each table needs;
users act with tokens signed as ``/auth/v1`` signs them. ``snapshot`` reads
tables as service_role so a test can check an attack changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.routing import Mount

from docbase.auth import keys
from docbase.auth.config import AuthConfig
from docbase.auth.routes import auth_routes
from docbase.pipeline import build_schema, load_schema

from ..conftest import seed_file as seed
from ..tenants import TwoTenants, new_id
from ..tenants import serve as serve_app

SECRET = "test-secret-for-docbase-authority-0123456789"
SERVICE = {"apikey": keys.service_key(SECRET)}
ANON = {"apikey": keys.anon_key(SECRET)}
REP = {"Prefer": "return=representation"}
PASSWORD = "Tr0ub4dor&3-staple"

__all__ = ["REP", "SMALL", "World", "new_id", "seed", "serve", "signups", "world_000", "world_003", "world_small"]


@dataclass(kw_only=True)
class World(TwoTenants):
    """Two tenants served with /rest/v1 and /auth/v1; setup writes return their rows."""

    app: Any
    schema: Any
    rows: dict[str, str] = field(default_factory=dict)

    async def ok(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return await super().ok(method, path, body, **{**REP, **headers})

    async def snapshot(self, *tables: str) -> dict[str, list]:
        out = {}
        for table in tables:
            got = await self.c.get(f"/rest/v1/{table}?select=*", headers=SERVICE)
            assert got.status_code == 200, got.text
            out[table] = sorted(got.json(), key=repr)
        return out

    async def close(self) -> None:
        await self.c.aclose()
        await self.app.state.db.close()


async def serve(schema, url: str) -> World:
    """The app as ``docbase serve`` builds it (REST and auth), over a migrated database."""
    assert not schema.errors, schema.diagnostics
    auth = auth_routes(schema, url, AuthConfig(bcrypt_cost=4), SECRET)
    client, app = serve_app(schema, url, SECRET, routes=[Mount("/auth/v1", routes=auth)])
    return World(c=client, secret=SECRET, app=app, schema=schema)


async def world_003(url: str) -> World:
    """Seed 003: organization A (owner a, admin adm, member w, viewer v) and B (owner b), a project and a tag each."""
    w = await serve(load_schema(seed("003")), url)
    await w.add_users("user", ("a", "adm", "w", "v", "b"))
    await w.add_tenants("organization", lambda n: {"name": f"org {n}", "slug": n.lower()})
    members = [
        ("A", "a", "owner"),
        ("A", "adm", "admin"),
        ("A", "w", "member"),
        ("A", "v", "viewer"),
        ("B", "b", "owner"),
    ]
    await w.add_members("member", members, tenant="organizationId", user="userId", ids=True)
    for name, org in w.tenants.items():
        w.rows[f"project {name}"], w.rows[f"tag {name}"] = new_id(), new_id()
        project = {"id": w.rows[f"project {name}"], "organizationId": org, "name": f"{name} project"}
        await w.ok("POST", "projects", project)
        tag = {"id": w.rows[f"tag {name}"], "organizationId": org, "projectId": project["id"], "name": f"{name} tag"}
        await w.ok("POST", "tags", tag)
    return w


async def world_000(url: str) -> World:
    """Seed 000: workspace A (owner a, user w) and B (owner b), an integration each."""
    w = await serve(load_schema(seed("000")), url)
    await w.add_users("users", ("a", "w", "b"))
    await w.add_tenants("workspaces", lambda n: {"name": f"ws {n}"})
    members = [("A", "a", "owner"), ("A", "w", "user"), ("B", "b", "owner")]
    await w.add_members("memberships", members, tenant="workspace_id", ids=True)
    for name, ws in w.tenants.items():
        w.rows[f"integration {name}"] = new_id()
        await w.ok(
            "POST", "integrations", {"id": w.rows[f"integration {name}"], "workspace_id": ws, "provider": "github"}
        )
    return w


SMALL = """# Small SaaS

```sql
CREATE TABLE profiles (
  id uuid PRIMARY KEY REFERENCES auth.users(id),
  email text UNIQUE,
  display_name text,
  is_admin boolean DEFAULT false,
  plan text DEFAULT 'free',
  credits integer DEFAULT 0,
  email_verified boolean DEFAULT false,
  suspended boolean DEFAULT false,
  home_team_id uuid REFERENCES teams(id)
);
CREATE TABLE teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE team_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams(id),
  user_id uuid NOT NULL REFERENCES profiles(id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer'))
);
CREATE TABLE boards (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), team_id uuid NOT NULL REFERENCES teams(id), title text);
CREATE TABLE cards (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  board_id uuid NOT NULL REFERENCES boards(id),
  parent_id uuid REFERENCES cards(id),
  assignee_id uuid REFERENCES profiles(id),
  title text
);
CREATE TABLE labels (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), team_id uuid NOT NULL REFERENCES teams(id), name text);
CREATE TABLE card_labels (
  card_id uuid NOT NULL REFERENCES cards(id),
  label_id uuid NOT NULL REFERENCES labels(id),
  PRIMARY KEY (card_id, label_id)
);
```
"""


async def signups(w: World, *names: str) -> dict[str, str]:
    """Each name signs up as ``name@x.io`` (profiles reference auth.users: docbase makes their rows)."""
    users = {}
    for n in names:
        body = {"email": f"{n}@x.io", "password": PASSWORD, "data": {"display_name": n}}
        got = await w.c.post("/auth/v1/signup", json=body, headers=ANON)
        assert got.status_code == 200, got.text
        users[n] = got.json()["user"]["id"]
    return users


async def world_small(url: str) -> World:
    """The small document: team A (owner a, editor e, viewer v) and B (owner b), a board, card and label each."""
    w = await serve(build_schema(SMALL, "small.md"), url)
    w.users = await signups(w, "a", "e", "v", "b")
    await w.add_tenants("teams", lambda n: {"name": f"team {n}"})
    members = [("A", "a", "owner"), ("A", "e", "editor"), ("A", "v", "viewer"), ("B", "b", "owner")]
    await w.add_members("team_members", members, tenant="team_id")
    for name, team in w.tenants.items():
        board, card, label = new_id(), new_id(), new_id()
        w.rows |= {f"board {name}": board, f"card {name}": card, f"label {name}": label}
        await w.ok("POST", "boards", {"id": board, "team_id": team, "title": f"{name} board"})
        await w.ok("POST", "cards", {"id": card, "board_id": board, "title": f"{name} card"})
        await w.ok("POST", "labels", {"id": label, "team_id": team, "name": f"{name} label"})
    return w
