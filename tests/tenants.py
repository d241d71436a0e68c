"""Two tenants over /rest/v1: the setup the authority tests (``tests/access/worlds.py``) and the attack tests
(``tests/api/two_tenants.py``) share.

Users have short names (``a`` owns tenant A, ``b`` owns B); tokens are signed
as ``/auth/v1`` signs them; setup rows are written as service_role; the app
is built as ``docbase serve`` builds it, over a database migrated from the
document. Each world module keeps only its document and the rows its tests
need.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate


def new_id() -> str:
    return str(uuid.uuid4())


def token(secret: str, sub: str, email: str = "") -> dict[str, str]:
    """The headers of a signed-in user: the anon key and a bearer token like ``/auth/v1``'s."""
    claims = {"sub": sub, "role": "authenticated", "aud": "authenticated", "email": email}
    claims["exp"] = int(time.time()) + 3600
    return {"apikey": keys.anon_key(secret), "Authorization": f"Bearer {keys.sign(claims, secret)}"}


def serve(schema: Any, url: str, secret: str, routes: Sequence[Any] = ()) -> tuple[httpx.AsyncClient, Any]:
    """A client of the app over ``url`` migrated to ``schema``; the document must read without errors."""
    assert not schema.errors, schema.diagnostics
    migrate(schema, url)
    app = create_app(schema, url, secret=secret, routes=list(routes))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t"), app


@dataclass(kw_only=True)
class TwoTenants:
    """Who is who: ``users`` by short name, ``tenants`` "A" and "B" by id."""

    c: httpx.AsyncClient
    secret: str
    users: dict[str, str] = field(default_factory=dict)
    tenants: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> dict[str, str]:
        return {"apikey": keys.service_key(self.secret)}

    @property
    def anon(self) -> dict[str, str]:
        return {"apikey": keys.anon_key(self.secret)}

    def who(self, name: str) -> dict[str, str]:
        """The headers ``name`` sends: ``anon``, ``service`` or a user's token."""
        if name == "anon":
            return self.anon
        if name == "service":
            return self.service
        return token(self.secret, self.users[name], f"{name}@x.io")

    async def ok(self, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        """A request as service_role that must succeed (setup, not the thing under test)."""
        got = await self.c.request(method, f"/rest/v1/{path}", json=body, headers={**self.service, **headers})
        assert got.status_code < 300, (path, got.text)
        return got

    async def act(self, who: str, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return await self.c.request(method, f"/rest/v1/{path}", json=body, headers={**self.who(who), **headers})

    async def add_users(self, table: str, names: Sequence[str]) -> None:
        """A row per name in ``table`` (id, name, ``name@x.io``)."""
        self.users = {n: new_id() for n in names}
        await self.ok("POST", table, [{"id": u, "name": n, "email": f"{n}@x.io"} for n, u in self.users.items()])

    async def add_tenants(self, table: str, row: Callable[[str], dict[str, Any]]) -> None:
        """Tenants A and B in ``table``, ``row(letter)`` giving the columns besides the id."""
        self.tenants = {"A": new_id(), "B": new_id()}
        await self.ok("POST", table, [{"id": i, **row(n)} for n, i in self.tenants.items()])

    async def add_members(
        self,
        table: str,
        members: Sequence[tuple[str, str, str]],
        *,
        tenant: str,
        user: str = "user_id",
        ids: bool = False,
    ) -> None:
        """Membership rows ``(tenant letter, user name, role)``; ``ids`` when the table has no id default."""
        rows = [{tenant: self.tenants[t], user: self.users[u], "role": r} for t, u, r in members]
        await self.ok("POST", table, [{"id": new_id(), **row} if ids else row for row in rows])
