"""RBAC tables: found in two spellings; has_permission / my_permissions answer from the rows, at once."""

from __future__ import annotations

import pytest

from docbase.pipeline import build_schema
from docbase.rules.rbac import detect_rbac

from .serving import ANON, rows, service_client, signed_in

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
    """SNAKE with vic, a viewer in acme (projects.read), and ann, an admin everywhere (*:manage)."""
    async with service_client(SNAKE, db_url) as client:
        await rows(
            client,
            ("users", [{"id": "vic"}, {"id": "ann"}]),
            ("organizations", [{"id": "acme"}, {"id": "other"}]),
            ("roles", [{"id": "viewer", "name": "viewer"}, {"id": "admin", "name": "admin"}]),
            ("permissions", [
                {"id": "p1", "name": "projects.read", "resource": "projects", "action": "read"},
                {"id": "p2", "name": "projects.update", "resource": "projects", "action": "update"},
                {"id": "p3", "name": "everything", "resource": "*", "action": "manage"},
            ]),
            ("role_permissions", [
                {"role_id": "viewer", "permission_id": "p1"}, {"role_id": "admin", "permission_id": "p3"},
            ]),
            ("user_roles", [
                {"user_id": "vic", "role_id": "viewer", "organization_id": "acme"},
                {"user_id": "ann", "role_id": "admin", "organization_id": None},
            ]),
        )  # fmt: skip
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


async def _projects(api, who: str) -> set[str]:
    got = await api.get("/rest/v1/projects?select=name", headers=_user(who))
    assert got.status_code == 200, got.text
    return {r["name"] for r in got.json()}


async def test_the_permission_rows_decide_who_reads_and_updates_a_table_they_name(api):
    await api.post(
        "/rest/v1/projects", json=[{"organization_id": "acme", "name": "a"}, {"organization_id": "other", "name": "o"}]
    )
    assert await _projects(api, "vic") == {"a"}  # projects.read, in acme only
    assert await _projects(api, "ann") == {"a", "o"}  # *:manage, assigned without a tenant: everywhere
    rename = await api.patch(
        "/rest/v1/projects?name=eq.a", json={"name": "b"}, headers=_user("vic") | {"Prefer": "return=representation"}
    )
    assert rename.json() == []  # a viewer without projects:update changes nothing
    await rows(api, ("role_permissions", {"role_id": "viewer", "permission_id": "p2"}))
    rename = await api.patch(
        "/rest/v1/projects?name=eq.a", json={"name": "b"}, headers=_user("vic") | {"Prefer": "return=representation"}
    )
    assert [r["name"] for r in rename.json()] == ["b"]  # the next request sees the granted row
    insert = await api.post("/rest/v1/projects", json={"organization_id": "acme", "name": "c"}, headers=_user("vic"))
    assert insert.status_code == 403  # nothing grants create


async def test_a_member_cannot_assign_themself_a_role(api):
    got = await api.post(
        "/rest/v1/user_roles",
        json={"user_id": "vic", "role_id": "admin", "organization_id": "acme"},
        headers=_user("vic"),
    )
    assert got.status_code in (401, 403), got.text
    assert await _has(api, "vic", "projects:delete") is False


CAMEL_ACCESS = """# Workspaces

```sql
CREATE TABLE "User" ("id" text PRIMARY KEY);
CREATE TABLE "Workspace" ("id" text PRIMARY KEY, "title" text);
CREATE TABLE "Role" ("id" text PRIMARY KEY, "name" text NOT NULL);
CREATE TABLE "Permission" ("id" text PRIMARY KEY, "resource" text NOT NULL, "action" text NOT NULL);
CREATE TABLE "RolePermission" ("id" serial PRIMARY KEY, "roleId" text NOT NULL REFERENCES "Role"("id"),
                               "permissionId" text NOT NULL REFERENCES "Permission"("id"));
CREATE TABLE "Membership" ("id" serial PRIMARY KEY, "userId" text NOT NULL REFERENCES "User"("id"),
                           "roleId" text NOT NULL REFERENCES "Role"("id"), "workspaceId" text REFERENCES "Workspace"("id"));
CREATE TABLE "Task" ("id" serial PRIMARY KEY, "workspaceId" text NOT NULL REFERENCES "Workspace"("id"), "points" integer);
CREATE TABLE "Note" ("id" serial PRIMARY KEY, "workspaceId" text NOT NULL REFERENCES "Workspace"("id"), "body" text);
```
"""


