"""The one access question (docbase.access.decide), asked directly as a new transport would ask it.

Each test serves a small document on both databases, writes two tenants'
rows as service_role over REST, then asks the app's ``Access`` object: on
SQLite its row filter decides, on PostgreSQL ``begin`` hands the question to
row-level security; either way a member sees only their own tenant.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from docbase.access.decide import Denied, ServiceRoleOnly, TablePermissions
from docbase.access.principal import Principal
from docbase.api.errors import ApiError
from docbase.api.sql.compiled import compile_statement
from docbase.pipeline import build_schema

from ..tenants import TwoTenants, new_id, serve

SECRET = "test-secret-for-docbase-decide-0123456789abcdef"
DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, name text, email text UNIQUE, password_hash text);
CREATE TABLE workspaces (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE memberships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('owner', 'member'))
);
CREATE TABLE notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  body text,
  webhook_secret text
);
```
"""


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)


@pytest.fixture
async def world(db_url: str):
    client, app = serve(build_schema(DOC, "notes.md"), db_url, SECRET)
    w = TwoTenants(c=client, secret=SECRET)
    await w.add_users("users", ("a", "b"))
    await w.add_tenants("workspaces", lambda n: {"name": f"ws {n}"})
    await w.add_members("memberships", [("A", "a", "owner"), ("B", "b", "owner")], tenant="workspace_id")
    notes = {n: new_id() for n in w.tenants}
    await w.ok("POST", "notes", [{"id": notes[n], "workspace_id": t, "body": n} for n, t in w.tenants.items()])
    yield w, app, notes
    await client.aclose()
    await app.state.db.close()


def claims(w: TwoTenants, who: str) -> dict[str, Any]:
    if who in ("anon", "service_role"):
        return {"role": who}
    return {"role": "authenticated", "sub": w.users[who]}


async def seen(app: Any, table: str, who: dict[str, Any]) -> set[str]:
    """The ids of ``table`` the caller reads, asking only the interface (require, begin, row_filter)."""
    gate, catalog = app.state.rest.gate, app.state.catalog
    gate.require(table, "select", Principal.of(who))
    alias = catalog.sa_table(table).alias("t0")
    allowed = gate.row_filter(table, alias, "select", who["role"])
    stmt = sa.select(sa.cast(alias.c.id, sa.Text)).where(*([] if allowed is None else [allowed]))
    compiled = compile_statement(stmt, catalog.dialect)
    async with app.state.db.transaction(readonly=True) as tx:
        await gate.begin(tx, Principal.of(who))
        return {r[0] for r in await tx.rows(compiled.sql, compiled.params([], who.get("sub")))}


async def test_a_member_sees_only_their_tenant_and_service_role_sees_all(world):
    w, app, notes = world
    assert await seen(app, "notes", claims(w, "a")) == {notes["A"]}
    assert await seen(app, "notes", claims(w, "b")) == {notes["B"]}
    assert await seen(app, "workspaces", claims(w, "a")) == {w.tenants["A"]}
    assert await seen(app, "notes", claims(w, "service_role")) == set(notes.values())


async def test_anon_is_refused_the_table_before_any_row(world):
    w, app, _ = world
    with pytest.raises(Denied) as refused:
        await seen(app, "notes", claims(w, "anon"))
    assert (refused.value.status, refused.value.code) == (401, "42501")
    assert not app.state.rest.gate.allows("notes", "select", Principal("anon"))


async def test_a_member_cannot_write_into_another_tenant(world):
    """SQLite: the WITH CHECK statement the interface gives refuses the row; PostgreSQL: the database does."""
    w, app, _ = world
    gate, catalog = app.state.rest.gate, app.state.catalog
    who = claims(w, "a")
    row = {"id": new_id(), "workspace_id": w.tenants["B"], "body": "planted", "webhook_secret": None}
    own = dict(row, id=new_id(), workspace_id=w.tenants["A"])
    check = gate.check_statement("notes", "insert", "authenticated")
    if gate.rows_here:
        compiled = compile_statement(check, catalog.dialect)
        names = [c.name for c in catalog.tables["notes"].columns]
        async with app.state.db.transaction(readonly=True) as tx:
            assert not await tx.value(compiled.sql, compiled.params([row[n] for n in names], who["sub"]))
            assert await tx.value(compiled.sql, compiled.params([own[n] for n in names], who["sub"]))
        return
    assert check is None  # PostgreSQL: the interface says so, and row-level security decides
    insert = "INSERT INTO notes (id, workspace_id, body) VALUES ($1::uuid, $2::uuid, $3)"
    with pytest.raises(ApiError) as refused:
        async with app.state.db.transaction() as tx:
            await gate.begin(tx, Principal.of(who))
            await tx.value(insert, [row["id"], row["workspace_id"], row["body"]])
    assert (refused.value.status, refused.value.code) == (403, "42501")
    async with app.state.db.transaction() as tx:
        await gate.begin(tx, Principal.of(who))
        await tx.value(insert, [own["id"], own["workspace_id"], own["body"]])
    assert own["id"] in await seen(app, "notes", who)


async def test_hidden_columns_are_not_in_the_visible_set(world):
    _, app, _ = world
    gate = app.state.rest.gate
    assert gate.hidden("notes", "authenticated") == {"webhook_secret"}
    assert "password_hash" in gate.hidden("users", "authenticated")  # a credential column (docbase.auth)
    assert gate.returning("notes", "authenticated") == ("id", "workspace_id", "body")
    assert gate.hidden("notes", "service_role") == frozenset()
    assert gate.returning("notes", "service_role") is None
    with pytest.raises(Denied):
        gate.columns("notes", "authenticated")["webhook_secret"]
    assert "webhook_secret" in gate.columns("notes", "service_role")


async def test_the_interface_says_which_database_decides_the_rows(world, db_url):
    _, app, _ = world
    gate = app.state.rest.gate
    alias = app.state.catalog.sa_table("notes").alias("t0")
    assert gate.rows_here is db_url.startswith("sqlite")
    assert (gate.row_filter("notes", alias, "select", "authenticated") is None) is not gate.rows_here
    assert gate.row_filter("notes", alias, "select", "service_role") is None


def test_service_role_only_admits_service_role_with_everything():
    schema = build_schema(DOC, "notes.md")
    columns = {t.name: {c.name: c for c in t.columns} for t in schema.tables}
    nobody = ServiceRoleOnly(columns)
    for role, status in (("anon", 401), ("authenticated", 403)):
        with pytest.raises(Denied) as refused:
            nobody.require("notes", "select", Principal(role))
        assert refused.value.status == status
    nobody.require("notes", "delete", Principal("service_role"))
    assert nobody.hidden("notes", "service_role") == frozenset()
    assert "webhook_secret" in nobody.columns("notes", "service_role")
    assert nobody.check_statement("notes", "insert", "service_role") is None


def test_table_permissions_follow_the_rules_table():
    from docbase.access import build_access

    schema = build_schema(DOC, "notes.md")
    permissions = TablePermissions(schema, build_access(schema), {"users": ("password_hash",)})
    assert permissions.allows("notes", "select", Principal("authenticated"))
    assert not permissions.allows("notes", "select", Principal("anon"))
    assert not permissions.usable("notes", "anon")
    assert permissions.hidden("users", "anon") >= {"password_hash"}
