"""Proving it is still you: ``/reauthenticate`` nonces for a password change, and the two-address email change.

- ``GET /reauthenticate`` (``supabase.auth.reauthenticate()``) mails the signed-in
  user a six-digit nonce. With ``auth_secure_password_change`` on, ``PUT /user``
  with a new password from a session opened more than 24 hours ago must carry
  that nonce (``400 reauthentication_needed`` without it, ``422
  reauthentication_not_valid`` for a wrong, used or expired one), as GoTrue
  does: a laptop left signed in for days cannot have its password changed by
  whoever sits at it.
- With ``auth_secure_email_change`` on (the default, as GoTrue), an email change
  mails a code and link to the *current* address as well as to the new one,
  and the address changes only when both are confirmed; the first answers
  GoTrue's "Confirmation link accepted" message instead of a session. A stolen
  session alone cannot move an account to the thief's address.

Nonces and both change tokens are one-time tokens (:meth:`AuthService.new_otp`):
stored as hashes bound to their address, consumed by their first use.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa

from . import mailer, sessions, tokens, users
from .errors import AuthError
from .passwordless import count_sent, over_email_limit
from .service import AuthService, Job

RECENT_SESSION = timedelta(hours=24)
#: The one-time token kinds an email change leaves: the new address's and (secure change) the current one's.
NEW, CURRENT = "email_change", "email_change_current"
SINGLE_CONFIRMATION = "Confirmation link accepted. Please proceed to confirm link sent to the other email"


async def reauthenticate(svc: AuthService, claims: dict[str, Any]) -> Job:
    """Make a nonce for the caller and return the job that mails it; counted against the address."""
    user, _ = await svc.current(claims)
    email = user.get("email")
    if not email:
        raise AuthError(422, "validation_failed", "Reauthentication requires the user to have an email address")
    if await count_sent(svc, [f"mail:{email}"]):
        raise over_email_limit()
    async with svc.engine.begin() as conn:
        code, _ = await svc.new_otp(conn, user["id"], "reauthentication", email)
        await users.update(conn, svc.t, user["id"], reauthentication_sent_at=svc.now())
    return partial(svc.mailer.deliver, mailer.reauthentication(email, code))


async def check_password_change(svc: AuthService, conn: Any, user: dict[str, Any], session_id: Any, nonce: Any) -> None:
    """With ``auth_secure_password_change``, a session older than a day needs a valid nonce (consumed here)."""
    if not svc.config.secure_password_change:
        return
    s = svc.t.sessions
    created = None
    if session_id:
        row = (await conn.execute(sa.select(s.c.created_at).where(s.c.id == sessions._uuid(session_id)))).first()
        created = users.aware(row[0]) if row else None
    if created is not None and svc.now() - created < RECENT_SESSION:
        return
    if not isinstance(nonce, str) or not nonce:
        raise AuthError(400, "reauthentication_needed", "Password update requires reauthentication")
    ott = svc.t.one_time_tokens
    token_hash = tokens.otp_hash(user.get("email") or "", nonce[:64])
    row = (
        (
            await conn.execute(
                sa.select(ott).where(
                    ott.c.user_id == user["id"],
                    ott.c.token_type == "reauthentication",
                    ott.c.token_hash == token_hash,
                )
            )
        )
        .mappings()
        .first()
    )
    fresh = row is not None and (svc.now() - users.aware(row["created_at"])).total_seconds() <= svc.config.otp_exp
    if not fresh:
        raise AuthError(422, "reauthentication_not_valid", "Requires reauthentication")
    gone = await conn.execute(sa.delete(ott).where(ott.c.id == row["id"]))
    if gone.rowcount != 1:  # a concurrent change spent it first
        raise AuthError(422, "reauthentication_not_valid", "Requires reauthentication")


async def count_change_mail(svc: AuthService, user: dict[str, Any], new_email: str) -> None:
    """An email change mails one or two addresses: each counts against its per-address limit (429 past it)."""
    addresses = [new_email] + ([user["email"]] if svc.config.secure_email_change and user.get("email") else [])
    if await count_sent(svc, [f"mail:{a}" for a in addresses]):
        raise over_email_limit()


async def start_email_change(
    svc: AuthService,
    conn: Any,
    user: dict[str, Any],
    new_email: str,
    verify_url: str,
    redirect_to: str | None,
    moment: Any,
) -> list[mailer.Mail]:
    """Tokens and mails for changing ``user``'s address to ``new_email``: the new address always, the current
    one too under ``auth_secure_email_change`` (when the user has one)."""
    code, token_hash = await svc.new_otp(conn, user["id"], NEW, new_email)
    mails = [mailer.email_change(new_email, svc.link(verify_url, token_hash, "email_change", redirect_to), code)]
    current = user.get("email")
    ott = svc.t.one_time_tokens
    if svc.config.secure_email_change and current:
        code, token_hash = await svc.new_otp(conn, user["id"], CURRENT, current)
        link = svc.link(verify_url, token_hash, "email_change", redirect_to)
        mails.append(mailer.email_change_current(current, new_email, link, code))
    else:  # a change asked for without the secure setting never waits on an older request's token
        await conn.execute(sa.delete(ott).where(ott.c.user_id == user["id"], ott.c.token_type == CURRENT))
    await users.update(conn, svc.t, user["id"], email_change_confirm_status=0)
    return mails


async def other_address_pending(svc: AuthService, conn: Any, user: dict[str, Any], used_kind: str) -> bool:
    """After one email-change token is consumed: whether the other address still has to confirm.

    When it does, the user row notes one confirmation and no session is opened yet."""
    other = CURRENT if used_kind == NEW else NEW
    ott = svc.t.one_time_tokens
    q = sa.select(ott.c.id).where(ott.c.user_id == user["id"], ott.c.token_type == other)
    if (await conn.execute(q)).first() is None:
        return False
    await users.update(conn, svc.t, user["id"], email_change_confirm_status=1, updated_at=svc.now())
    return True
