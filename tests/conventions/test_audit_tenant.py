"""The audit convention adapts to the table it adopts (issue 16, surprise 1).

A user's ``audit_log`` with a required ``organization_id`` made every API
insert fail with 23502, inserting an organization included. Now the tenant
is copied from the written row (its own key for an organization, its
foreign key under another name), and a table whose rows cannot say which
organization they belong to is left out of the trail with a warning,
never failing the write.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from docbase.api import create_app
from docbase.auth import keys
from docbase.conventions import audit
from docbase.migrate import migrate
from docbase.pipeline import build_schema

SECRET = "test-secret-for-docbase-audit-tenant-0123"
DOC = """# Team tasks

```sql
CREATE TABLE organizations (id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (id text PRIMARY KEY, org text NOT NULL REFERENCES organizations(id), name text);
CREATE TABLE tasks (id text PRIMARY KEY, project_id text NOT NULL REFERENCES projects(id), title text);
CREATE TABLE audit_log (
  id serial PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations(id),
  action text NOT NULL,
  changes jsonb,
  table_name text,
  record_id text
);
```
"""


def test_tables_that_cannot_name_their_organization_are_left_out_with_why():
    assert audit.left_out(build_schema(DOC)) == [
        ("tasks", 6, "writes to tasks are not audited: audit_log.organization_id is required and a tasks row "
                     "does not say which organization"),
    ]  # fmt: skip


def _rows(url: str) -> list[tuple]:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT organization_id, action, table_name FROM audit_log ORDER BY id").all()
        engine.dispose()
        return [tuple(r) for r in found]
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT organization_id, action, table_name FROM audit_log ORDER BY id").fetchall()


@pytest.fixture
async def api(db_url):
    schema = build_schema(DOC)
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    key = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        client.headers.update({"apikey": key, "Authorization": f"Bearer {key}"})
        yield client
    await app.state.db.close()


async def test_every_write_succeeds_and_the_trail_names_the_organization(api, db_url):
    assert (await api.post("/rest/v1/organizations", json={"id": "acme", "name": "Acme"})).status_code == 201
    assert (await api.post("/rest/v1/projects", json={"id": "p1", "org": "acme"})).status_code == 201
    assert (await api.post("/rest/v1/tasks", json={"id": "t1", "project_id": "p1"})).status_code == 201
    assert (await api.patch("/rest/v1/projects?id=eq.p1", json={"name": "Apollo"})).status_code == 204
    assert _rows(db_url) == [
        ("acme", "insert", "organizations"),  # its own key
        ("acme", "insert", "projects"),  # its foreign key, under another name
        ("acme", "update", "projects"),
    ]  # tasks: left out, as inspect warns


def test_inspect_warns_where_the_table_is_stated(tmp_path):
    doc = tmp_path / "design.md"
    doc.write_text(DOC)
    docbase = str(Path(sys.executable).with_name("docbase"))
    done = subprocess.run([docbase, "inspect", str(doc)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert f"{doc}:6: warning: writes to tasks are not audited: audit_log.organization_id is required" in done.stdout
