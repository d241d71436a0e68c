"""accept_invitation / decline_invitation over HTTP on both databases: membership made, refusals clear."""

from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa

from docbase.api import create_app
from docbase.auth import keys

from .helpers import migrated

SECRET = "test-secret-for-docbase-invitations-012"
DOC = """# Teams

```sql
CREATE TABLE users (id text PRIMARY KEY, email text UNIQUE);
CREATE TABLE workspaces (id text PRIMARY KEY, name text);
CREATE TABLE memberships (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  workspace_id text NOT NULL REFERENCES workspaces(id),
  role text CHECK (role IN ('owner', 'member')),
  UNIQUE (user_id, workspace_id)
);
CREATE TABLE workspace_invitations (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id),
  invitee_email text NOT NULL,
  role text CHECK (role IN ('owner', 'member')),
  status text CHECK (status IN ('pending', 'accepted', 'declined', 'expired')) DEFAULT 'pending',
  token text NOT NULL,
  expires_at timestamptz NOT NULL,
  responded_at timestamptz
);
```
"""


def _user(sub: str, email: str) -> dict[str, str]:
    token = keys.sign({"role": "authenticated", "sub": sub, "email": email, "exp": int(time.time()) + 600}, SECRET)
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    schema = migrated(DOC, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    service = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        await c.post("/rest/v1/users", json=[{"id": "u1", "email": "ann@x.io"}, {"id": "u2", "email": "bob@x.io"}])
        await c.post("/rest/v1/workspaces", json={"id": "w1", "name": "Acme"})
        yield c
    await app.state.db.close()


async def _invite(c, id_, email, expires="2999-01-01T00:00:00+00:00"):
    r = await c.post(
        "/rest/v1/workspace_invitations",
        json={"id": id_, "workspace_id": "w1", "invitee_email": email, "role": "member", "expires_at": expires},
        headers={"Prefer": "return=representation"},
    )
    assert r.status_code == 201, r.text
    return r.json()[0]["token"]


def _db(url, sql):
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]
    engine.dispose()
    return rows


async def test_accepting_makes_the_membership_once(client, db_url):
    token = await _invite(client, "i1", "Ann@X.io")
    r = await client.post("/rest/v1/rpc/accept_invitation", json={"token": token}, headers=_user("u1", "ann@x.io"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    assert _db(db_url, "SELECT user_id, workspace_id, role FROM memberships") == [("u1", "w1", "member")]
    status, responded = _db(db_url, "SELECT status, responded_at FROM workspace_invitations")[0]
    assert status == "accepted" and responded is not None
    replay = await client.post("/rest/v1/rpc/accept_invitation", json={"token": token}, headers=_user("u1", "ann@x.io"))
    assert replay.status_code == 409 and "already accepted" in replay.json()["message"]


async def test_refusals_change_nothing(client, db_url):
    token = await _invite(client, "i2", "ann@x.io")
    old = await _invite(client, "i3", "ann@x.io", expires="2001-01-01T00:00:00+00:00")
    cases = [
        ({"token": token}, _user("u2", "bob@x.io"), 403),  # someone else's
        ({"token": old}, _user("u1", "ann@x.io"), 410),  # expired
        ({"token": "forged"}, _user("u1", "ann@x.io"), 404),
        ({"token": 5}, _user("u1", "ann@x.io"), 400),
        ({"token": token}, {"apikey": keys.anon_key(SECRET)}, 401),
    ]
    for body, headers, status in cases:
        r = await client.post("/rest/v1/rpc/accept_invitation", json=body, headers=headers)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()) == {"code", "message", "details", "hint"}
    assert _db(db_url, "SELECT count(*) FROM memberships")[0][0] == 0


async def test_declining_marks_it_declined_without_membership(client, db_url):
    token = await _invite(client, "i4", "bob@x.io")
    r = await client.post("/rest/v1/rpc/decline_invitation", json={"token": token}, headers=_user("u2", "bob@x.io"))
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert _db(db_url, "SELECT count(*) FROM memberships")[0][0] == 0
