"""The async engine auth runs on, and creating its tables once per process.

Accepts either an engine the API already made (shared pool) or a plain
database URL (``sqlite:///...``, ``postgresql://...``), mapped to the async
drivers docbase ships with (aiosqlite, asyncpg).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .. import dburl
from ..connections import configure_sqlite
from .tables import create_auth_tables


def async_url(url: str) -> str:
    """The async driver's URL (aiosqlite, asyncpg) for a database URL, read by docbase.dburl."""
    parsed = dburl.parse(url)
    return parsed.sqlalchemy("asyncpg" if parsed.dialect == "postgresql" else "aiosqlite")


def engine_for(engine_or_url: AsyncEngine | str) -> AsyncEngine:
    if isinstance(engine_or_url, AsyncEngine):
        return engine_or_url
    # hide_parameters: a failed statement's message must not carry token hashes or password hashes into logs.
    engine = create_async_engine(async_url(str(engine_or_url)), hide_parameters=True)
    if engine.dialect.name == "sqlite":  # the same pragmas as the API's connections: cascades fire here too
        event.listen(engine.sync_engine, "connect", lambda conn, _record: configure_sqlite(conn))
    return engine


class Ready:
    """Creates the auth tables on first use, once, even with concurrent first requests."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._done = False
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        if self._done:
            return
        async with self._lock:
            if self._done:
                return
            async with self.engine.begin() as conn:
                await conn.run_sync(create_auth_tables)
            self._done = True
