"""A soft delete is judged by the delete rule on both databases, never by the update rule."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

SECRET = "test-secret-for-docbase-soft-delete-gate"
# Owners may edit their notes but delete only drafts; "tasks" may be deleted by their owner and never edited.
DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE notes (id int PRIMARY KEY, owner_id uuid NOT NULL REFERENCES users(id), body text,
                    is_deleted boolean DEFAULT false);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "read own" ON notes FOR SELECT USING (auth.uid() = owner_id);
CREATE POLICY "edit own" ON notes FOR UPDATE USING (auth.uid() = owner_id);
CREATE POLICY "drop drafts" ON notes FOR DELETE USING (auth.uid() = owner_id AND body = 'draft');
CREATE TABLE tasks (id int PRIMARY KEY, owner_id uuid NOT NULL REFERENCES users(id), title text,
                    deleted_at timestamptz);
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY "read own tasks" ON tasks FOR SELECT USING (auth.uid() = owner_id);
CREATE POLICY "drop own tasks" ON tasks FOR DELETE USING (auth.uid() = owner_id);
CREATE POLICY "tasks never change" ON tasks FOR UPDATE USING (false);
```
"""
ANN, BOB = str(uuid.uuid4()), str(uuid.uuid4())
SERVICE = {"apikey": keys.service_key(SECRET)}


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "role": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


@pytest.fixture
async def c(db_url):
    schema = build_schema(DOC, "notes.md")
    assert not schema.errors, schema.diagnostics
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for table, rows in (
            ("users", [{"id": ANN}, {"id": BOB}]),
            ("notes", [{"id": 1, "owner_id": ANN, "body": "final"}, {"id": 2, "owner_id": ANN, "body": "draft"}]),
            ("tasks", [{"id": 1, "owner_id": ANN, "title": "t"}, {"id": 2, "owner_id": BOB, "title": "u"}]),
        ):
            assert (await client.post(f"/rest/v1/{table}", json=rows, headers=SERVICE)).status_code == 201
        yield client
    await app.state.db.close()


async def _marked(c, table: str) -> list[int]:
    rows = (await c.get(f"/rest/v1/{table}?select=id&include_deleted=true&order=id", headers=SERVICE)).json()
    live = {r["id"] for r in (await c.get(f"/rest/v1/{table}?select=id", headers=SERVICE)).json()}
    return [r["id"] for r in rows if r["id"] not in live]


async def test_a_role_that_may_update_but_not_delete_cannot_soft_delete(c):
    ann = bearer(ANN)
    edited = await c.patch("/rest/v1/notes?id=eq.1", json={"body": "final!"}, headers=ann)
    assert edited.status_code == 204
    gone = await c.delete("/rest/v1/notes?id=eq.1", headers={**ann, "Prefer": "return=representation"})
    assert gone.status_code == 200 and gone.json() == []
    assert await _marked(c, "notes") == []
    # the same request may still delete what the delete rule admits: the draft
    gone = await c.delete("/rest/v1/notes?id=in.(1,2)", headers={**ann, "Prefer": "return=representation"})
    assert [r["id"] for r in gone.json()] == [2]
    assert await _marked(c, "notes") == [2]
    assert [r["id"] for r in (await c.get("/rest/v1/notes?select=id", headers=ann)).json()] == [1]


async def test_a_role_that_may_delete_but_not_update_can_soft_delete(c):
    assert (await c.patch("/rest/v1/tasks?id=eq.1", json={"title": "x"}, headers=bearer(ANN))).status_code == 204
    assert (await c.get("/rest/v1/tasks?select=title&id=eq.1", headers=SERVICE)).json() == [{"title": "t"}]
    gone = await c.delete("/rest/v1/tasks?id=gt.0", headers={**bearer(ANN), "Prefer": "return=representation"})
    assert gone.status_code == 200 and [r["id"] for r in gone.json()] == [1]
    assert await _marked(c, "tasks") == [1]  # Bob's task untouched


