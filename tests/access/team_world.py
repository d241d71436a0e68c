"""A small team document (organizations, members, projects, tasks, profiles, API keys) over two tenants.

Shared by the team-defaults tests (tests/access/test_team_defaults.py) and the
tenant-scoped API-key tests (tests/conventions/test_tenant_keys.py).
"""

from __future__ import annotations

from docbase.pipeline import build_schema

from ..tenants import TwoTenants, new_id, serve

SECRET = "test-secret-for-docbase-team-defaults-0123"
DOC = """# Team

```sql
CREATE TABLE users (
  id uuid PRIMARY KEY,
  name text,
  avatar_url text,
  email text,
  phone text
);
CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL
);
CREATE TABLE memberships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  UNIQUE (organization_id, user_id)
);
CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_by uuid REFERENCES users(id)
);
CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title text NOT NULL,
  created_by uuid REFERENCES users(id)
);
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
  name text,
  key_hash text NOT NULL,
  start text,
  prefix text,
  role text
);
```
"""
# (tenant, user, role): a owns A with admin d, member m and viewer v; b owns B.
MEMBERS = [("A", "a", "owner"), ("A", "d", "admin"), ("A", "m", "member"), ("A", "v", "viewer"), ("B", "b", "owner")]


async def team(url: str, text: str = DOC) -> tuple[TwoTenants, object]:
    """The world: users a d m v b, organizations A and B, a project with a task in each."""
    client, app = serve(build_schema(text), url, SECRET)
    w = TwoTenants(c=client, secret=SECRET)
    await w.add_users("users", ["a", "d", "m", "v", "b"])
    for name, uid in w.users.items():
        await w.ok("PATCH", f"users?id=eq.{uid}", {"phone": f"+1-{name}", "avatar_url": f"/{name}.png"})
    await w.add_tenants("organizations", lambda n: {"name": f"Org {n}"})
    await w.add_members("memberships", MEMBERS, tenant="organization_id")
    w.projects = {t: new_id() for t in "AB"}
    w.tasks = {t: new_id() for t in "AB"}
    owner = {"A": "a", "B": "b"}
    for t in "AB":
        row = {"id": w.projects[t], "organization_id": w.tenants[t], "name": f"P{t}", "created_by": w.users[owner[t]]}
        await w.ok("POST", "projects", row)
        task = {"id": w.tasks[t], "project_id": w.projects[t], "title": f"T{t}", "created_by": w.users[owner[t]]}
        await w.ok("POST", "tasks", task)
    return w, app
