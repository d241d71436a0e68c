"""Read-only requests on PostgreSQL streaming replicas, with read-your-writes for the client that wrote.

With ``db_read_urls`` set, a read-only transaction (GET and HEAD on tables,
GET on stable functions) runs on a replica, chosen in turn; everything else
runs on the primary. A replica is a hot standby, so a write sent there would
fail loudly rather than vanish: nothing here can turn a write into a read.

Read-your-writes: after a write commits, the primary's WAL position is noted
for the caller (the JWT's ``sub``, else a digest of its key; see
:func:`principal_of`). The caller's next reads go to a replica only if that
replica has replayed at least that far (one ``pg_last_wal_replay_lsn()``
comparison inside the read's own transaction); otherwise to the primary. So a
lagging replica never shows a writer its own stale row, while other callers
keep reading from it. Marks are kept per worker process for
``db_read_your_writes_seconds``; a client whose next request lands on another
worker within that time reads from the primary only if that worker saw its
write, which is why the setting defaults to a window longer than any healthy
replica's lag and why marks are keyed by user rather than by connection.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import orjson
from cachetools import TTLCache

from ..auth.bearer import bearer_token
from .db import Database, PostgresDatabase

#: Who the current request acts for (set by :class:`PrincipalMiddleware`), for read-your-writes only.
principal: contextvars.ContextVar[str] = contextvars.ContextVar("docbase_principal", default="")


def principal_of(headers: dict[str, str] | Any) -> str:
    """A routing key for the caller: the token's ``sub`` (unverified: it only picks a server), else a digest.

    Reading an unverified claim is safe here because the answer only decides
    primary or replica; access itself is decided later, from the verified token.
    """
    token = bearer_token(headers.get("authorization")) or headers.get("apikey") or ""
    parts = token.split(".")
    if len(parts) == 3:
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
            if isinstance(payload, dict) and isinstance(payload.get("sub"), str):
                return "sub:" + payload["sub"]
        except (ValueError, orjson.JSONDecodeError):
            pass
    return "key:" + hashlib.sha256(token.encode()).hexdigest()[:32] if token else ""


class PrincipalMiddleware:
    """Sets :data:`principal` for each HTTP request (pure ASGI: no body buffering)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = principal.set(principal_of(headers))
        try:
            await self.app(scope, receive, send)
        finally:
            principal.reset(token)


class ReplicatedDatabase(Database):
    """The primary for writes, replicas (in turn) for reads; the same interface as one database."""

    dialect = "postgresql"

    def __init__(self, primary: PostgresDatabase, replicas: list[PostgresDatabase], remember_seconds: float) -> None:
        self.primary, self.replicas = primary, replicas
        self._turn = itertools.cycle(range(len(replicas)))
        self._written: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=remember_seconds)

    @contextlib.asynccontextmanager
    async def transaction(self, readonly: bool = False, pipelined: bool = False) -> AsyncIterator[Any]:
        who = principal.get()
        if not readonly:
            async with self.primary.transaction(pipelined=pipelined) as tx:
                yield tx
            if who and not tx.rollback:
                self._written[who] = await self._primary_lsn()
            return
        replica = self.replicas[next(self._turn)]
        mark = self._written.get(who) if who else None
        if mark is not None:
            async with replica.transaction(readonly=True) as tx:
                caught_up = await tx.value(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, false)", [mark]
                )
                if caught_up:
                    yield tx
                    return
        else:
            async with replica.transaction(readonly=True, pipelined=pipelined) as tx:
                yield tx
                return
        async with self.primary.transaction(readonly=True) as tx:  # the replica has not replayed the caller's write
            yield tx

    async def _primary_lsn(self) -> str:
        async with self.primary.transaction(readonly=True) as tx:
            return str(await tx.value("SELECT pg_current_wal_insert_lsn()::text", []))

    async def close(self) -> None:
        await self.primary.close()
        for replica in self.replicas:
            await replica.close()