@pytest.fixture
async def camel(db_url):
    """CAMEL_ACCESS with cat, a clerk in workspace w1; the clerk role holds no permission yet."""
    async with service_client(CAMEL_ACCESS, db_url) as client:
        await rows(
            client,
            ("User", [{"id": "cat"}]),
            ("Workspace", [{"id": "w1"}]),
            ("Role", [{"id": "clerk", "name": "clerk"}]),
            ("Membership", [{"userId": "cat", "roleId": "clerk", "workspaceId": "w1"}]),
        )
        yield client


async def _grant_clerk(api, pid: str, resource: str, action: str) -> None:
    await rows(
        api,
        ("Permission", [{"id": pid, "resource": resource, "action": action}]),
        ("RolePermission", [{"roleId": "clerk", "permissionId": pid}]),
    )


async def test_camel_case_tables_named_by_a_permission_follow_it_and_others_keep_membership(camel):
    api = camel
    await _grant_clerk(api, "pay", "Tasks", "create")
    await rows(api, ("Task", [{"workspaceId": "w1", "points": 5}]), ("Note", [{"workspaceId": "w1", "body": "hi"}]))
    cat = _user("cat")
    assert (await api.get("/rest/v1/Note?select=body", headers=cat)).json() == [
        {"body": "hi"}
    ]  # no permission names notes
    assert (await api.get("/rest/v1/Task?select=points", headers=cat)).json() == []  # create, not read
    await _grant_clerk(api, "see", "task", "read")
    assert (await api.get("/rest/v1/Task?select=points", headers=cat)).json() == [{"points": 5}]
    made = await api.post("/rest/v1/Task", json={"workspaceId": "w1", "points": 7}, headers=cat)
    assert made.status_code == 201, made.text  # "Tasks" create, named in another spelling
    refused = await api.patch(
        "/rest/v1/Task?points=eq.7", json={"points": 8}, headers=cat | {"Prefer": "return=representation"}
    )
    assert refused.json() == []  # nothing grants update
    got = await api.get("/rest/v1/Task?select=points&order=points", headers=cat)
    assert got.json() == [{"points": 5}, {"points": 7}]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_seed_002_permissions_decide_access_through_the_official_client(tmp_path, db_url):
    """Seed 002: a viewer without billing_history:read is refused; granting the row lets the same request
    through on the next call; a viewer cannot make themself an admin."""
    from postgrest.exceptions import APIError
    from supabase import create_client

    from ..api.test_serve import Server
    from ..conftest import seed_file

    server = Server(tmp_path, db_url, document=seed_file("002").read_text())
    server.start()
    try:
        service = create_client(server.base, server.service_key)
        vera = service.auth.admin.create_user(
            {"email": "vera@example.com", "password": "correct horse", "email_confirm": True}
        ).user
        org = "00000000-0000-4000-8000-0000000000b1"
        service.table("organizations").insert({"id": org, "name": "Acme", "slug": "acme"}).execute()
        roles = service.table("roles").insert([{"name": "viewer"}, {"name": "org_admin"}]).execute().data
        viewer, admin = (r["id"] for r in roles)
        perms = service.table("permissions").insert([
            {"name": "billing.read", "resource": "billing_history", "action": "read"},
            {"name": "everything", "resource": "*", "action": "manage"},
        ]).execute().data  # fmt: skip
        read, everything = (p["id"] for p in perms)
        service.table("role_permissions").insert({"role_id": admin, "permission_id": everything}).execute()
        service.table("user_roles").insert({"user_id": vera.id, "role_id": viewer, "organization_id": org}).execute()
        service.table("billing_history").insert({"organization_id": org, "amount": 900, "status": "paid"}).execute()

        client = create_client(server.base, server.anon_key)
        client.auth.sign_in_with_password({"email": "vera@example.com", "password": "correct horse"})
        assert client.table("billing_history").select("amount").execute().data == []  # refused: no billing.read
        service.table("role_permissions").insert({"role_id": viewer, "permission_id": read}).execute()
        assert client.table("billing_history").select("amount").execute().data == [{"amount": 900}]
        assert (
            client.rpc("has_permission", {"permission": "billing.read", "organization_id": org}).execute().data is True
        )
        with pytest.raises(APIError):
            client.table("user_roles").insert({"user_id": vera.id, "role_id": admin, "organization_id": org}).execute()
        assert (
            client.rpc("has_permission", {"permission": "billing_history:delete", "organization_id": org})
            .execute()
            .data
            is False
        )
    finally:
        server.stop()


