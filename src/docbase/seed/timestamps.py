"""A row's timestamps made together, in the order their names imply.

``created_at <= started_at <= finished_at <= updated_at``; ``expires_at``
after creation; ``deleted_at`` mostly empty. Each timestamp column gets a
rank from its name, and every row draws one base time plus forward steps,
so the order holds in every row, not just on average. Times are measured
back from a fixed ``ANCHOR`` rather than the clock, so a seed gives the same
rows on any day.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..schema.model import Column
from .names import has, words

ANCHOR = datetime(2025, 6, 1, 12, 0, 0)
SPAN_SECONDS = 730 * 86400

_CREATED = ("created", "inserted", "registered", "joined", "signed", "added", "creation")
_START = (
    "started",
    "start",
    "began",
    "begin",
    "scheduled",
    "queued",
    "sent",
    "issued",
    "invited",
    "opened",
    "from",
    "triggered",
    "requested",
    "submitted",
    "published",
    "subscription",
    "usage",
    "period",
)
_END = (
    "completed",
    "finished",
    "ended",
    "end",
    "ends",
    "stopped",
    "closed",
    "resolved",
    "delivered",
    "processed",
    "accepted",
    "read",
    "paid",
    "until",
    "to",
    "done",
    "failed",
    "responded",
    "verified",
    "confirmed",
    "expired",
)
_FUTURE = ("expires", "expiry", "expiration", "due", "valid", "next", "renews", "renewal", "trial")
_UPDATED = ("updated", "modified", "changed", "last", "seen", "login", "synced", "refreshed", "accessed", "used")


def rank(column: Column) -> int:
    """0 created, 1 started, 2 finished, 3 expires (future), 4 updated / last seen; 1 for anything else."""
    ws = words(column.name)
    if has(ws, *_CREATED):
        return 0
    if has(ws, *_UPDATED):
        return 4
    if has(ws, *_FUTURE):
        return 3
    if has(ws, *_END):
        return 2
    if has(ws, *_START):
        return 1
    return 1


def timestamp_block(columns: list[Column], n: int, rng: random.Random) -> dict[str, list[datetime]]:
    """Values for every timestamp column of a table, ordered within each row by ``rank``."""
    ranked = sorted(columns, key=rank)
    out: dict[str, list[datetime]] = {c.name: [] for c in columns}
    ranks = [(c.name, rank(c)) for c in ranked]
    rand, randrange = rng.random, rng.randrange
    for _ in range(n):
        base = ANCHOR - timedelta(seconds=randrange(86400, SPAN_SECONDS))
        started = base + timedelta(seconds=int(rand() * 3600))
        latest = started
        for name, r in ranks:
            if r == 0:
                value = base
            elif r == 1:
                value = started
            elif r == 2:
                value = started + timedelta(seconds=1 + int(rand() * 3 * 86400))
                latest = max(latest, value)
            elif r == 3:
                value = base + timedelta(days=1 + int(rand() * 90))
            else:
                value = latest + timedelta(seconds=int(rand() * 2 * 86400))
            out[name].append(value)
    return out
