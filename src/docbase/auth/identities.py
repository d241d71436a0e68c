"""A user's provider identities (``auth.identities``): who a provider's ``sub`` is here, listed in ``/user``.

Matching order on sign-in, as GoTrue: the identity (provider + subject)
first; else an existing user with the same *verified* email, who gets the
identity linked (an unverified provider email never takes over an
account); else a new user, confirmed when the provider verified the email.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from . import users
from .errors import AuthError

if TYPE_CHECKING:
    from .oauth import Person
    from .service import AuthService


async def user_for(
    svc: AuthService, conn: Any, provider: str, who: Person, moment: datetime, link_user: Any = None
) -> dict[str, Any]:
    """The user ``who`` signs in as (found, linked or created), the identity recorded or refreshed."""
    ids = svc.t.identities
    q = sa.select(ids).where(ids.c.provider == provider, ids.c.provider_id == who.sub)
    known = (await conn.execute(q)).mappings().first()
    if known is not None:
        if link_user is not None and str(known["user_id"]) != str(link_user):
            raise AuthError(422, "identity_already_exists", "Identity is already linked to another user")
        await conn.execute(
            sa.update(ids)
            .where(ids.c.id == known["id"])
            .values(identity_data=who.data, email=who.email, last_sign_in_at=moment, updated_at=moment)
        )
        user = await users.by_id(conn, svc.t, known["user_id"])
        assert user is not None  # identities cascade with their user
        return user
    user = None
    if link_user is not None:
        user = await users.by_id(conn, svc.t, link_user)
    elif who.email and who.email_verified:
        user = await users.by_email(conn, svc.t, who.email)
    if user is None:
        if svc.config.disable_signup:
            raise AuthError(422, "signup_disabled", "Signups not allowed for this instance")
        email = who.email if who.email and not await users.by_email(conn, svc.t, who.email) else None
        confirmed = moment if email and who.email_verified else None
        meta = {k: v for k, v in who.data.items() if k not in ("iss", "sub", "provider_id")}
        user = await users.insert(conn, svc.t, email, "", confirmed, meta, moment)
        await users.update(conn, svc.t, user["id"], raw_app_meta_data={"provider": provider, "providers": [provider]})
        await svc.profiles.created(
            conn, str(user["id"]), email=email, confirmed_at=confirmed, metadata=meta, now=moment
        )
    else:
        app = dict(user.get("raw_app_meta_data") or {"provider": "email", "providers": ["email"]})
        app["providers"] = sorted({*app.get("providers", []), provider})
        await users.update(conn, svc.t, user["id"], raw_app_meta_data=app, updated_at=moment)
    await conn.execute(
        sa.insert(ids).values(
            id=uuid.uuid4(),
            provider_id=who.sub,
            user_id=user["id"],
            identity_data=who.data,
            provider=provider,
            last_sign_in_at=moment,
            created_at=moment,
            updated_at=moment,
            email=who.email,
        )
    )
    fresh = await users.by_id(conn, svc.t, user["id"])
    assert fresh is not None
    return fresh


async def of_user(conn: Any, svc: AuthService, user_id: Any) -> list[dict[str, Any]]:
    """The user's provider identities as GoTrue lists them in ``user.identities``."""
    ids = svc.t.identities
    rows = (await conn.execute(sa.select(ids).where(ids.c.user_id == user_id).order_by(ids.c.created_at))).mappings()
    return [
        {
            "identity_id": str(r["id"]),
            "id": r["provider_id"],
            "user_id": str(r["user_id"]),
            "identity_data": r["identity_data"] or {},
            "provider": r["provider"],
            "last_sign_in_at": users.iso(r["last_sign_in_at"]),
            "created_at": users.iso(r["created_at"]),
            "updated_at": users.iso(r["updated_at"]),
            "email": r["email"] or "",
        }
        for r in rows
    ]


async def unlink(svc: AuthService, user: dict[str, Any], identity_id: str) -> None:
    """Remove one of the user's provider identities; the last way to sign in cannot be removed."""
    try:
        wanted = uuid.UUID(identity_id)
    except ValueError:
        raise AuthError(404, "validation_failed", "identity_id must be an UUID") from None
    ids = svc.t.identities
    async with svc.engine.begin() as conn:
        mine = await of_user(conn, svc, user["id"])
        if str(wanted) == str(user["id"]) and user.get("email"):
            # The email identity users.to_json lists (identity_id = the user's id) has no identities row.
            if not mine:
                raise AuthError(
                    422, "single_identity_not_deletable", "User must have at least 1 identity after unlinking"
                )
            raise AuthError(422, "validation_failed", "The email identity cannot be unlinked here; change the email")
        if not any(i["identity_id"] == str(wanted) for i in mine):  # GoTrue: 422, not 404
            raise AuthError(422, "identity_not_found", "Identity doesn't exist")
        ways = len(mine) + (1 if user.get("email") and user.get("encrypted_password") else 0)
        if ways <= 1:
            raise AuthError(422, "single_identity_not_deletable", "User must have at least 1 identity after unlinking")
        gone = next(i for i in mine if i["identity_id"] == str(wanted))
        await conn.execute(sa.delete(ids).where(ids.c.id == wanted))
        app = dict(user.get("raw_app_meta_data") or {})
        left = {i["provider"] for i in mine if i["identity_id"] != str(wanted)}
        if user.get("encrypted_password"):
            left.add("email")
        app["providers"] = sorted(left)
        if app.get("provider") == gone["provider"]:
            app["provider"] = sorted(left)[0]
        await users.update(conn, svc.t, user["id"], raw_app_meta_data=app, updated_at=svc.now())
