"""An invitation grants no more than its inviter holds in the tenant when it is accepted."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys

from .helpers import migrated
from .test_invite_sql import DOC as BASE
from .test_invite_sql import SECRET, _user

DOC = BASE.replace(
    "  responded_at timestamptz\n", "  responded_at timestamptz,\n  inviter_id text REFERENCES users(id)\n"
)


@pytest.fixture
async def client(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    schema = migrated(DOC, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    service = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        users = [{"id": u, "email": f"{u}@x.io"} for u in ("boss", "mem", "alt1", "alt2")]
        assert (await c.post("/rest/v1/users", json=users)).status_code == 201
        assert (await c.post("/rest/v1/workspaces", json={"id": "w1", "name": "Acme"})).status_code == 201
        rows = [
            {"id": "m1", "user_id": "boss", "workspace_id": "w1", "role": "owner"},
            {"id": "m2", "user_id": "mem", "workspace_id": "w1", "role": "member"},
        ]
        assert (await c.post("/rest/v1/memberships", json=rows)).status_code == 201
        yield c
    await app.state.db.close()


async def _invite_and_accept(c, inviter: str, invitee: str, role: str) -> httpx.Response:
    body = {
        "id": f"i-{invitee}",
        "workspace_id": "w1",
        "invitee_email": f"{invitee}@x.io",
        "role": role,
        "token": f"tok-{invitee}-0123456789",
        "expires_at": "2999-01-01T00:00:00+00:00",
        "inviter_id": inviter,
    }
    made = await c.post("/rest/v1/workspace_invitations", json=body)
    assert made.status_code == 201, made.text
    return await c.post(
        "/rest/v1/rpc/accept_invitation",
        json={"token": f"tok-{invitee}-0123456789"},
        headers=_user(invitee, f"{invitee}@x.io"),
    )


async def test_a_member_cannot_invite_an_owner(client):
    took = await _invite_and_accept(client, "mem", "alt1", "owner")
    assert took.status_code == 403 and "above what its inviter holds" in took.json()["message"]


async def test_an_owner_can_invite_an_owner(client):
    took = await _invite_and_accept(client, "boss", "alt2", "owner")
    assert took.status_code == 200, took.text
