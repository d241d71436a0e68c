"""Issue 16 through the official ``supabase`` Python client against a live ``docbase serve``, both databases:
a teammate's profile embeds with its name, and an organization's API key acts as the organization."""

from __future__ import annotations

import time
import uuid

import pytest

pytest.importorskip("supabase")

from postgrest.exceptions import APIError  # noqa: E402
from supabase import create_client  # noqa: E402

from docbase.auth import keys  # noqa: E402

from ..access.team_world import DOC  # noqa: E402
from ..api.test_serve import SECRET, Server  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def server(tmp_path, db_url):
    s = Server(tmp_path, db_url, document=DOC)
    s.start()
    yield s
    s.stop()


def _as(s: Server, user: str):
    token = keys.sign(
        {"sub": user, "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 600}, SECRET
    )
    client = create_client(s.base, s.anon_key)
    client.postgrest.auth(token)
    return client


def test_teammates_embed_and_an_organization_key_through_the_python_client(server):
    admin = create_client(server.base, server.service_key)
    a, m, b = (str(uuid.uuid4()) for _ in range(3))
    admin.table("users").insert(
        [{"id": u, "name": n, "email": f"{n}@x.io"} for u, n in ((a, "Ann"), (m, "Max"), (b, "Bo"))]
    ).execute()
    org_a, org_b = str(uuid.uuid4()), str(uuid.uuid4())
    admin.table("organizations").insert([{"id": org_a, "name": "A"}, {"id": org_b, "name": "B"}]).execute()
    admin.table("memberships").insert(
        [
            {"organization_id": org_a, "user_id": a, "role": "owner"},
            {"organization_id": org_a, "user_id": m, "role": "member"},
            {"organization_id": org_b, "user_id": b, "role": "owner"},
            {"organization_id": org_b, "user_id": a, "role": "member"},  # the key's creator is in B too
        ]
    ).execute()
    admin.table("projects").insert(
        [
            {"organization_id": org_a, "name": "PA", "created_by": a},
            {"organization_id": org_b, "name": "PB", "created_by": b},
        ]
    ).execute()

    # A teammate's profile embeds with its name (it was null: profiles were their owner's alone).
    rows = _as(server, m).table("projects").select("name, creator:users!created_by(name)").execute().data
    assert rows == [{"name": "PA", "creator": {"name": "Ann"}}]
    with pytest.raises(APIError) as refused:
        _as(server, m).table("users").select("email").execute()
    assert refused.value.code == "42501"

    # An organization's key: only its admin makes it, and it acts as organization A alone.
    with pytest.raises(APIError) as refused:
        _as(server, m).rpc("create_api_key", {"name": "ci", "organization_id": org_a}).execute()
    assert refused.value.code == "42501"
    made = _as(server, a).rpc("create_api_key", {"name": "ci", "organization_id": org_a}).execute().data
    ci = create_client(server.base, made["key"])
    assert [r["name"] for r in ci.table("projects").select("name").execute().data] == ["PA"]
    created = ci.table("projects").insert({"organization_id": org_a, "name": "from CI"}).execute().data
    assert created[0]["created_by"] == a  # the creator column records who made the key
    with pytest.raises(APIError) as refused:
        ci.table("projects").insert({"organization_id": org_b, "name": "no"}).execute()
    assert refused.value.code == "42501" and refused.value.details.startswith("rule: insert into projects")
