"""PKCE (RFC 7636) for emailed links: the link's session goes only to the client that asked for it.

supabase-js with ``flowType: 'pkce'`` sends ``code_challenge`` and
``code_challenge_method`` with /otp, /magiclink, /recover and /signup and
keeps the verifier to itself. The emailed one-time token is then stored
with a ``pkce_`` prefix, so following the link (``GET /verify``) does not
put a session in the redirect's fragment: it records a short-lived,
single-use auth code on the request's *flow state* and redirects with
``?code=``. Only ``POST /token?grant_type=pkce`` with that code and the
matching ``code_verifier`` turns it into a session (``exchangeCodeForSession``),
so a link or redirect read by someone else yields nothing.

Codes and verifiers are compared in constant time; the database only holds
the code's SHA-256 digest; a code is spent on its first exchange attempt,
right or wrong (a wrong verifier means the code leaked).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from . import users
from .errors import AuthError
from .tables import AuthTables

if TYPE_CHECKING:
    from .service import AuthService

#: Prefix of a stored one-time token whose link must end in an auth code, not a session (as GoTrue's).
PREFIX = "pkce_"
#: Seconds an auth code stays exchangeable after the link was followed (GoTrue: 5 minutes).
CODE_LIFETIME = 300
METHODS = ("s256", "plain")
_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


@dataclass(frozen=True)
class Challenge:
    """A client's ``code_challenge`` and its method (``s256`` or ``plain``)."""

    value: str
    method: str


def challenge_of(params: dict[str, Any]) -> Challenge | None:
    """The PKCE challenge in a request body or query, None for the implicit flow; 400 when half there or malformed."""
    value, method = params.get("code_challenge"), params.get("code_challenge_method")
    if value in (None, "") and method in (None, ""):
        return None
    if not isinstance(value, str) or not value or not isinstance(method, str) or not method:
        raise _bad("PKCE flow requires code_challenge_method and code_challenge")
    method = method.lower()
    if method not in METHODS:
        raise _bad("code challenge method not supported: use s256 or plain")
    if not _CHALLENGE.match(value):
        raise _bad("code_challenge must be 43 to 128 unreserved characters (RFC 7636)")
    return Challenge(value, method)


def matches(challenge: str, method: str, verifier: str) -> bool:
    """Whether ``verifier`` answers ``challenge``: S256 is base64url(SHA-256(verifier)) without padding."""
    if method == "s256":
        hashed = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()
    else:
        expected = verifier
    return hmac.compare_digest(expected.encode(), challenge.encode())


def digest(code: str) -> str:
    """How the database holds an auth code: its SHA-256, so a read of the table cannot be exchanged."""
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """A fresh auth code (a random UUID, as GoTrue's look)."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


async def start(
    conn: Any, t: AuthTables, user_id: Any, kind: str, token_hash: str, challenge: Challenge, now: datetime
) -> str:
    """Begin a PKCE flow for the one-time token just made for ``user_id``; the token its link carries.

    One flow per user and token kind, as there is one outstanding token per kind: a newer request replaces both.
    """
    fs, ott = t.flow_state, t.one_time_tokens
    await conn.execute(sa.delete(fs).where(fs.c.user_id == user_id, fs.c.provider_type == kind))
    await conn.execute(
        sa.insert(fs).values(
            id=uuid.uuid4(),
            user_id=user_id,
            code_challenge=challenge.value,
            code_challenge_method=challenge.method,
            provider_type=kind,
            authentication_method=kind,
            created_at=now,
            updated_at=now,
        )
    )
    linked = PREFIX + token_hash
    await conn.execute(
        sa.update(ott).where(ott.c.user_id == user_id, ott.c.token_type == kind).values(token_hash=linked)
    )
    return linked


async def forget(conn: Any, t: AuthTables, user_id: Any, kind: str) -> None:
    """An implicit-flow request replaced the token: its older PKCE flow ends with it."""
    fs = t.flow_state
    await conn.execute(sa.delete(fs).where(fs.c.user_id == user_id, fs.c.provider_type == kind))


async def issue_code(conn: Any, t: AuthTables, user_id: Any, kind: str, method: str, now: datetime) -> str:
    """The link of a PKCE flow was followed: a fresh auth code for its flow state (``method``: the session's amr)."""
    fs = t.flow_state
    q = sa.select(fs.c.id).where(fs.c.user_id == user_id, fs.c.provider_type == kind)
    flow = (await conn.execute(q.order_by(fs.c.created_at.desc()))).first()
    if flow is None:
        raise flow_not_found()
    code = new_code()
    await conn.execute(
        sa.update(fs)
        .where(fs.c.id == flow.id)
        .values(auth_code=digest(code), auth_code_issued_at=now, authentication_method=method, updated_at=now)
    )
    return code


def _bad(msg: str) -> AuthError:
    """GoTrue answers malformed PKCE input with 400 (not the 422 of other validation failures)."""
    return AuthError(400, "validation_failed", msg)


def flow_not_found() -> AuthError:
    return AuthError(404, "flow_state_not_found", "invalid flow state, no valid flow state found")


async def exchange(svc: AuthService, auth_code: Any, verifier: Any, ip: str, agent: str | None) -> dict[str, Any]:
    """``/token?grant_type=pkce``: the session for an auth code and the verifier of its flow's challenge."""
    if not isinstance(auth_code, str) or not auth_code or not isinstance(verifier, str) or not verifier:
        raise _bad("invalid request: both auth code and code verifier should be non-empty")
    if len(auth_code) > 128 or len(verifier) > 128:
        raise _bad("auth code and code verifier are at most 128 characters")
    fs = svc.t.flow_state
    moment = svc.now()
    error: AuthError
    async with svc.engine.begin() as conn:
        row = (await conn.execute(sa.select(fs).where(fs.c.auth_code == digest(auth_code)))).mappings().first()
        if row is None:
            raise flow_not_found()
        await conn.execute(sa.delete(fs).where(fs.c.id == row["id"]))  # spent, whatever follows
        issued = row["auth_code_issued_at"]
        user = await users.by_id(conn, svc.t, row["user_id"]) if row["user_id"] is not None else None
        if issued is None or (moment - users.aware(issued)).total_seconds() > CODE_LIFETIME:
            error = AuthError(422, "flow_state_expired", "invalid flow state, flow state has expired")
        elif not matches(row["code_challenge"], row["code_challenge_method"], verifier):
            error = AuthError(400, "bad_code_verifier", "code challenge does not match previously saved code verifier")
        elif user is None:
            error = AuthError(404, "user_not_found", "User not found")
        elif users.banned(user, moment):
            error = AuthError(400, "user_banned", "User is banned")
        else:
            session = await svc.open_session(conn, user, ip, agent, row["authentication_method"])
            return session | ({"redirect_type": "recovery"} if row["provider_type"] == "recovery" else {})
    raise error
