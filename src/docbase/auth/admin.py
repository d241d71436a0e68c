"""GoTrue's admin API (``supabase.auth.admin``): users created, listed, read, changed, banned and deleted by a
service, links generated and invitations sent; the routes in :mod:`.admin_routes` admit service_role only.

What an admin does is not a sign-up: no rate limit on creating users, no
enumeration-proofing (the caller holds the service key), and the email is
confirmed when the caller says so (``email_confirm``). Every write keeps the
document's users table in step (:mod:`.profiles`), as sign-up does.

Deleting a user deletes its row only; its sessions, refresh tokens and
one-time codes go with it by ``ON DELETE CASCADE`` (both databases). A soft
delete (``should_soft_delete``) keeps the row, as GoTrue does, with the email,
password and metadata cleared and ``deleted_at`` set, and signs it out.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import mailer, passwordless, sessions, users
from .errors import AuthError
from .passwords import hash_password_async
from .service import AuthService, Job

MAX_PER_PAGE = 1000  # one page of users is bounded; GoTrue's default page size is 50
LINK_TYPES = ("signup", "invite", "magiclink", "recovery", "email_change_current", "email_change_new")
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def bad_request(msg: str) -> AuthError:
    """GoTrue's admin API answers malformed attributes with 400 (sign-up's validation errors are 422)."""
    return AuthError(400, "validation_failed", msg)


def not_found() -> AuthError:
    return AuthError(404, "user_not_found", "User not found")


def email_exists() -> AuthError:
    return AuthError(422, "email_exists", "A user with this email address has already been registered")


def parse_duration(text: str) -> timedelta:
    """A ban duration in Go's ``time.ParseDuration`` syntax (``24h``, ``1h30m``, ``90s``), as GoTrue reads it.

    >>> parse_duration("1h30m"), parse_duration("0.5s")
    (datetime.timedelta(seconds=5400), datetime.timedelta(microseconds=500000))
    """
    body = text.strip()
    if body in ("0", "+0", "-0"):
        return timedelta(0)
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    parts = _DURATION.findall(body)
    if not body or "".join(n + u for n, u in parts) != body:
        raise bad_request(f'invalid format for ban duration: time: invalid duration "{text}"')
    return timedelta(seconds=sign * sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise AuthError(404, "validation_failed", "user_id must be an UUID") from None


async def get_user(svc: AuthService, user_id: str) -> dict[str, Any]:
    async with svc.engine.connect() as conn:
        user = await users.by_id(conn, svc.t, str(_uuid(user_id)))
    if user is None:
        raise not_found()
    return users.to_json(user)


async def list_users(svc: AuthService, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    """One page of users, newest first (GoTrue's default order), and how many there are in all."""
    u = svc.t.users
    async with svc.engine.connect() as conn:
        total = (await conn.execute(sa.select(sa.func.count()).select_from(u))).scalar_one()
        q = sa.select(u).order_by(u.c.created_at.desc(), u.c.id).limit(per_page).offset((page - 1) * per_page)
        rows = [dict(r) for r in (await conn.execute(q)).mappings()]
    return [users.to_json(r) for r in rows], int(total)


async def create_user(svc: AuthService, attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs``: email, password (already policy-checked), email_confirm, user_metadata, app_metadata, ban."""
    email = attrs["email"]
    moment = svc.now()
    hashed = await hash_password_async(attrs["password"], svc.config.bcrypt_cost) if attrs.get("password") else ""
    confirmed_at = moment if attrs.get("email_confirm") else None
    meta = attrs.get("user_metadata") or {}
    extra: dict[str, Any] = {"app_metadata": attrs.get("app_metadata") or {}}
    if attrs.get("ban") is not None:
        extra["banned_until"] = moment + attrs["ban"] if attrs["ban"] else None
    try:
        async with svc.engine.begin() as conn:
            if await users.by_email(conn, svc.t, email) or await svc.profiles.email_taken(conn, email):
                raise email_exists()
            user = await users.insert(conn, svc.t, email, hashed, confirmed_at, meta, moment, **extra)
            await svc.profiles.created(
                conn,
                str(user["id"]),
                email=email,
                password_hash=hashed or None,
                confirmed_at=confirmed_at,
                metadata=meta,
                now=moment,
            )
            fresh = await users.by_id(conn, svc.t, user["id"])
    except IntegrityError as exc:
        raise email_exists() if "email" in str(exc.orig).lower() else _refused("creating", exc) from None
    return users.to_json(fresh or user)


async def update_user(svc: AuthService, user_id: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """Change what ``attrs`` names: email, password, email_confirm, user_metadata/app_metadata (merged, a null
    value removes the key, as GoTrue merges), ban (a timedelta; zero lifts it). A ban signs the user out."""
    key = _uuid(user_id)
    moment = svc.now()
    hashed = await hash_password_async(attrs["password"], svc.config.bcrypt_cost) if attrs.get("password") else None
    async with svc.engine.begin() as conn:
        user = await users.by_id(conn, svc.t, str(key))
        if user is None:
            raise not_found()
        values: dict[str, Any] = {"updated_at": moment}
        facts: dict[str, Any] = {"now": moment}
        email = attrs.get("email")
        if email and email != user.get("email"):
            if await users.by_email(conn, svc.t, email) or await svc.profiles.email_taken(conn, email, str(key)):
                raise email_exists()
            values["email"] = facts["email"] = email
            if user.get("is_anonymous"):
                values["is_anonymous"] = False
        if hashed:
            values["encrypted_password"] = facts["password_hash"] = hashed
        if attrs.get("email_confirm") and user.get("email_confirmed_at") is None:
            values["email_confirmed_at"] = facts["confirmed_at"] = moment
        for field, column in (("user_metadata", "raw_user_meta_data"), ("app_metadata", "raw_app_meta_data")):
            if attrs.get(field) is not None:
                merged = {**(user.get(column) or {}), **attrs[field]}
                values[column] = {k: v for k, v in merged.items() if v is not None}
        if attrs.get("ban") is not None:
            values["banned_until"] = moment + attrs["ban"] if attrs["ban"] else None
            if attrs["ban"]:
                await sessions.sign_out(conn, svc.t, key, None, "global")
        await users.update(conn, svc.t, key, **values)
        await svc.profiles.changed(conn, str(key), **facts)
        fresh = await users.by_id(conn, svc.t, str(key))
    return users.to_json(fresh or user)


async def delete_user(svc: AuthService, user_id: str, soft: bool) -> None:
    key = _uuid(user_id)
    u = svc.t.users
    try:
        async with svc.engine.begin() as conn:
            user = await users.by_id(conn, svc.t, str(key))
            if user is None:
                raise not_found()
            if not soft:
                await conn.execute(sa.delete(u).where(u.c.id == key))  # sessions, tokens, codes: ON DELETE CASCADE
                return
            if user.get("deleted_at") is not None:
                return
            await sessions.sign_out(conn, svc.t, key, None, "global")
            ott = svc.t.one_time_tokens
            await conn.execute(sa.delete(ott).where(ott.c.user_id == key))
            await users.update(
                conn,
                svc.t,
                key,
                email=None,
                email_change=None,
                encrypted_password="",
                raw_user_meta_data={},
                raw_app_meta_data={},
                deleted_at=svc.now(),
                updated_at=svc.now(),
            )
    except IntegrityError as exc:
        raise _refused("deleting", exc) from None


def _refused(doing: str, exc: IntegrityError) -> AuthError:
    """A constraint of the document's tables (say a row that still references the user without a cascade)."""
    reason = (str(exc.orig).strip().splitlines() or ["constraint failed"])[0][:300]
    return AuthError(409, "conflict", f"Database error {doing} user: {reason}")


async def generate_link(
    svc: AuthService, kind: str, email: str, attrs: dict[str, Any], verify_url: str, redirect_to: str | None
) -> dict[str, Any]:
    """A link and code of ``kind`` for ``email``, returned instead of mailed (for the caller's own mail).

    signup and invite create the user when missing (signup with ``password``); magiclink, recovery and the
    email changes need an existing user (404). The user JSON carries ``action_link``, ``email_otp``,
    ``hashed_token``, ``verification_type`` and ``redirect_to`` beside it, as GoTrue answers.
    """
    moment = svc.now()
    hashed = await hash_password_async(attrs["password"], svc.config.bcrypt_cost) if attrs.get("password") else ""
    data = attrs.get("data") or {}
    async with svc.engine.begin() as conn:
        user = await users.by_email(conn, svc.t, email)
        if kind in ("signup", "invite"):
            if user is not None and user.get("email_confirmed_at") is not None:
                raise email_exists()
            if user is None:
                if await svc.profiles.email_taken(conn, email):
                    raise email_exists()
                extra = {"invited_at": moment} if kind == "invite" else {}
                user = await users.insert(conn, svc.t, email, hashed, None, data, moment, **extra)
                await svc.profiles.created(
                    conn, str(user["id"]), email=email, password_hash=hashed or None, metadata=data, now=moment
                )
        elif user is None:
            raise not_found()
        if kind.startswith("email_change"):
            new_email = attrs.get("new_email")
            if not new_email:
                raise bad_request("The new email address is required for email_change links")
            if await users.by_email(conn, svc.t, new_email) or await svc.profiles.email_taken(
                conn, new_email, str(user["id"])
            ):
                raise email_exists()
            code, token_hash = await svc.new_otp(conn, user["id"], "email_change", new_email)
            await users.update(conn, svc.t, user["id"], email_change=new_email, email_change_sent_at=moment)
            verification = "email_change"
        else:
            token_kind = "recovery" if kind == "recovery" else "confirmation"
            code, token_hash = await svc.new_otp(conn, user["id"], token_kind, email)
            sent = {"recovery": "recovery_sent_at"}.get(kind, "confirmation_sent_at")
            await users.update(conn, svc.t, user["id"], **{sent: moment})
            verification = kind
        fresh = await users.by_id(conn, svc.t, user["id"])
    link = svc.link(verify_url, token_hash, verification, redirect_to)
    target = svc.redirect(redirect_to)
    return {
        **users.to_json(fresh or user),
        "action_link": link,
        "email_otp": code,
        "hashed_token": token_hash,
        "verification_type": verification,
        "redirect_to": target,
    }


async def invite(
    svc: AuthService, email: str, data: dict[str, Any], verify_url: str, redirect_to: str | None
) -> tuple[dict[str, Any], Job]:
    """Create the invited user (or re-invite an unconfirmed one) and mail the invitation after answering."""
    if await passwordless.count_sent(svc, [f"mail:{email}"]):  # a sending endpoint: mail per address is limited
        raise passwordless.over_email_limit()
    result = await generate_link(svc, "invite", email, {"data": data}, verify_url, redirect_to)
    mail = mailer.invite(email, result["action_link"], result["email_otp"])
    body = {k: v for k, v in result.items() if k not in _LINK_FIELDS}
    return body, partial(svc.mailer.deliver, mail)


_LINK_FIELDS = ("action_link", "email_otp", "hashed_token", "verification_type", "redirect_to")
