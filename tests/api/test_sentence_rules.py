"""A rule written as a sentence is enforced by the database on SQLite and PostgreSQL alike."""

from __future__ import annotations

import httpx

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Tasks

## tasks

| Column | Type | Notes |
|---|---|---|
| id | integer | PK |
| title | text | |
| priority | integer | |
| status | text | |

Priority must be between 1 and 5.
The status is draft, active or done.
The title is required.
"""


async def test_values_a_sentence_forbids_are_refused(db_url: str, service_headers) -> None:
    schema = build_schema(DOC, "tasks.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        ok = await client.post("/rest/v1/tasks", json={"id": 1, "title": "a", "priority": 5, "status": "draft"})
        assert ok.status_code == 201, ok.text
        for body, status, code in [
            ({"id": 2, "title": "b", "priority": 7, "status": "draft"}, 400, "23514"),
            ({"id": 3, "title": "c", "priority": 0}, 400, "23514"),
            ({"id": 4, "title": "d", "priority": 2, "status": "lost"}, 400, "23514"),
            ({"id": 5, "priority": 2}, 400, "23502"),
        ]:
            response = await client.post("/rest/v1/tasks", json=body)
            assert (response.status_code, response.json()["code"]) == (status, code), response.text
        rows = (await client.get("/rest/v1/tasks?select=id,priority")).json()
        assert rows == [{"id": 1, "priority": 5}]
    await app.state.db.close()
