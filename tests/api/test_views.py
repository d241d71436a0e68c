"""A view never reads past its base table's row rules, on either database.

PostgreSQL: docbase creates the document's views ``security_invoker`` so the
base table's row-level security applies to the caller. SQLite: the base
table's rule is applied through the view's copy of the base's primary key;
a view without it is refused (403 naming the view), never served unfiltered.
"""

from __future__ import annotations

import pytest

from docbase.auth import keys
from docbase.pipeline import build_schema

from ..tenants import new_id, serve, token

SECRET = "test-secret-for-docbase-views-0123456789"

DOC = """# Notes

```sql
CREATE TABLE notes (id integer PRIMARY KEY, owner uuid NOT NULL, body text NOT NULL);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own notes" ON notes FOR SELECT TO authenticated USING (owner = auth.uid());
CREATE VIEW my_notes AS SELECT id, upper(body) AS shout FROM notes;
CREATE VIEW note_bodies AS SELECT body FROM notes;
```
"""


@pytest.fixture
async def notes(db_url: str):
    schema = build_schema(DOC, "notes.md")
    client, app = serve(schema, db_url, SECRET)
    a, b = new_id(), new_id()
    service = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}
    async with client:
        rows = [{"id": 1, "owner": a, "body": "mine"}, {"id": 2, "owner": b, "body": "theirs"}]
        assert (await client.post("/rest/v1/notes", json=rows, headers=service)).status_code == 201
        client.dialect = "postgresql" if db_url.startswith("postgresql") else "sqlite"
        yield client, token(SECRET, a), service
    await app.state.db.close()


async def test_a_view_shows_only_the_callers_rows(notes) -> None:
    client, alice, service = notes
    response = await client.get("/rest/v1/my_notes?select=id,shout&order=id", headers=alice)
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": 1, "shout": "MINE"}]
    everyone = await client.get("/rest/v1/my_notes?order=id", headers=service)
    assert everyone.json() == [{"id": 1, "shout": "MINE"}, {"id": 2, "shout": "THEIRS"}]
    anon = await client.get("/rest/v1/my_notes", headers={"apikey": keys.anon_key(SECRET)})
    assert anon.status_code == 401, anon.text


async def test_a_view_without_the_base_key(notes) -> None:
    client, alice, service = notes
    response = await client.get("/rest/v1/note_bodies", headers=alice)
    if client.dialect == "postgresql":  # row-level security of notes, as the caller
        assert response.json() == [{"body": "mine"}]
    else:
        assert response.status_code == 403, response.text
        assert response.json()["message"] == "permission denied for view note_bodies"
        assert "primary key" in response.json()["details"]
    assert len((await client.get("/rest/v1/note_bodies", headers=service)).json()) == 2
