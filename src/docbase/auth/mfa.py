"""Multi-factor authentication with TOTP factors: enroll, challenge, verify, unenroll (``supabase.auth.mfa``).

The flow is GoTrue's: ``POST /factors`` makes an *unverified* factor and
answers its secret, ``otpauth://`` URI and QR code once; ``POST
/factors/{id}/challenge`` opens a challenge (valid ``MFA_CHALLENGE_SECONDS``,
from the same client address); ``POST /factors/{id}/verify`` with the
challenge and a code from the app marks the factor verified, raises the
caller's session to ``aal2`` (``amr`` gains ``totp``) and answers a new
token pair for that session. ``DELETE /factors/{id}`` removes a factor and
lowers the sessions it raised back to ``aal1``.

Once a user has a verified factor, enrolling another or unenrolling a
verified one needs an ``aal2`` session, so a stolen password alone cannot
remove the second factor. A challenge is consumed by its first successful
verify; a code's time step is stored so the same code (or an older one)
never verifies twice; failed codes count against the factor
(``auth_rate_limit`` per ``auth_rate_window``) so six digits cannot be
walked through.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import levels, ratelimit, sessions, totp, users
from .errors import AuthError, validation
from .service import AuthService

MFA_CHALLENGE_SECONDS = 300
MAX_FACTORS = 10
FRIENDLY_NAME_LIMIT = 255


def _not_found() -> AuthError:
    return AuthError(404, "mfa_factor_not_found", "Factor not found")


def _needs_aal2(what: str) -> AuthError:
    return AuthError(403, "insufficient_aal", f"AAL2 required to {what}")


def issuer_of(site_url: str) -> str:
    """GoTrue's default issuer: the site URL's host."""
    return urlsplit(site_url).hostname or "docbase"


async def _caller(svc: AuthService, claims: dict[str, Any]) -> tuple[dict[str, Any], Any, str]:
    """The user, session id and the session's current ``aal``; the token must name a live session."""
    user, session_id = await svc.current(claims)
    if not session_id:
        raise AuthError(401, "session_not_found", "MFA needs a session: sign in again")
    async with svc.engine.connect() as conn:
        aal, _ = await levels.of_session(conn, svc.t, sessions._uuid(session_id))
    return user, sessions._uuid(session_id), aal


async def _factor(conn: Any, svc: AuthService, user_id: Any, factor_id: str) -> dict[str, Any]:
    try:
        key = uuid.UUID(factor_id)
    except ValueError:
        raise _not_found() from None
    f = svc.t.mfa_factors
    row = (await conn.execute(sa.select(f).where(f.c.id == key, f.c.user_id == user_id))).mappings().first()
    if row is None:
        raise _not_found()
    return dict(row)


async def _verified_count(conn: Any, svc: AuthService, user_id: Any) -> int:
    f = svc.t.mfa_factors
    q = sa.select(sa.func.count()).select_from(f).where(f.c.user_id == user_id, f.c.status == "verified")
    return int((await conn.execute(q)).scalar_one())


async def enroll(
    svc: AuthService, claims: dict[str, Any], factor_type: Any, friendly_name: Any, issuer: Any
) -> dict[str, Any]:
    """A new unverified TOTP factor with its secret, URI and QR code (shown this once)."""
    if factor_type == "phone":
        raise AuthError(422, "mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone")
    if factor_type != "totp":
        raise validation("factor_type needs to be totp")
    for name, value in (("friendly_name", friendly_name), ("issuer", issuer)):
        if value is not None and (not isinstance(value, str) or len(value) > FRIENDLY_NAME_LIMIT):
            raise validation(f"{name} must be a string of at most {FRIENDLY_NAME_LIMIT} characters")
    user, session_id, aal = await _caller(svc, claims)
    issuer = issuer or issuer_of(svc.config.site_url)
    moment = svc.now()
    secret = totp.new_secret()
    factor_id = uuid.uuid4()
    f = svc.t.mfa_factors
    try:
        async with svc.engine.begin() as conn:
            if await _verified_count(conn, svc, user["id"]) > 0 and aal != "aal2":
                raise _needs_aal2("enroll a new factor")
            count = sa.select(sa.func.count()).select_from(f).where(f.c.user_id == user["id"])
            if int((await conn.execute(count)).scalar_one()) >= MAX_FACTORS:
                raise AuthError(
                    422, "too_many_enrolled_mfa_factors", f"Maximum number of enrolled factors ({MAX_FACTORS}) reached"
                )
            await conn.execute(
                sa.insert(f).values(
                    id=factor_id,
                    user_id=user["id"],
                    friendly_name=friendly_name or None,
                    factor_type="totp",
                    status="unverified",
                    secret=secret,
                    created_at=moment,
                    updated_at=moment,
                )
            )
    except IntegrityError:
        raise AuthError(
            422,
            "mfa_factor_name_conflict",
            f"A factor with the friendly name {friendly_name!r} for this user already exists",
        ) from None
    link = totp.uri(secret, user.get("email") or str(user["id"]), issuer)
    return {
        "id": str(factor_id),
        "type": "totp",
        "friendly_name": friendly_name or "",
        "totp": {"qr_code": totp.qr_svg(link), "secret": secret, "uri": link},
    }


