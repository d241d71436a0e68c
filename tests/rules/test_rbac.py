"""RBAC tables: found in two spellings; has_permission / my_permissions answer from the rows, at once."""

from __future__ import annotations

import pytest

from docbase.pipeline import build_schema
from docbase.rules.rbac import detect_rbac

from .serving import ANON, service_client, signed_in

SNAKE = """# Access

```sql
CREATE TABLE users (id text PRIMARY KEY, email text);
CREATE TABLE organizations (id text PRIMARY KEY, name text);
CREATE TABLE roles (id text PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE permissions (id text PRIMARY KEY, name text UNIQUE NOT NULL, resource text NOT NULL, action text NOT NULL);
CREATE TABLE role_permissions (id serial PRIMARY KEY, role_id text NOT NULL REFERENCES roles(id),
                               permission_id text NOT NULL REFERENCES permissions(id));
CREATE TABLE user_roles (id serial PRIMARY KEY, user_id text NOT NULL REFERENCES users(id),
                         role_id text NOT NULL REFERENCES roles(id), organization_id text REFERENCES organizations(id));
CREATE TABLE projects (id serial PRIMARY KEY, organization_id text NOT NULL REFERENCES organizations(id), name text);
```
"""

CAMEL = """# Teams

```mermaid
erDiagram
    Role { uuid id PK
           text name }
    Permission { uuid id PK
                 text key }
    RolePermission { uuid roleId FK
                     uuid permissionId FK }
    Membership { uuid id PK
                 uuid userId FK
                 uuid roleId FK
                 uuid teamId FK }
    Team { uuid id PK }
    User { uuid id PK }
    Role ||--o{ RolePermission : grants
    Permission ||--o{ RolePermission : granted
    Role ||--o{ Membership : held
    Team ||--o{ Membership : has
    User ||--o{ Membership : is
```
"""


def test_both_spellings_are_found_with_their_tenant_column():
    snake = detect_rbac(build_schema(SNAKE))
    assert snake is not None
    assert (snake.grants, snake.assignments, snake.assignment_tenant, snake.resource, snake.action) == (
        "role_permissions", "user_roles", "organization_id", "resource", "action",
    )  # fmt: skip
    camel = detect_rbac(build_schema(CAMEL))
    assert camel is not None
    assert (camel.grants, camel.assignments, camel.assignment_user, camel.assignment_tenant) == (
        "RolePermission", "Membership", "userId", "teamId",
    )  # fmt: skip
    assert camel.permission_name == "key" and camel.resource is None
    assert detect_rbac(build_schema(SNAKE), {"rules": {"rbac": False}}) is None


_user = signed_in


@pytest.fixture
async def api(db_url):
    async with service_client(SNAKE, db_url) as client:
        await client.post("/rest/v1/users", json=[{"id": "vic"}, {"id": "ann"}])
        await client.post("/rest/v1/organizations", json=[{"id": "acme"}, {"id": "other"}])
        await client.post("/rest/v1/roles", json=[{"id": "viewer", "name": "viewer"}, {"id": "admin", "name": "admin"}])
        await client.post("/rest/v1/permissions", json=[
            {"id": "p1", "name": "projects.read", "resource": "projects", "action": "read"},
            {"id": "p2", "name": "projects.update", "resource": "projects", "action": "update"},
            {"id": "p3", "name": "everything", "resource": "*", "action": "manage"},
        ])  # fmt: skip
        await client.post("/rest/v1/role_permissions", json=[
            {"role_id": "viewer", "permission_id": "p1"}, {"role_id": "admin", "permission_id": "p3"},
        ])  # fmt: skip
        await client.post("/rest/v1/user_roles", json=[
            {"user_id": "vic", "role_id": "viewer", "organization_id": "acme"},
            {"user_id": "ann", "role_id": "admin", "organization_id": None},
        ])  # fmt: skip
        yield client


async def _has(api, who: str, permission: str, org: str | None = "acme") -> bool:
    body = {"permission": permission} | ({"organization_id": org} if org else {})
    got = await api.post("/rest/v1/rpc/has_permission", json=body, headers=_user(who))
    assert got.status_code == 200, got.text
    return got.json()


async def test_a_viewer_lacks_update_until_the_permission_row_is_granted(api):
    assert await _has(api, "vic", "projects:read") is True
    assert await _has(api, "vic", "projects.read") is True  # by the permission's name too
    assert await _has(api, "vic", "projects:update") is False
    assert await _has(api, "vic", "projects:read", "other") is False  # the role holds in acme only
    granted = await api.post("/rest/v1/role_permissions", json={"role_id": "viewer", "permission_id": "p2"})
    assert granted.status_code == 201
    assert await _has(api, "vic", "projects:update") is True  # the next call sees the new row


async def test_a_global_manage_role_covers_every_action_everywhere(api):
    for permission in ("projects:delete", "invoices:create", "anything:read"):
        assert await _has(api, "ann", permission, "other") is True


async def test_my_permissions_lists_the_callers_own_and_refuses_asking_for_others(api):
    got = await api.post("/rest/v1/rpc/my_permissions", json={"organization_id": "acme"}, headers=_user("vic"))
    assert got.json() == [{"name": "projects.read", "resource": "projects", "action": "read"}]
    other = await api.post("/rest/v1/rpc/my_permissions", json={"user_id": "ann"}, headers=_user("vic"))
    assert other.status_code == 403
    by_service = await api.post("/rest/v1/rpc/my_permissions", json={"user_id": "ann"})
    assert by_service.json() == [{"name": "everything", "resource": "*", "action": "manage"}]
    anon = ANON
    assert (await api.post("/rest/v1/rpc/has_permission", json={"permission": "x:y"}, headers=anon)).status_code == 401
    assert (await api.post("/rest/v1/rpc/has_permission", json={}, headers=_user("vic"))).status_code == 400
