"""SQLite answers as PostgreSQL does where PostgREST's clients can tell: a serial id is never reused."""

from __future__ import annotations

import httpx

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = "```sql\nCREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);\n```\n"


async def test_a_deleted_serial_id_is_not_given_again(db_url, service_headers):
    schema = build_schema(DOC, "notes.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        client.headers["Prefer"] = "return=representation"
        made = await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        assert [r["id"] for r in made.json()] == [1, 2, 3]
        assert (await client.delete("/rest/v1/notes?id=eq.3")).status_code == 200
        again = await client.post("/rest/v1/notes", json={"body": "d"})
        assert again.json() == [{"id": 4, "body": "d"}]
    await app.state.db.close()