def test_docbase_toml_adds_resource_aliases_and_opts_tables_out():
    from docbase.access import build_access
    from docbase.access.overrides import parse_overrides
    from docbase.access.rbac import rbac_notes

    schema = build_schema(CAMEL_ACCESS)
    model = build_access(schema)
    assert dict(model.rbac.tables)["Task"] == ("task", "tasks")
    assert any(n.startswith("d.md:") and "Task: rbac:" in n for n in rbac_notes(schema, model, "d.md"))
    rules = {"Task": {"resource": ["todo"]}, "Note": {"rbac": False}}
    tuned = build_access(schema, parse_overrides({"rules": rules})).rbac
    assert "todo" in dict(tuned.tables)["Task"] and "Note" not in dict(tuned.tables)
    assert build_access(schema, parse_overrides({"rules": {"rbac": False}})).rbac is None


async def test_edits_to_the_rbac_tables_need_their_permission_and_grant_nothing_beyond_the_writers(api):
    vic, ann = _user("vic"), _user("ann")
    assert (await api.post("/rest/v1/roles", json={"id": "x", "name": "x"}, headers=vic)).status_code == 403
    made = await api.post("/rest/v1/roles", json={"id": "auditor", "name": "auditor"}, headers=ann)
    assert made.status_code == 201, made.text  # ann's global *:manage covers roles:create
    await rows(api, ("users", [{"id": "zed"}]))
    await rows(api, ("roles", [{"id": "hr", "name": "hr"}, {"id": "pv", "name": "project_viewer"}]))
    await rows(api, ("permissions", [
        {"id": "p4", "name": "assign", "resource": "user_roles", "action": "create"},
        {"id": "p5", "name": "projects.delete", "resource": "projects", "action": "delete"},
    ]))  # fmt: skip
    await rows(api, ("role_permissions", [
        {"role_id": "hr", "permission_id": "p4"}, {"role_id": "pv", "permission_id": "p5"},
    ]))  # fmt: skip
    await rows(api, ("user_roles", {"user_id": "vic", "role_id": "hr", "organization_id": "acme"}))
    beyond = {"user_id": "zed", "role_id": "pv", "organization_id": "acme"}
    refused = await api.post("/rest/v1/user_roles", json=beyond, headers=vic)
    assert refused.status_code == 403, refused.text  # project_viewer holds projects:delete, vic does not
    within = {"user_id": "zed", "role_id": "viewer", "organization_id": "acme"}
    assert (await api.post("/rest/v1/user_roles", json=within, headers=vic)).status_code == 201
    grant = {"role_id": "viewer", "permission_id": "p5"}
    assert (await api.post("/rest/v1/role_permissions", json=grant, headers=vic)).status_code == 403
    await rows(api, ("role_permissions", {"role_id": "hr", "permission_id": "p5"}))  # vic now holds it
    assert (await api.post("/rest/v1/user_roles", json=beyond, headers=vic)).status_code == 201


