"""API keys and JWTs as Supabase issues them: one HS256 secret, ``anon`` and ``service_role`` keys.

The secret comes from ``DOCBASE_JWT_SECRET`` (or ``jwt_secret`` in
``docbase.toml``); without one, a random secret is generated once and kept in
``<state dir>/jwt_secret`` with mode 0600, so keys survive restarts and every
worker process signs and verifies with the same secret. Creation uses
``O_EXCL`` so two workers starting together agree on one secret.

Keys are deterministic for a given secret and year (``iat`` is the start of
the current UTC year, ``exp`` ten years later), so ``docbase keys`` prints the
same keys every time, like a Supabase project's fixed anon key.

``verify`` accepts HS256 with the secret; an asymmetric token only when the
project's :class:`docbase.auth.jwks.Trust` (installed in :data:`TRUSTS` for
the secret) holds its key or its issuer, and never ``alg: none``. It requires
``exp`` and ``role``; every failure raises
:class:`TokenError` whose ``reason`` says which of missing / expired / invalid
it was, so the HTTP layer can answer 401 with a precise message.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt

from .. import settings

ALGORITHM = "HS256"
ISSUER = "docbase"
TEN_YEARS = 10 * 365 * 24 * 3600 + 3 * 24 * 3600
SECRET_FILE = "jwt_secret"
MIN_SECRET_LENGTH = 32

__all__ = [
    "ALGORITHM",
    "ISSUER",
    "TRUSTS",
    "TokenError",
    "anon_key",
    "jwt_secret",
    "service_key",
    "sign",
    "sign_user",
    "verify",
]

#: The signing keys and outside issuers of each project, by its secret (docbase.auth.jwks.install fills it).
TRUSTS: dict[str, Any] = {}


class TokenError(Exception):
    """A token that must not be trusted. ``reason`` is ``missing``, ``expired`` or ``invalid``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def jwt_secret(doc: str | Path | None = None) -> str:
    """The signing secret: the setting if given, else the one kept in the state dir (created once)."""
    configured = settings.get(settings.JWT_SECRET, toml=settings.load_toml(doc))
    if configured:
        if len(str(configured)) < MIN_SECRET_LENGTH:
            raise ValueError(f"DOCBASE_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters long")
        return str(configured)
    path = settings.state_dir() / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    # Another worker may have created the file a moment ago and not written it yet.
    for _ in range(50):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it to generate a new JWT secret")


def sign(claims: dict[str, Any], secret: str | None = None) -> str:
    """Sign ``claims`` as an HS256 JWT with the docbase secret."""
    return jwt.encode(claims, secret or jwt_secret(), algorithm=ALGORITHM)


def sign_user(claims: dict[str, Any], secret: str | None = None) -> str:
    """Sign a user's access token: with the project's asymmetric key when it has one, else HS256."""
    secret = secret or jwt_secret()
    trust = TRUSTS.get(secret)
    signed = trust.sign(claims) if trust is not None else None
    return signed or sign(claims, secret)


# exp, iat and nbf are compared with the caller's clock below, not PyJWT's wall clock.
_OWN_TIME_CHECKS = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}


def verify(token: str | None, secret: str | None = None, now: float | None = None) -> dict[str, Any]:
    """The claims of a token signed with our secret; raise TokenError otherwise.

    Expiry is compared with ``now`` (seconds since the epoch; the wall clock when omitted), not
    inside PyJWT, so the auth service's injected clock decides when its tokens expire."""
    if not token:
        raise TokenError("missing", "No API key found in request")
    secret = secret or jwt_secret()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM and secret in TRUSTS:
            claims = TRUSTS[secret].verify(token, header)
        else:
            claims = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp"], "verify_aud": False, **_OWN_TIME_CHECKS},
            )
    except jwt.InvalidSignatureError:
        raise TokenError("invalid", "JWT signature does not match the secret") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError("invalid", f"JWT lacks the required '{exc.claim}' claim") from None
    except jwt.DecodeError:
        raise TokenError("invalid", "JWT is malformed") from None
    except jwt.InvalidTokenError as exc:
        raise TokenError("invalid", f"JWT is invalid: {exc}") from None
    now = time.time() if now is None else now
    if _numeric_date(claims["exp"]) and claims["exp"] <= now:
        raise TokenError("expired", "JWT expired")
    if not isinstance(claims.get("role"), str) or not claims["role"]:
        raise TokenError("invalid", "JWT lacks a 'role' claim")
    for name in ("exp", "iat", "nbf"):
        if name in claims and not _numeric_date(claims[name]):
            raise TokenError("invalid", f"JWT claim '{name}' must be a number of seconds")
    for name in ("iat", "nbf"):
        if name in claims and claims[name] > now:
            raise TokenError("invalid", f"JWT is invalid: The token is not yet valid ({name})")
    return claims


def _numeric_date(value: Any) -> bool:
    """RFC 7519's NumericDate: a JSON number. PyJWT accepts ``"exp": "9999999999"`` (it calls ``int()``),
    and code comparing that string with a clock later fails, so anything but a finite number is refused."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 2**53


def _key(role: str, secret: str | None, now: datetime | None) -> str:
    now = now or datetime.now(UTC)
    issued = int(datetime(now.year, 1, 1, tzinfo=UTC).timestamp())
    return sign({"iss": ISSUER, "role": role, "iat": issued, "exp": issued + TEN_YEARS}, secret)


def anon_key(secret: str | None = None, now: datetime | None = None) -> str:
    """The public key clients ship with (role ``anon``)."""
    return _key("anon", secret, now)


def service_key(secret: str | None = None, now: datetime | None = None) -> str:
    """The server-side key that bypasses row-level access (role ``service_role``)."""
    return _key("service_role", secret, now)
