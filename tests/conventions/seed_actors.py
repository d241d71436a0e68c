"""Seeds 000 and 003 served on a throwaway database, with the people an escalation test needs.

One tenant (A's workspace/organization) with its owner ``a`` and a writer-level
member ``w``; ``alt`` is w's second account, ``c`` belongs nowhere and ``b`` owns a tenant of their
own (with a job in it on seed 003, so a row can point somewhere B may write).
Rows are written as service_role; users act with JWTs signed as ``/auth/v1``
signs them. Names follow each seed: ``users``/``workspaces``/``memberships``
and a ``user``/``owner`` role in 000; ``user``/``organization``/``member`` and
better-auth's ``owner``/``member`` roles in 003.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import load_schema
from tests.conftest import SEEDS_DIR

SECRET = "test-secret-for-docbase-seed-authority-0123"
SERVICE = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}
REP = {"Prefer": "return=representation"}


@dataclass(frozen=True)
class Names:
    """What a seed calls its tables, columns and roles."""

    users: str
    tenant: str
    members: str
    member_user: str
    member_tenant: str
    invites: str
    invite_tenant: str
    inviter: str
    email: str
    token: str | None
    top: str
    writer: str


NAMES = {
    "000": Names(
        "users", "workspaces", "memberships", "user_id", "workspace_id", "workspace_invitations",
        "workspace_id", "inviter_id", "invitee_email", "token", "owner", "user",
    ),
    "003": Names(
        "user", "organization", "member", "userId", "organizationId", "invitation",
        "organizationId", "inviterId", "email", None, "owner", "member",
    ),
}  # fmt: skip


def seed_file(stem: str) -> Path:
    return next(SEEDS_DIR.glob(f"{stem}_*.txt"))


def _id(seed: str) -> str:
    return str(uuid.uuid4())


@dataclass
class World:
    c: httpx.AsyncClient
    url: str
    seed: str
    n: Names
    users: dict[str, str] = field(default_factory=dict)
    tenants: dict[str, str] = field(default_factory=dict)
    job_b: str | None = None

    def who(self, name: str) -> dict[str, str]:
        if name == "service":
            return SERVICE
        if name == "anon":
            return {"apikey": keys.anon_key(SECRET), "Authorization": ""}
        claims = {
            "sub": self.users[name],
            "role": "authenticated",
            "aud": "authenticated",
            "email": f"{name}@x.io",
            "exp": int(time.time()) + 3600,
        }
        return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}

    async def ok(self, method: str, path: str, body=None) -> httpx.Response:
        got = await self.c.request(method, f"/rest/v1/{path}", json=body, headers={**SERVICE, **REP})
        assert got.status_code < 300, got.text
        return got

    async def rows(self, path: str) -> list[dict]:
        return (await self.ok("GET", path)).json()

    async def memberships(self, user: str) -> list[tuple[str, str]]:
        """(tenant, role) of every membership ``user`` holds, read as service_role."""
        n = self.n
        found = await self.rows(f"{n.members}?{n.member_user}=eq.{self.users[user]}&select=*")
        return sorted((str(r[n.member_tenant]), r["role"]) for r in found)

    async def add_member(self, user: str, tenant: str, role: str) -> None:
        n = self.n
        row = {n.member_user: self.users[user], n.member_tenant: self.tenants[tenant], "role": role}
        if self.seed == "000":
            row["id"] = _id(self.seed)
        await self.ok("POST", n.members, row)


async def build(seed: str, url: str) -> tuple[World, object]:
    schema = load_schema(seed_file(seed))
    migrate(schema, url)
    app = create_app(schema, url, secret=SECRET)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    n = NAMES[seed]
    w = World(client, url, seed, n)
    w.users = {name: _id(seed) for name in ("a", "w", "alt", "b", "c")}
    await w.ok("POST", n.users, [{"id": u, "email": f"{k}@x.io", "name": k} for k, u in w.users.items()])
    w.tenants = {"A": _id(seed), "B": _id(seed)}
    await w.ok("POST", n.tenant, [{"id": t, "name": f"Tenant {k}"} for k, t in w.tenants.items()])
    await w.add_member("a", "A", n.top)
    await w.add_member("w", "A", n.writer)
    await w.add_member("b", "B", n.top)
    if seed == "003":
        w.job_b = _id(seed)
        await w.ok("POST", "jobs", {"id": w.job_b, "organizationId": w.tenants["B"], "name": "B's job"})
    return w, app
