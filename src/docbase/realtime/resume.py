"""Catch-up after a reconnect: where a dropped subscription stood in the change stream, for a while.

Neither supabase-js nor supabase-py tells the server what it last saw: after a
dropped socket they open a new one and send the same ``phx_join`` again (same
topic, same ``postgres_changes`` bindings, the same access token or a refreshed
one of the same session). Supabase Realtime sends nothing of what happened in
between. docbase remembers, when a socket drops (not on ``phx_leave``: a channel
left on purpose wants nothing more), the change id each subscription had been
sent up to, under a key made of who joined and what they joined; the next join
with the same key within ``realtime_retention_seconds`` first receives every
change committed after that id (judged as that subscriber, as live events are),
then the live stream, in order and without duplicates.

Who: the token's ``session_id`` (a GoTrue session survives its tokens' refresh),
else the token itself (an API key), so two browser tabs of one session that both
drop share their marks: each rejoin takes one, the oldest first.

On PostgreSQL a change id is taken before its transaction commits, so a slow
transaction's change can show up after later ones (docbase.realtime.feed waits for
such ids a while). A mark therefore also lists the ids below its position still
outstanding when the socket dropped; the rejoin reads those that committed meanwhile,
and the ids still outstanding then reach the subscriber live when they commit.

Marks travel through the change table (``op = 'RESUME'`` / ``'RESUMED'``), so a
client reconnecting to another worker or host is caught up too.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any, NamedTuple

import orjson

MAX_MARKS = 100_000  # bounded memory: the oldest marks go first


def resume_key(token: str | None, claims: dict[str, Any], topic: str, bindings: list[dict[str, Any]]) -> str:
    """The same subscriber joining the same thing again gets the same key; nothing secret can be read from it."""
    who = f"session:{claims['session_id']}" if claims.get("session_id") else f"token:{token or ''}"
    what = orjson.dumps(
        {"topic": topic, "bindings": sorted(orjson.dumps(b, option=orjson.OPT_SORT_KEYS) for b in bindings)},
        default=lambda b: b.decode(),
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(who.encode() + b"\0" + what).hexdigest()


class Mark(NamedTuple):
    """Where a dropped subscription stood: sent up to ``position``, still waiting for the ``late`` ids below it."""

    position: int
    late: tuple[int, ...] = ()


class Marks:
    """key -> marks of subscriptions that dropped, each kept ``retention`` seconds."""

    def __init__(self, retention: float) -> None:
        self.retention = retention
        self.marks: OrderedDict[str, list[tuple[Mark, float]]] = OrderedDict()
        self.count = 0

    def add(self, key: str, mark: Mark, at: float | None = None) -> None:
        self.marks.setdefault(key, []).append((mark, time.monotonic() if at is None else at))
        self.count += 1
        while self.count > MAX_MARKS and self.marks:
            _, dropped = self.marks.popitem(last=False)
            self.count -= len(dropped)

    def take(self, key: str) -> Mark | None:
        """The oldest live mark remembered for ``key`` (removed), or None."""
        self._expire(key)
        positions = self.marks.get(key)
        if not positions:
            return None
        mark, _ = positions.pop(0)
        self.count -= 1
        if not positions:
            del self.marks[key]
        return mark

    def drop(self, key: str, position: int) -> None:
        """Another worker took this mark."""
        positions = self.marks.get(key) or []
        for i, (mark, _) in enumerate(positions):
            if mark.position == position:
                del positions[i]
                self.count -= 1
                break
        if key in self.marks and not positions:
            del self.marks[key]

    def _expire(self, key: str) -> None:
        positions = self.marks.get(key)
        if positions:
            cutoff = time.monotonic() - self.retention
            kept = [(p, t) for p, t in positions if t >= cutoff]
            self.count -= len(positions) - len(kept)
            self.marks[key] = kept