async def challenge(svc: AuthService, claims: dict[str, Any], factor_id: str, ip: str) -> dict[str, Any]:
    """A challenge for one of the caller's factors, to be answered from the same address within 5 minutes."""
    user, _, _ = await _caller(svc, claims)
    moment = svc.now()
    async with svc.engine.begin() as conn:
        factor = await _factor(conn, svc, user["id"], factor_id)
        challenge_id = uuid.uuid4()
        await conn.execute(
            sa.insert(svc.t.mfa_challenges).values(
                id=challenge_id, factor_id=factor["id"], created_at=moment, ip=(ip or "")[:64] or None
            )
        )
    expires = int((moment + timedelta(seconds=MFA_CHALLENGE_SECONDS)).timestamp())
    return {"id": str(challenge_id), "type": factor["factor_type"], "expires_at": expires}


async def verify(
    svc: AuthService, claims: dict[str, Any], factor_id: str, challenge_id: Any, code: Any, ip: str
) -> dict[str, Any]:
    """Check ``code`` for the challenge; on success the factor is verified and the session is ``aal2``."""
    if not isinstance(challenge_id, str) or not isinstance(code, str):
        raise validation("challenge_id and code are required")
    user, session_id, _ = await _caller(svc, claims)
    moment = svc.now()
    limit_key = f"mfa:factor:{factor_id}"
    async with svc.engine.connect() as conn:
        if await ratelimit.over(conn, svc.t, [limit_key], svc.config.rate_limit, svc.config.rate_window, svc.clock()):
            raise AuthError(429, "over_request_rate_limit", "Too many MFA verification attempts; try again later")
    failure: AuthError | None = None
    async with svc.engine.begin() as conn:
        factor = await _factor(conn, svc, user["id"], factor_id)
        ch = svc.t.mfa_challenges
        try:
            key = uuid.UUID(challenge_id)
        except ValueError:
            key = None
        row = None
        if key is not None:
            q = sa.select(ch).where(ch.c.id == key, ch.c.factor_id == factor["id"])
            row = (await conn.execute(q)).mappings().first()
        if row is None:
            raise AuthError(404, "mfa_challenge_not_found", "Challenge not found")
        if (moment - users.aware(row["created_at"])).total_seconds() > MFA_CHALLENGE_SECONDS:
            await conn.execute(sa.delete(ch).where(ch.c.id == row["id"]))
            failure = AuthError(
                400,
                "mfa_challenge_expired",
                "MFA challenge has expired, verify against another challenge or create a new challenge",
            )
        elif row["ip"] and row["ip"] != (ip or "")[:64]:
            raise AuthError(422, "mfa_ip_address_mismatch", "Challenge and verify IP addresses mismatch")
        else:
            step = totp.matching_step(factor["secret"], code, svc.clock(), factor["last_step"])
            if step is None:
                failure = AuthError(422, "mfa_verification_failed", "Invalid TOTP code entered")
            else:
                return await _verified(svc, conn, user, session_id, factor, row["id"], step, moment)
    await svc._hit([limit_key])
    raise failure


async def _verified(
    svc: AuthService, conn: Any, user: dict, session_id: Any, factor: dict, challenge_id: Any, step: int, moment: Any
) -> dict[str, Any]:
    """Consume the challenge and the code's step (conditionally, so two concurrent verifies cannot both pass),
    verify the factor, raise the session and answer a fresh token pair for it."""
    f, ch = svc.t.mfa_factors, svc.t.mfa_challenges
    gone = await conn.execute(sa.delete(ch).where(ch.c.id == challenge_id))
    stepped = await conn.execute(
        sa.update(f)
        .where(f.c.id == factor["id"], sa.or_(f.c.last_step.is_(None), f.c.last_step < step))
        .values(last_step=step, status="verified", updated_at=moment)
    )
    if gone.rowcount != 1 or stepped.rowcount != 1:
        raise AuthError(422, "mfa_verification_failed", "Invalid TOTP code entered")
    await conn.execute(
        sa.update(svc.t.sessions)
        .where(svc.t.sessions.c.id == session_id)
        .values(aal="aal2", factor_id=factor["id"], updated_at=moment)
    )
    await levels.record(conn, svc.t, session_id, "totp", moment)
    refresh = await sessions._issue(conn, svc.t, user["id"], session_id, None, moment)
    fresh = await users.by_id(conn, svc.t, user["id"]) or user
    return await svc.session_answer(conn, fresh, session_id, refresh)


async def unenroll(svc: AuthService, claims: dict[str, Any], factor_id: str) -> dict[str, Any]:
    """Remove a factor; a verified one only from an ``aal2`` session. Sessions it raised go back to ``aal1``."""
    user, _, aal = await _caller(svc, claims)
    async with svc.engine.begin() as conn:
        factor = await _factor(conn, svc, user["id"], factor_id)
        if factor["status"] == "verified" and aal != "aal2":
            raise _needs_aal2("unenroll a verified factor")
        s = svc.t.sessions
        await conn.execute(
            sa.update(s).where(s.c.factor_id == factor["id"]).values(aal="aal1", factor_id=None, updated_at=svc.now())
        )
        raised = sa.select(s.c.id).where(s.c.user_id == user["id"], s.c.aal == "aal1")
        amr = svc.t.mfa_amr_claims
        await conn.execute(sa.delete(amr).where(amr.c.authentication_method == "totp", amr.c.session_id.in_(raised)))
        await conn.execute(sa.delete(svc.t.mfa_factors).where(svc.t.mfa_factors.c.id == factor["id"]))
    return {"id": str(factor["id"])}