async def test_openapi_documents_the_rules_rpcs_to_signed_in_callers(api):
    spec = (await api.get("/rest/v1/", headers=_user("vic"))).json()
    has = spec["paths"]["/rest/v1/rpc/has_permission"]["post"]
    assert has["requestBody"]["content"]["application/json"]["schema"]["required"] == ["permission"]
    assert (
        "organization_id"
        in spec["paths"]["/rest/v1/rpc/my_permissions"]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "properties"
        ]
    )
    assert not any("/rpc/" in p for p in (await api.get("/rest/v1/", headers=ANON)).json()["paths"])


NAMED = """# Teams

```sql
CREATE TABLE users (id text PRIMARY KEY);
CREATE TABLE teams (id text PRIMARY KEY);
CREATE TABLE roles (id text PRIMARY KEY, name text);
CREATE TABLE permissions (id text PRIMARY KEY, code text UNIQUE NOT NULL);
CREATE TABLE role_permissions (role_id text NOT NULL REFERENCES roles(id), permission_id text NOT NULL REFERENCES permissions(id),
                               PRIMARY KEY (role_id, permission_id));
CREATE TABLE user_roles (id serial PRIMARY KEY, user_id text NOT NULL REFERENCES users(id),
                         role_id text NOT NULL REFERENCES roles(id), team_id text REFERENCES teams(id));
CREATE TABLE documents (id serial PRIMARY KEY, team_id text NOT NULL REFERENCES teams(id), title text);
```
"""


@pytest.fixture
async def named(db_url):
    """NAMED (permissions given only by a code: Documents.Read, documents:write) with pat, a reader in team t1
    whose role holds no permission yet, and one document of t1's."""
    async with service_client(NAMED, db_url) as client:
        await rows(
            client,
            ("users", [{"id": "pat"}]),
            ("teams", [{"id": "t1"}]),
            ("roles", [{"id": "reader", "name": "reader"}]),
            ("permissions", [{"id": "dr", "code": "Documents.Read"}, {"id": "dw", "code": "documents:write"}]),
            ("user_roles", [{"user_id": "pat", "role_id": "reader", "team_id": "t1"}]),
            ("documents", [{"team_id": "t1", "title": "plan"}]),
        )
        yield client


async def test_permissions_named_resource_colon_action_decide_tables_too(named):
    api, pat = named, _user("pat")
    assert (await api.get("/rest/v1/documents?select=title", headers=pat)).json() == []
    await rows(api, ("role_permissions", {"role_id": "reader", "permission_id": "dr"}))
    assert (await api.get("/rest/v1/documents?select=title", headers=pat)).json() == [{"title": "plan"}]
    made = await api.post("/rest/v1/documents", json={"team_id": "t1", "title": "x"}, headers=pat)
    assert made.status_code == 403
    await rows(api, ("role_permissions", {"role_id": "reader", "permission_id": "dw"}))
    made = await api.post("/rest/v1/documents", json={"team_id": "t1", "title": "x"}, headers=pat)
    assert made.status_code == 201, made.text


async def _editor_of_rbac(api, *permissions: tuple[str, str, str]) -> dict[str, str]:
    """pat: a viewer in acme (projects:read) who also holds ``permissions`` (id, resource, action) everywhere."""
    await rows(
        api,
        ("users", [{"id": "pat"}]),
        ("roles", {"id": "editor_of_rbac", "name": "rbac editor"}),
        ("permissions", [{"id": p, "name": p, "resource": r, "action": a} for p, r, a in permissions]),
        ("role_permissions", [{"role_id": "editor_of_rbac", "permission_id": p} for p, _, _ in permissions]),
        ("user_roles", [
            {"user_id": "pat", "role_id": "editor_of_rbac", "organization_id": None},
            {"user_id": "pat", "role_id": "viewer", "organization_id": "acme"},
        ]),
    )  # fmt: skip
    return _user("pat") | {"Prefer": "return=representation"}