async def test_others_and_anon_cannot_soft_delete(c):
    await c.delete("/rest/v1/notes?id=eq.2", headers=bearer(BOB))
    anon = await c.delete("/rest/v1/notes?id=eq.2", headers={"apikey": keys.anon_key(SECRET)})
    assert anon.status_code == 401
    assert await _marked(c, "notes") == []


async def test_put_on_a_soft_delete_table_inserts_and_replaces_one_row(c):
    """PUT names its row by the caller's key filter alone: hiding marked rows adds no second filter (was 405)."""
    row = {"id": 3, "owner_id": ANN, "body": "new", "is_deleted": False}
    made = await c.put("/rest/v1/notes?id=eq.3", json=row, headers={**SERVICE, "Prefer": "return=representation"})
    assert (made.status_code, made.json()) == (201, [row])  # created (PostgREST 12)
    replaced = await c.put("/rest/v1/notes?id=eq.3", json={**row, "body": "again"}, headers=SERVICE)
    assert (replaced.status_code, replaced.content) == (204, b"")
    task = {"id": 1, "owner_id": ANN, "title": "renamed", "deleted_at": None}
    assert (await c.put("/rest/v1/tasks?id=eq.1", json=task, headers=SERVICE)).status_code == 204
    notes = await c.get("/rest/v1/notes?select=id,body&order=id", headers=SERVICE)
    assert notes.json() == [{"id": 1, "body": "final"}, {"id": 2, "body": "draft"}, {"id": 3, "body": "again"}]
    tasks = await c.get("/rest/v1/tasks?select=id,title&order=id", headers=SERVICE)
    assert tasks.json() == [{"id": 1, "title": "renamed"}, {"id": 2, "title": "u"}]
    loose = await c.put("/rest/v1/notes?id=eq.3&body=eq.again", json=row, headers=SERVICE)
    assert (loose.status_code, loose.json()["code"]) == (405, "PGRST105")  # a second filter is still refused


async def test_the_mark_cannot_be_set_by_patch_or_upsert(c):
    """Ann may edit note 1 but not delete it: writing its soft-delete mark directly is refused too."""
    ann = bearer(ANN)
    for response in (
        await c.patch("/rest/v1/notes?id=eq.1", json={"is_deleted": True}, headers=ann),
        await c.post(
            "/rest/v1/notes",
            json={"id": 1, "body": "final", "is_deleted": True},
            headers={**ann, "Prefer": "resolution=merge-duplicates"},
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "42501"
        assert response.json()["details"].startswith('column "is_deleted" is the soft-delete mark')
    assert await _marked(c, "notes") == []
    restored = await c.patch("/rest/v1/notes?id=eq.2", json={"is_deleted": False}, headers=SERVICE)
    assert restored.status_code == 204


async def test_an_upsert_may_not_set_the_owner_column_on_either_database(c):
    """The document leaves INSERT to docbase (owners insert their own notes) and its UPDATE policy lets owners
    edit, but the owner column is never granted for UPDATE: PostgreSQL refuses a PUT (an upsert whose
    DO UPDATE sets every column) at plan time, new row or not, and SQLite must answer the same."""
    ann = bearer(ANN)
    posted = await c.post("/rest/v1/notes", json={"id": 3, "owner_id": ANN, "body": "mine"}, headers=ann)
    assert posted.status_code == 201
    row = {"owner_id": ANN, "body": "mine", "is_deleted": False}
    for key in (1, 4):  # an existing row of Ann's and a new one
        put = await c.put(f"/rest/v1/notes?id=eq.{key}", json={"id": key, **row}, headers=ann)
        assert (put.status_code, put.json()["code"], put.json()["message"]) == (
            403,
            "42501",
            "permission denied for table notes",
        )
    merged = await c.post(
        "/rest/v1/notes", json={"id": 5, **row}, headers={**ann, "Prefer": "resolution=merge-duplicates"}
    )
    assert (merged.status_code, merged.json()["code"]) == (403, "42501")
    rows = (await c.get("/rest/v1/notes?select=id,body&order=id", headers=SERVICE)).json()
    assert rows == [{"id": 1, "body": "final"}, {"id": 2, "body": "draft"}, {"id": 3, "body": "mine"}]
