"""bcrypt hashing of passwords (the rules a new password must meet are in :mod:`.policy`).

bcrypt reads at most 72 bytes, so a longer password would be silently cut
and two passwords sharing their first 72 bytes would both open the account.
docbase refuses such passwords (422 ``validation_failed``) rather than
pre-hashing them: hashes then stay plain ``$2b$`` bcrypt, interchangeable
with Supabase's ``encrypted_password``, and the limit is stated, not hidden.
The length check runs before any hashing, so a 10 kB password costs nothing.

Hashing is CPU-bound (~0.25 s at cost 12): callers run it in a worker thread
(:func:`hash_password_async`) so the event loop keeps serving. Unknown emails
are checked against a dummy hash so that both failures take the same time.
"""

from __future__ import annotations

import asyncio
from functools import cache

import bcrypt

MAX_BYTES = 72


def hash_password(password: str, cost: int) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, hashed: str | None, cost: int = 12) -> bool:
    """Constant-time bcrypt check; a missing or foreign hash is a mismatch, never an exception.

    ``cost`` is the cost of the dummy hash checked when there is no hash, so
    an unknown email takes as long as a wrong password.
    """
    candidate = password.encode("utf-8")
    if len(candidate) > MAX_BYTES or "\x00" in password:
        candidate = b""
    if not hashed:
        bcrypt.checkpw(b"timing", _dummy_hash(cost))
        return False
    try:
        return bcrypt.checkpw(candidate, hashed.encode("ascii")) and candidate != b""
    except ValueError:
        return False


@cache
def _dummy_hash(cost: int) -> bytes:
    return bcrypt.hashpw(b"docbase-dummy", bcrypt.gensalt(rounds=cost))


async def hash_password_async(password: str, cost: int) -> str:
    return await asyncio.to_thread(hash_password, password, cost)


async def verify_password_async(password: str, hashed: str | None, cost: int = 12) -> bool:
    return await asyncio.to_thread(verify_password, password, hashed, cost)
