"""An app over a small blog schema, on SQLite and on PostgreSQL, with keys and seeded rows."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.pipeline import build_schema

SECRET = "test-secret-for-docbase-api-0123456789"

BLOG = """# Blog

```sql
CREATE TABLE users (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  active boolean,
  profile jsonb,
  tags text[],
  born date,
  seen_at timestamptz,
  role text CHECK (role IN ('admin', 'member'))
);
CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE team_members (
  team_id integer NOT NULL REFERENCES teams(id),
  user_id integer NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);
CREATE TABLE posts (
  id integer PRIMARY KEY,
  title text NOT NULL,
  score numeric,
  author_id integer NOT NULL REFERENCES users(id),
  editor_id integer REFERENCES users(id)
);
CREATE TABLE comments (
  id integer PRIMARY KEY,
  post_id integer NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  body text,
  created_at timestamptz DEFAULT now()
);
```
"""

USERS = [
    {
        "id": 1,
        "name": "Ann",
        "email": "ann@x.io",
        "active": True,
        "profile": {"city": "Oslo", "n": 1},
        "tags": ["a", "b"],
        "born": "1990-01-02",
        "seen_at": "2024-05-01T10:00:00+00:00",
        "role": "admin",
    },
    {
        "id": 2,
        "name": "Bob",
        "email": "bob@x.io",
        "active": False,
        "profile": {"city": "Rome", "n": 2},
        "tags": ["b"],
        "born": "1985-03-04",
        "seen_at": None,
        "role": "member",
    },
    {
        "id": 3,
        "name": "cid",
        "email": None,
        "active": None,
        "profile": {},
        "tags": [],
        "born": None,
        "seen_at": "2023-01-01T00:00:00+00:00",
        "role": "member",
    },
]
TEAMS = [{"id": 1, "name": "red"}, {"id": 2, "name": "blue"}]
MEMBERS = [{"team_id": 1, "user_id": 1}, {"team_id": 1, "user_id": 2}, {"team_id": 2, "user_id": 2}]
POSTS = [
    {"id": 1, "title": "Hello", "score": 1.5, "author_id": 1, "editor_id": 2},
    {"id": 2, "title": "World", "score": 3, "author_id": 1, "editor_id": None},
    {"id": 3, "title": "Third", "score": None, "author_id": 2, "editor_id": 1},
]
COMMENTS = [
    {"id": 1, "post_id": 1, "body": "nice"},
    {"id": 2, "post_id": 1, "body": "meh"},
    {"id": 3, "post_id": 2, "body": "ok"},
]


def create_tables(schema, url: str) -> None:
    """The database as ``docbase serve`` would leave it: migrated (tables, roles, grants, policies)."""
    from docbase.migrate import migrate

    migrate(schema, url)


@pytest.fixture
def service_headers() -> dict[str, str]:
    key = keys.service_key(SECRET)
    return {"apikey": key, "Authorization": f"Bearer {key}"}


@pytest.fixture
def anon_headers() -> dict[str, str]:
    return {"apikey": keys.anon_key(SECRET)}


@pytest.fixture
async def blog(db_url: str, service_headers):
    """A client for the blog app, with its rows inserted through the API itself."""
    schema = build_schema(BLOG, "blog.md")
    assert not schema.errors, schema.diagnostics
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET, max_body_bytes=4096)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.headers.update(service_headers)
        for table, rows in (
            ("users", USERS),
            ("teams", TEAMS),
            ("team_members", MEMBERS),
            ("posts", POSTS),
            ("comments", COMMENTS),
        ):
            response = await client.post(f"/rest/v1/{table}", json=rows)
            assert response.status_code == 201, response.text
        yield client
    await app.state.db.close()
