"""Signing in without a password: emailed one-time codes and magic links (/otp, /magiclink), and anonymous users.

A code and its link are one confirmation token (:meth:`AuthService.new_otp`):
the link carries its hash, the mail shows the six digits, and ``/verify``
with type ``magiclink``, ``email`` or ``signup`` consumes it once. A
request for an unknown address creates the user (unconfirmed, no password)
unless ``create_user`` is false, which GoTrue answers with 422
``otp_disabled``; the first verified code confirms the address.

Each sending request counts against the address and the client
(``auth_rate_limit`` per ``auth_rate_window``) before anything is looked
up, as /recover does. Anonymous sign-ins (``auth_anonymous_sign_ins``)
count against the client too: each makes a user row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from . import mailer, pkce, ratelimit, users
from .clientip import limit_key
from .errors import AuthError
from .service import AuthService, Job


def over_email_limit() -> AuthError:
    return AuthError(429, "over_email_send_rate_limit", "Email rate limit exceeded")


async def count_sent(svc: AuthService, keys: list[str]) -> bool:
    """Count one request against each key; whether any is now past the limit."""
    async with svc.engine.begin() as conn:
        counts = [await ratelimit.hit(conn, svc.t, key, svc.config.rate_window, svc.clock()) for key in keys]
    return any(n > svc.config.rate_limit for n in counts)


async def send_code(
    svc: AuthService,
    email: str,
    create_user: bool,
    data: dict[str, Any],
    ip: str,
    verify_url: str,
    redirect_to: str | None,
    challenge: pkce.Challenge | None = None,
) -> Job:
    """Make (or refresh) the address's code and return the job that mails it after the answer;
    with a PKCE ``challenge`` its link ends in an auth code for that client only (:mod:`.pkce`)."""
    if await count_sent(svc, [f"mail:{email}", f"otp:ip:{limit_key(ip)}"]):
        raise over_email_limit()
    moment = svc.now()
    async with svc.engine.begin() as conn:
        user = await users.by_email(conn, svc.t, email)
        if user is None:
            if not create_user:
                raise AuthError(422, "otp_disabled", "Signups not allowed for otp")
            if svc.config.disable_signup:
                raise AuthError(422, "signup_disabled", "Signups not allowed for this instance")
            if await svc.profiles.email_taken(conn, email):
                raise AuthError(422, "email_exists", "A user with this email address has already been registered")
            user = await users.insert(conn, svc.t, email, "", None, data, moment)
            await svc.profiles.created(conn, str(user["id"]), email=email, metadata=data, now=moment)
        code, token_hash = await svc.new_otp(conn, user["id"], "confirmation", email)
        if challenge is not None:
            token_hash = await pkce.start(conn, svc.t, user["id"], "confirmation", token_hash, challenge, moment)
        else:
            await pkce.forget(conn, svc.t, user["id"], "confirmation")
        await users.update(conn, svc.t, user["id"], confirmation_sent_at=moment)
    link = svc.link(verify_url, token_hash, "magiclink", redirect_to)
    return partial(svc.mailer.deliver, mailer.magic_link(email, link, code))


async def sign_in_anonymously(svc: AuthService, data: dict[str, Any], ip: str, agent: str | None) -> dict[str, Any]:
    """A session for a new anonymous user (``is_anonymous`` in the user and its token's claims)."""
    if not svc.config.anonymous_sign_ins:
        raise AuthError(422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled")
    if svc.config.disable_signup:
        raise AuthError(422, "signup_disabled", "Signups not allowed for this instance")
    if await count_sent(svc, [f"anonymous:ip:{limit_key(ip)}"]):
        raise AuthError(429, "over_request_rate_limit", "Request rate limit reached")
    moment = svc.now()
    async with svc.engine.begin() as conn:
        user = await users.insert(conn, svc.t, None, "", None, data, moment)
        return await svc.open_session(conn, user, ip, agent, "anonymous")