async def test_a_permission_row_is_rewritten_only_into_what_its_writer_holds(api):
    pat = await _editor_of_rbac(api, ("perm_edit", "permissions", "update"))
    # projects.read is held by every viewer, pat included: turning it into *:manage would make them all admins
    widened = await api.patch("/rest/v1/permissions?id=eq.p1", json={"resource": "*", "action": "manage"}, headers=pat)
    assert widened.status_code == 403 or widened.json() == [], widened.text  # pat holds projects:read in acme only
    assert await _has(api, "pat", "projects:delete") is False
    p1 = (await api.get("/rest/v1/permissions?id=eq.p1&select=resource,action")).json()
    assert p1 == [{"resource": "projects", "action": "read"}]
    raised = await api.patch("/rest/v1/permissions?id=eq.perm_edit", json={"action": "manage"}, headers=pat)
    assert raised.status_code == 403, raised.text  # permissions:manage is more than pat's permissions:update
    renamed = await api.patch("/rest/v1/permissions?id=eq.perm_edit", json={"name": "edit permissions"}, headers=pat)
    assert [p["name"] for p in renamed.json()] == ["edit permissions"]  # within what pat holds: allowed


async def test_a_role_is_renamed_only_to_a_rank_no_higher_than_its_own(api):
    pat = await _editor_of_rbac(api, ("role_edit", "roles", "update"))
    up = await api.patch("/rest/v1/roles?id=eq.viewer", json={"name": "owner"}, headers=pat)
    assert up.status_code == 403, up.text  # every viewer would be an owner in the role order
    assert (await api.get("/rest/v1/roles?id=eq.viewer&select=name")).json() == [{"name": "viewer"}]
    owned = await api.patch("/rest/v1/organizations?id=eq.acme", json={"name": "mine"}, headers=pat)
    assert owned.status_code == 403 or owned.json() == []
    down = await api.patch("/rest/v1/roles?id=eq.viewer", json={"name": "project_viewer"}, headers=pat)
    assert [r["name"] for r in down.json()] == ["project_viewer"]  # lower in the order: allowed
    aside = await api.patch("/rest/v1/roles?id=eq.admin", json={"name": "administrators"}, headers=pat)
    assert [r["name"] for r in aside.json()] == ["administrators"]  # a name outside the order ranks lowest


async def test_a_tenant_owner_assigns_only_roles_whose_permissions_they_hold(api):
    await rows(api, ("users", [{"id": "oscar"}, {"id": "zed"}]))
    await rows(api, ("roles", [{"id": "own", "name": "org_owner"}, {"id": "mem", "name": "member"}]))
    await rows(api, ("user_roles", {"user_id": "oscar", "role_id": "own", "organization_id": "acme"}))
    oscar = _user("oscar")

    def assign(role: str):
        return api.post(
            "/rest/v1/user_roles", json={"user_id": "zed", "role_id": role, "organization_id": "acme"}, headers=oscar
        )

    assert (await assign("admin")).status_code == 403  # *:manage in acme: oscar's owner role holds nothing
    assert (await assign("viewer")).status_code == 403  # projects:read: not oscar's either
    assert await _has(api, "zed", "projects:read") is False
    assert (await assign("mem")).status_code == 201  # a role carrying no permission: the owner's to give
    await rows(api, ("role_permissions", {"role_id": "own", "permission_id": "p3"}))  # by service_role
    made = await assign("admin")
    assert made.status_code == 201, made.text  # the owner now holds *:manage in acme, so may hand it on there
    assert await _has(api, "zed", "projects:delete") is True
    assert await _has(api, "zed", "projects:delete", "other") is False


