"""A function's body never reads past the caller's rules, on SQLite as on PostgreSQL.

PostgreSQL runs a function's body under the caller's row-level security. SQLite has none
inside a body, so docbase (api.rpc_sqlite) lets anyone but service_role call only
functions returning rows of a document table, whose row rules then filter what comes
back; other functions are refused with 403 naming the function, instead of answering
with rows or counts of other users.
"""

from __future__ import annotations

import time
import uuid

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET

DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY);
CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users(id), body text);
CREATE FUNCTION all_notes() RETURNS SETOF notes AS $$ SELECT * FROM notes $$ LANGUAGE sql STABLE;
CREATE FUNCTION count_notes() RETURNS bigint AS $$ SELECT count(*) FROM notes $$ LANGUAGE sql STABLE;
```
"""


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "role": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


async def test_a_function_body_reads_only_what_the_caller_may(db_url):
    schema = build_schema(DOC, "notes.md")
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    service = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        ann, bob = str(uuid.uuid4()), str(uuid.uuid4())
        assert (await c.post("/rest/v1/users", json=[{"id": ann}, {"id": bob}], headers=service)).status_code == 201
        notes = [
            {"id": str(uuid.uuid4()), "user_id": who, "body": f"{n} of {who}"} for who in (ann, bob) for n in (1, 2)
        ]
        assert (await c.post("/rest/v1/notes", json=notes, headers=service)).status_code == 201

        mine = await c.get("/rest/v1/rpc/all_notes?select=user_id", headers=bearer(ann))
        assert mine.status_code == 200 and mine.json() == [{"user_id": ann}, {"user_id": ann}]
        everything = await c.get("/rest/v1/rpc/all_notes?select=user_id", headers=service)
        assert len(everything.json()) == 4

        counted = await c.get("/rest/v1/rpc/count_notes", headers=bearer(ann))
        if db_url.startswith("sqlite"):
            assert counted.status_code == 403, counted.text
            assert counted.json()["code"] == "42501"
            assert counted.json()["message"] == "permission denied for function count_notes"
        else:  # PostgreSQL's row-level security holds inside the body
            assert counted.status_code == 200 and counted.json() == 2
        assert (await c.get("/rest/v1/rpc/count_notes", headers=service)).json() == 4
    await app.state.db.close()
