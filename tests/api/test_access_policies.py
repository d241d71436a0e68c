"""The document's own policies on SQLite: carried over when they can be, refused (fail closed) when not."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from docbase.access.sqlite_policies import UntranslatablePolicy
from docbase.api import create_app
from docbase.api.serve import ServeError, run
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET

DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users(id), body text, shared boolean);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own or shared notes" ON public.notes FOR SELECT USING (auth.uid() = user_id OR shared);
CREATE POLICY "write own notes" ON public.notes FOR INSERT WITH CHECK (user_id = auth.uid());
```
"""

BAD = DOC.replace("auth.uid() = user_id OR shared", "(auth.jwt() ->> 'email') = 'boss@x.io'")


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "role": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


async def test_document_policies_are_used_as_written_on_both_databases(db_url):
    schema = build_schema(DOC, "notes.md")
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    ann, bob = str(uuid.uuid4()), str(uuid.uuid4())
    service = {"apikey": keys.service_key(SECRET)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for uid in (ann, bob):
            assert (await c.post("/rest/v1/users", json={"id": uid}, headers=service)).status_code == 201
        rows = [
            {"id": str(uuid.uuid4()), "user_id": ann, "body": "ann private", "shared": False},
            {"id": str(uuid.uuid4()), "user_id": ann, "body": "ann shared", "shared": True},
            {"id": str(uuid.uuid4()), "user_id": bob, "body": "bob private", "shared": False},
        ]
        assert (await c.post("/rest/v1/notes", json=rows, headers=service)).status_code == 201
        seen = (await c.get("/rest/v1/notes?select=body&order=body", headers=bearer(bob))).json()
        assert seen == [{"body": "ann shared"}, {"body": "bob private"}]
        forged = await c.post("/rest/v1/notes", json={"id": str(uuid.uuid4()), "user_id": ann}, headers=bearer(bob))
        assert (forged.status_code, forged.json()["code"]) == (403, "42501")
        own = await c.post("/rest/v1/notes", json={"id": str(uuid.uuid4()), "user_id": bob}, headers=bearer(bob))
        assert own.status_code == 201
    await app.state.db.close()


def test_a_policy_sqlite_cannot_enforce_stops_the_app_naming_it(tmp_path):
    schema = build_schema(BAD, "notes.md")
    with pytest.raises(UntranslatablePolicy, match="own or shared notes"):
        create_app(schema, f"sqlite:///{tmp_path / 'x.db'}", secret=SECRET)


def test_serve_refuses_to_start_rather_than_serve_unenforced(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_JWT_SECRET", SECRET)
    doc = tmp_path / "notes.md"
    doc.write_text(BAD)
    schema = build_schema(BAD, str(doc))
    with pytest.raises(ServeError, match="own or shared notes.*auth.jwt"):
        run(schema, doc, f"sqlite:///{tmp_path / 'x.db'}", "127.0.0.1", 0, 1, echo=lambda _: None)