async def test_has_permission_answers_by_the_rules_table_access_follows(named):
    api, pat = named, _user("pat")
    grants = [{"role_id": "reader", "permission_id": "dr"}, {"role_id": "reader", "permission_id": "dw"}]
    await rows(api, ("role_permissions", grants))
    assert (await api.get("/rest/v1/documents?select=title", headers=pat)).json() == [{"title": "plan"}]

    async def has(permission: str) -> bool:
        got = await api.post(
            "/rest/v1/rpc/has_permission", json={"permission": permission, "team_id": "t1"}, headers=pat
        )
        assert got.status_code == 200, got.text
        return got.json()

    assert await has("documents:read") is True  # the table reads it so; has_permission said false
    assert await has("document.update") is True  # documents:write covers update, in the table's other spelling
    assert await has("teams:read") is False


async def test_has_permission_names_a_table_in_any_of_its_spellings(camel):
    await _grant_clerk(camel, "see", "task", "read")
    body = {"permission": "Tasks:read", "workspaceId": "w1"}
    got = await camel.post("/rest/v1/rpc/has_permission", json=body, headers=_user("cat"))
    assert got.json() is True  # "Tasks" and "task" name one table, as for the table's own access


def test_has_permission_counts_docbase_toml_aliases():
    from docbase.conventions.rbac_sql import holds, same_resource
    from docbase.rules.rbac import detect_rbac

    schema = build_schema(CAMEL_ACCESS)
    rbac = detect_rbac(schema)
    held = [{"name": None, "resource": "todo", "action": "read"}]
    toml = {"rules": {"Task": {"resource": ["todo"]}}}
    assert holds(rbac, held, "task:read", same_resource(schema, toml, "task")) is True
    assert holds(rbac, held, "task:read", same_resource(schema, {}, "task")) is False


def test_docbase_access_says_the_permission_rows_decide_the_rbac_tables_writes():
    from rich.console import Console

    from docbase.access import build_access
    from docbase.access.report import access_table

    console = Console(width=500, record=True)
    console.print(access_table(build_access(build_schema(SNAKE))))
    rows: dict[str, str] = {}
    current = ""
    for line in console.export_text().splitlines():
        if line.startswith("│ "):
            current = line.split("│")[1].strip() or current
            rows[current] = rows.get(current, "") + line
    assert "insert, update, delete: authenticated" not in rows["roles"]  # it said so: anyone signed in
    assert "insert: holders of roles:create without a tenant (rbac)" in rows["roles"]
    assert "delete: owner+, or holders of user_roles:delete there (rbac)" in rows["user_roles"]
    assert "project_viewer+ until a permission names it, then holders of projects:read (rbac)" in rows["projects"]


async def test_a_revoked_permission_stops_the_next_request(api):
    await rows(api, ("projects", [{"organization_id": "acme", "name": "a"}]))
    assert await _projects(api, "vic") == {"a"}
    revoked = await api.delete("/rest/v1/role_permissions?role_id=eq.viewer&permission_id=eq.p1")
    assert revoked.status_code in (200, 204), revoked.text
    assert await _projects(api, "vic") == set()  # the same read, the next request: nothing
    assert await _has(api, "vic", "projects:read") is False
    unassigned = await api.delete("/rest/v1/user_roles?user_id=eq.ann")
    assert unassigned.status_code in (200, 204)
    assert await _projects(api, "ann") == set()  # a global role gone is gone everywhere


async def test_creating_a_tenant_without_the_owner_role_row_says_which_row_is_missing(api):
    made = await api.post("/rest/v1/organizations", json={"id": "mine"}, headers=_user("vic"))
    body = made.json()
    assert (made.status_code, body["code"]) == (400, "P0001"), made.text  # was 23502: null value in role_id
    assert body["message"] == (
        "creating a row of organizations makes its creator its owner (roles.name = 'org_owner'), but roles has no such row"
    )
    assert body["hint"].startswith(
        'Add the role first, as service_role: POST /rest/v1/roles with {"name": "org_owner"}'
    )
    assert (await api.get("/rest/v1/organizations?id=eq.mine")).json() == []
    await rows(api, ("roles", {"id": "own", "name": "org_owner"}))
    made = await api.post("/rest/v1/organizations", json={"id": "mine"}, headers=_user("vic"))
    assert made.status_code == 201, made.text
    owner = (await api.get("/rest/v1/user_roles?organization_id=eq.mine&select=user_id,role_id")).json()
    assert owner == [{"user_id": "vic", "role_id": "own"}]


