"""Fixed-window counters kept in the database, so every worker process shares them.

A counter is a row ``(key, window_start, count)``; one upsert both resets a
stale window and counts, so concurrent requests cannot lose increments.
Keys name what is limited: ``signin:email:<address>``, ``signin:ip:<addr>``,
``mail:<address>``, ``verify:ip:<addr>``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .tables import AuthTables


def _window(now: float, window: int) -> int:
    return int(now) // window * window


async def count(conn: Any, t: AuthTables, key: str, window: int, now: float) -> int:
    """Hits of ``key`` in the current window."""
    rl = t.rate_limits
    row = (await conn.execute(sa.select(rl.c.window_start, rl.c.count).where(rl.c.key == key))).first()
    if row is None or row.window_start != _window(now, window):
        return 0
    return int(row.count)


async def hit(conn: Any, t: AuthTables, key: str, window: int, now: float) -> int:
    """Count one hit of ``key``; the count in the current window afterwards."""
    rl = t.rate_limits
    start = _window(now, window)
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(rl)
    stmt = insert.values(key=key[:512], window_start=start, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[rl.c.key],
        set_={
            "count": sa.case((rl.c.window_start == start, rl.c.count + 1), else_=1),
            "window_start": start,
        },
    ).returning(rl.c.count)
    return int((await conn.execute(stmt)).scalar_one())


async def over(conn: Any, t: AuthTables, keys: list[str], limit: int, window: int, now: float) -> bool:
    """Whether any of ``keys`` has used up its ``limit`` in the current window."""
    for key in keys:
        if await count(conn, t, key, window, now) >= limit:
            return True
    return False
