"""Who is on the socket: the same keys as /rest/v1 (a JWT signed with the project's secret, or one of
the document's API keys), with Supabase Realtime's wording when one is refused."""

from __future__ import annotations

import time
from typing import Any

import jwt

from ..auth import keys
from ..auth.third_party_users import Unlinked
from ..conventions.runtime import api_key_claims


class Refused(Exception):
    """A token the socket or channel must not trust; ``str()`` is the reason the client is told."""


def _expired_by(token: str) -> int:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
        return max(0, int(time.time() - float(exp)))
    except Exception:
        return 0


async def claims_of(token: str | None, secret: str, conventions: Any, db: Any, users: Any = None) -> dict[str, Any]:
    """The verified claims of ``token``; Refused with Supabase's reason otherwise. ``users``
    (docbase.auth.third_party_users) turns an outside issuer's sub into the document's users row, as on REST."""
    if not token or not isinstance(token, str):
        raise Refused("No API key found in request")
    try:
        found = await api_key_claims(conventions, {"apikey": token}, db)
    except Exception:  # an unknown, disabled or throttled API key
        raise Refused("Invalid API key") from None
    if found:
        return dict(found)
    try:
        claims = dict(keys.verify(token, secret))
    except keys.TokenError as exc:
        if exc.reason == "expired":
            raise Refused(f"Token has expired {_expired_by(token)} seconds ago") from None
        raise Refused("Invalid JWT Token") from None
    if users is None:
        return claims
    try:
        return await users.claims(claims)
    except Unlinked as exc:
        raise Refused(exc.message) from None


def seconds_left(claims: dict[str, Any]) -> float | None:
    exp = claims.get("exp")
    if exp is None:
        return None
    try:
        return float(exp) - time.time()
    except (TypeError, ValueError):
        return None
