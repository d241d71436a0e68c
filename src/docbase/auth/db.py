"""The engine auth runs on, and creating its tables once per process.

Accepts an engine a caller already made (shared pool) or a database URL;
either way statements run on :mod:`docbase.db`'s drivers with the settings
every connection shares (on SQLite: foreign keys on, so the auth tables'
``ON DELETE CASCADE`` removes a session's refresh tokens and a user's
sessions and one-time codes; busy timeout; WAL; synchronous).
"""

from __future__ import annotations

import asyncio

from ..db.core import Engine
from .tables import create_auth_tables


def engine_for(engine_or_url: Engine | str) -> Engine:
    if isinstance(engine_or_url, Engine):
        return engine_or_url
    return Engine(str(engine_or_url))


class Ready:
    """Creates the auth tables on first use, once, even with concurrent first requests."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._done = False
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        if self._done:
            return
        async with self._lock:
            if self._done:
                return
            await self.engine.run_sync(create_auth_tables)
            self._done = True
