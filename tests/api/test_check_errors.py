"""A write a CHECK refuses answers as PostgreSQL does, on both databases: 400, 23514, and PostgreSQL's
message naming the relation and the constraint (``new row for relation "tasks" violates check constraint
"tasks_priority_check"``), so client code that reads ``message`` behaves the same on SQLite."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Tasks

```sql
CREATE TABLE tasks (
  id integer PRIMARY KEY,
  priority integer CHECK (priority BETWEEN 1 AND 5),
  starts date,
  ends date,
  CHECK (starts <= ends)
);
```

A task's status is todo, doing or done.
"""


@pytest.fixture
async def api(db_url: str, service_headers):
    schema = build_schema(DOC.replace("  ends date,\n", "  ends date,\n  status text,\n"), "tasks.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        yield client
    await app.state.db.close()


@pytest.mark.parametrize(
    ("row", "constraint"),
    [
        ({"id": 1, "priority": 9}, "tasks_priority_check"),
        ({"id": 2, "starts": "2026-02-01", "ends": "2026-01-01"}, "tasks_check"),
        ({"id": 3, "status": "lost"}, "tasks_status_check"),
    ],
)
async def test_a_refused_row_names_the_relation_and_constraint(api, row, constraint):
    got = await api.post("/rest/v1/tasks", json=row)
    assert got.status_code == 400, got.text
    body = got.json()
    assert (body["code"], body["message"]) == (
        "23514",
        f'new row for relation "tasks" violates check constraint "{constraint}"',
    )
    assert (await api.get("/rest/v1/tasks")).json() == []
