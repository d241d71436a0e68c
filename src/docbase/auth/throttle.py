"""Sign-in throttling that slows a guesser without locking the owner out.

Two limits, both kept in the database so every worker process shares them
(docbase serves with several workers; a per-process counter would multiply
the allowance by the number of workers):

- per client: ``auth_rate_limit`` failed sign-ins per ``auth_rate_window``
  from one address (an IPv6 /64), whatever the emails; a fixed window in
  the rate-limit table (:mod:`.ratelimit`);
- per client and email: after ``auth_signin_free_attempts`` failures, each
  further failure blocks that pair for twice as long as the one before
  (1 s, 2 s, 4 s ... up to ``auth_signin_max_backoff``); a success clears
  the pair, and a pair quiet for longer than the cap starts afresh.

There is deliberately no limit per email alone: failures against an email
from anywhere would then lock the right password out from everywhere (the
targeted lockout GoTrue-style per-email limits allow). A guesser spread over
many addresses is slowed by the per-client limits of each address.

:class:`SignInThrottle` is the one interface sign-in uses (``wait``,
``failed``, ``succeeded``); a store elsewhere (Redis) would implement these
three methods. The clock is injected, so tests never wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import ratelimit
from .config import AuthConfig
from .tables import AuthTables


def backoff(failures: int, free: int, cap: float) -> float:
    """Seconds a pair is blocked after its ``failures``-th failure in a row.

    Example:
        >>> [backoff(n, 5, 900) for n in (1, 5, 6, 7, 8, 20)]
        [0, 0, 1, 2, 4, 900]
    """
    if failures <= free:
        return 0
    return min(cap, 2 ** min(failures - free - 1, 62))


class SignInThrottle:
    def __init__(self, engine: Any, tables: AuthTables, config: AuthConfig, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.t = tables
        self.config = config
        self.clock = clock

    @staticmethod
    def _keys(client: str, email: str) -> tuple[str, str]:
        return f"signin:ip:{client}", f"signin:ip-email:{client}:{email}"[:512]

    async def wait(self, client: str, email: str) -> float:
        """Seconds before ``client`` may try ``email`` again (0: now)."""
        per_client, pair = self._keys(client, email)
        now = self.clock()
        c = self.config
        st = self.t.signin_throttle
        async with self.engine.connect() as conn:
            if await ratelimit.count(conn, self.t, per_client, c.rate_window, now) >= c.rate_limit:
                return float(c.rate_window - int(now) % c.rate_window)
            row = (await conn.execute(sa.select(st.c.blocked_until).where(st.c.key == pair))).first()
        return max(0.0, row.blocked_until - now) if row else 0.0

    async def failed(self, client: str, email: str) -> None:
        """Count a wrong password from ``client`` for ``email``, blocking the pair once past the free attempts."""
        per_client, pair = self._keys(client, email)
        now = self.clock()
        c = self.config
        st = self.t.signin_throttle
        forget_before = now - max(c.signin_max_backoff, c.rate_window)
        async with self.engine.begin() as conn:
            await ratelimit.hit(conn, self.t, per_client, c.rate_window, now)
            insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(st)
            stmt = insert.values(key=pair, failures=1, last_failure=now, blocked_until=now)
            stmt = stmt.on_conflict_do_update(
                index_elements=[st.c.key],
                set_={
                    "failures": sa.case((st.c.last_failure < forget_before, 1), else_=st.c.failures + 1),
                    "last_failure": now,
                },
            ).returning(st.c.failures)
            failures = int((await conn.execute(stmt)).scalar_one())
            delay = backoff(failures, c.signin_free_attempts, c.signin_max_backoff)
            await conn.execute(sa.update(st).where(st.c.key == pair).values(blocked_until=now + delay))

    async def succeeded(self, conn: Any, client: str, email: str) -> None:
        """The right password: the pair starts afresh (inside the caller's sign-in transaction)."""
        _, pair = self._keys(client, email)
        await conn.execute(sa.delete(self.t.signin_throttle).where(self.t.signin_throttle.c.key == pair))
