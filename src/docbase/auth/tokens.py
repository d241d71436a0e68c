"""User access tokens, refresh tokens and one-time codes.

Access tokens are JWTs signed like the anon and service_role keys (same
secret, :mod:`docbase.auth.keys`), or with the project's asymmetric key under
``jwt_signing_alg`` (:mod:`docbase.auth.jwks`), with the claims Supabase puts in them,
so ``auth.uid()``/``auth.jwt()`` style checks and client libraries read them
unchanged. Refresh tokens and one-time codes are random strings that the
database only ever sees as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from . import keys

AUDIENCE = "authenticated"
ROLE = "authenticated"


def access_claims(
    user: dict[str, Any],
    session_id: str,
    lifetime: int,
    now: int | None = None,
    aal: str = "aal1",
    amr: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The claims of a user's access token, as Supabase Auth issues them; ``aal``/``amr``: the session's
    assurance level and authentication methods (:mod:`.levels`)."""
    issued = int(now if now is not None else time.time())
    return {
        "iss": keys.ISSUER,
        "sub": str(user["id"]),
        "aud": AUDIENCE,
        "exp": issued + lifetime,
        "iat": issued,
        "email": user.get("email") or "",
        "phone": "",
        "app_metadata": user.get("app_metadata") or {},
        "user_metadata": user.get("user_metadata") or {},
        "role": ROLE,
        "aal": aal,
        "amr": amr if amr is not None else [{"method": "password", "timestamp": issued}],
        "session_id": str(session_id),
        "is_anonymous": bool(user.get("is_anonymous")),
    }


def issue_access_token(
    user: dict[str, Any],
    session_id: str,
    lifetime: int,
    secret: str,
    now: int | None = None,
    aal: str = "aal1",
    amr: list[dict[str, Any]] | None = None,
) -> tuple[str, int]:
    """A signed access token and its expiry (epoch seconds), issued at ``now`` (the service clock)."""
    claims = access_claims(user, session_id, lifetime, now, aal, amr)
    return keys.sign_user(claims, secret), claims["exp"]


def user_claims(token: str | None, secret: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid user access token; raise keys.TokenError otherwise.

    The signature and expiry are checked by :func:`keys.verify`; on top, a
    user token must name its user (``sub``) and be meant for ``authenticated``.
    """
    claims = keys.verify(token, secret, now)
    if not claims.get("sub") or not isinstance(claims.get("sub"), str):
        raise keys.TokenError("invalid", "invalid claim: missing sub claim")
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if claims.get("role") != ROLE or AUDIENCE not in auds:
        raise keys.TokenError("invalid", "invalid claim: not a user access token")
    return claims


def new_refresh_token() -> str:
    return secrets.token_urlsafe(24)


def new_otp() -> str:
    """A six-digit code a person can type from the email."""
    return f"{secrets.randbelow(1_000_000):06d}"


def digest(token: str) -> str:
    """What the database stores for a refresh token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def otp_hash(email: str, otp: str) -> str:
    """The ``token_hash`` of an emailed code: what links carry and what the database stores.

    Binding the email into the hash means a code only works for the address it was sent to.
    """
    return hashlib.sha256(f"{email.lower()}:{otp}".encode()).hexdigest()