ALIASED = (
    SNAKE.replace(
        "CREATE TABLE projects",
        "CREATE TABLE invoices (id serial PRIMARY KEY, organization_id text NOT NULL "
        "REFERENCES organizations(id), total integer);\nCREATE TABLE projects",
    )
    + """
## Permissions

The `billing` resource covers invoices and projects.
Permissions on `ledger` apply to the audit_trail table.

### invoices

This table is governed by the `finance` permissions.
"""
)


def test_the_document_names_aliases_in_sentences_and_says_where():
    from docbase.access import build_access
    from docbase.access.overrides import parse_overrides
    from docbase.rules.report import rule_lines

    schema = build_schema(ALIASED, "d.md")
    assert schema.table("invoices").aliases == (("billing", 18), ("finance", 23))
    assert schema.table("projects").aliases == (("billing", 18),)
    assert any(
        d.line == 19 and d.level == "warning" and "no table is named 'audit_trail'" in d.message
        for d in schema.diagnostics
    )  # a sentence naming no table is said, not dropped
    names = dict(build_access(schema).rbac.tables)
    assert {"billing", "finance"} <= set(names["invoices"]) and "billing" in names["projects"]
    lines = rule_lines(schema, "d.md")
    assert "d.md:18: info: rbac: a permission on 'billing' also names invoices, as this line says" in "\n".join(lines)
    off = build_access(schema, parse_overrides({"rules": {"document_aliases": False}})).rbac
    assert "billing" not in dict(off.tables)["invoices"]
    assert any("ignored ([rules] document_aliases = false)" in x for x in rule_lines(schema, "d.md", {"rules": {
        "document_aliases": False}}))  # fmt: skip


async def test_a_permission_on_a_resource_the_document_aliases_decides_the_table(db_url):
    async with service_client(ALIASED, db_url) as api:
        await rows(api, ("users", [{"id": "bea"}, {"id": "cal"}]))
        await rows(api, ("organizations", [{"id": "acme"}]))
        await rows(api, ("roles", [{"id": "clerk", "name": "clerk"}, {"id": "rep", "name": "rep"}]))
        await rows(api, ("permissions", [
            {"id": "b", "name": "billing.read", "resource": "billing", "action": "read"},
            {"id": "s", "name": "sales.read", "resource": "sales", "action": "read"},
        ]))  # fmt: skip
        await rows(api, ("role_permissions", [
            {"role_id": "clerk", "permission_id": "b"}, {"role_id": "rep", "permission_id": "s"},
        ]))  # fmt: skip
        await rows(api, ("user_roles", [
            {"user_id": "bea", "role_id": "clerk", "organization_id": "acme"},
            {"user_id": "cal", "role_id": "rep", "organization_id": "acme"},
        ]))  # fmt: skip
        assert (await api.post("/rest/v1/invoices", json={"organization_id": "acme", "total": 5})).status_code == 201
        bea = await api.get("/rest/v1/invoices?select=total", headers=_user("bea"))
        cal = await api.get("/rest/v1/invoices?select=total", headers=_user("cal"))
        assert bea.json() == [{"total": 5}]  # billing:read covers invoices, as the document says
        assert cal.status_code == 200 and cal.json() == []  # sales:read does not
        body = {"permission": "invoices:read", "organization_id": "acme"}
        got = await api.post("/rest/v1/rpc/has_permission", json=body, headers=_user("bea"))
        assert got.json() is True  # has_permission answers by the same aliases
