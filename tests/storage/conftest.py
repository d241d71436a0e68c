"""A live ``docbase serve`` with two tenants, and official clients signed in as their members.

``organizations`` is the tenant; ``memberships.role`` ranks owner > admin > member
(writer) > viewer (reader). Alice writes in org A, Vera only reads there, Bob writes
in org B. Users sign up through /auth/v1 (``docbase.toml`` switches e-mail
confirmation off) and sign in with a password, so every token is one docbase issued.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("supabase")

from supabase import Client, create_client  # noqa: E402

from ..api.test_serve import Server  # noqa: E402

DOC = """# Teams

```sql
CREATE TABLE organizations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE memberships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES auth.users(id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);
```
"""
TOML = "auth_confirm_email = false\n"
PASSWORD = "correct-horse-battery-9"


@dataclass
class World:
    server: Server
    admin: Client
    org_a: str
    org_b: str
    users: dict[str, str] = field(default_factory=dict)  # name -> id
    tokens: dict[str, str] = field(default_factory=dict)  # name -> access token

    def client(self, name: str | None = None) -> Client:
        """A supabase client with the anon key, signed in as ``name`` (None: anonymous)."""
        c = create_client(self.server.base, self.server.anon_key)
        if name is not None:
            c.auth.sign_in_with_password({"email": f"{name}@example.com", "password": PASSWORD})
        return c


def make_world(server: Server) -> World:
    admin = create_client(server.base, server.service_key)
    org_a, org_b = str(uuid.uuid4()), str(uuid.uuid4())
    admin.table("organizations").insert([{"id": org_a, "name": "A"}, {"id": org_b, "name": "B"}]).execute()
    world = World(server, admin, org_a, org_b)
    for name, org, role in (("alice", org_a, "member"), ("vera", org_a, "viewer"), ("bob", org_b, "member")):
        signed = world.client().auth.sign_up({"email": f"{name}@example.com", "password": PASSWORD})
        assert signed.user is not None and signed.session is not None
        world.users[name] = signed.user.id
        world.tokens[name] = signed.session.access_token
        admin.table("memberships").insert({"organization_id": org, "user_id": signed.user.id, "role": role}).execute()
    return world


@contextlib.contextmanager
def served_world(tmp: Path, db_url: str, toml: str = "") -> Iterator[World]:
    """``docbase serve`` of DOC in ``tmp`` over ``db_url``, its ``docbase.toml`` being TOML and ``toml``, with the
    two-tenant world of :func:`make_world` set up through it; the server stops when the block ends."""
    (tmp / "docbase.toml").write_text(TOML + toml)
    server = Server(tmp, db_url, document=DOC)
    server.start()
    try:
        yield make_world(server)
    finally:
        server.stop()


@pytest.fixture
def world(tmp_path, db_url):
    with served_world(tmp_path, db_url) as made:
        yield made


@pytest.fixture(scope="session")
def weed(tmp_path_factory):
    """One SeaweedFS server (S3 on a free loopback port) for the whole session; stopped after it."""
    from .seaweed import start_weed

    server = start_weed(tmp_path_factory.mktemp("weed"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_prefix(weed) -> str:
    """A fresh key prefix in the test bucket: this test's blobs and no other's."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_world(tmp_path, db_url, weed, s3_prefix):
    """The two-tenant world of :func:`world`, its bytes in SeaweedFS under ``s3_prefix``."""
    with served_world(tmp_path, db_url, weed.toml(s3_prefix)) as made:
        yield made
