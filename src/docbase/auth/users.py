"""Auth users: reading and writing rows of the auth users table, and their JSON as Supabase shows it.

Emails are stored lower-cased, so look-ups are exact and ``Ada@x.io`` cannot
register twice as ``ada@x.io``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from .tables import AuthTables


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    m = aware(moment)
    return m.isoformat().replace("+00:00", "Z") if m else None


async def by_email(conn: Any, t: AuthTables, email: str) -> dict[str, Any] | None:
    row = (await conn.execute(sa.select(t.users).where(t.users.c.email == email.lower()))).mappings().first()
    return dict(row) if row else None


async def by_id(conn: Any, t: AuthTables, user_id: str) -> dict[str, Any] | None:
    try:
        key = uuid.UUID(str(user_id))
    except ValueError:
        return None
    row = (await conn.execute(sa.select(t.users).where(t.users.c.id == key))).mappings().first()
    return dict(row) if row else None


def new_row(
    email: str | None,
    password_hash: str,
    confirmed_at: datetime | None,
    user_metadata: dict[str, Any],
    moment: datetime,
    app_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The row a sign-up writes; also the stand-in user answered for an address that is taken (see service).

    ``email`` None: an anonymous user (``is_anonymous``, no identity until an email is linked).
    """
    anonymous = email is None
    provider = {} if anonymous else {"provider": "email", "providers": ["email"]}
    return {
        "id": uuid.uuid4(),
        "aud": "authenticated",
        "role": "authenticated",
        "email": email.lower() if email else None,
        "encrypted_password": password_hash,
        "email_confirmed_at": confirmed_at,
        "raw_app_meta_data": {**provider, **(app_metadata or {})},
        "raw_user_meta_data": user_metadata,
        "is_super_admin": False,
        "created_at": moment,
        "updated_at": moment,
        "is_sso_user": False,
        "is_anonymous": anonymous,
    }


async def insert(
    conn: Any,
    t: AuthTables,
    email: str | None,
    password_hash: str,
    confirmed_at: datetime | None,
    user_metadata: dict[str, Any],
    moment: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """Insert a new user; ``extra``: app_metadata, or columns such as ``invited_at``/``id``."""
    app_metadata = extra.pop("app_metadata", None)
    values = {**new_row(email, password_hash, confirmed_at, user_metadata, moment, app_metadata), **extra}
    await conn.execute(sa.insert(t.users).values(values))
    return values


async def update(conn: Any, t: AuthTables, user_id: Any, **values: Any) -> None:
    await conn.execute(sa.update(t.users).where(t.users.c.id == _uuid(user_id)).values(**values))


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def banned(user: dict[str, Any], moment: datetime) -> bool:
    until = aware(user.get("banned_until"))
    return until is not None and until > moment


def to_json(user: dict[str, Any]) -> dict[str, Any]:
    """The user object Supabase Auth returns (``GET /user``, ``session.user``, the admin API)."""
    uid = str(user["id"])
    email = user.get("email") or ""
    confirmed = iso(user.get("email_confirmed_at"))
    identities = []
    if email:
        identities.append(
            {
                "identity_id": uid,
                "id": uid,
                "user_id": uid,
                "identity_data": {
                    "sub": uid,
                    "email": email,
                    "email_verified": confirmed is not None,
                    "phone_verified": False,
                },
                "provider": "email",
                "last_sign_in_at": iso(user.get("last_sign_in_at")) or iso(user.get("created_at")),
                "created_at": iso(user.get("created_at")),
                "updated_at": iso(user.get("updated_at")),
                "email": email,
            }
        )
    anonymous = bool(user.get("is_anonymous"))
    default_app = {} if anonymous else {"provider": "email", "providers": ["email"]}
    app_metadata = user.get("raw_app_meta_data")
    body = {
        "id": uid,
        "aud": user.get("aud") or "authenticated",
        "role": user.get("role") or "authenticated",
        "email": email,
        "email_confirmed_at": confirmed,
        "phone": "",
        "confirmation_sent_at": iso(user.get("confirmation_sent_at")),
        "confirmed_at": confirmed,
        "invited_at": iso(user.get("invited_at")),
        "recovery_sent_at": iso(user.get("recovery_sent_at")),
        "email_change_sent_at": iso(user.get("email_change_sent_at")),
        "new_email": user.get("email_change") or None,
        "last_sign_in_at": iso(user.get("last_sign_in_at")),
        "banned_until": iso(user.get("banned_until")),
        "app_metadata": app_metadata if app_metadata is not None else default_app,
        "user_metadata": user.get("raw_user_meta_data") or {},
        "identities": identities,
        "created_at": iso(user.get("created_at")),
        "updated_at": iso(user.get("updated_at")),
        "deleted_at": iso(user.get("deleted_at")),
        "is_anonymous": anonymous,
    }
    return {k: v for k, v in body.items() if v is not None or k in ("email_confirmed_at", "last_sign_in_at")}


def claims_view(user: dict[str, Any]) -> dict[str, Any]:
    """What tokens.access_claims needs from a user row."""
    return {
        "id": user["id"],
        "email": user.get("email"),
        "app_metadata": user.get("raw_app_meta_data") or {},
        "user_metadata": user.get("raw_user_meta_data") or {},
        "is_anonymous": bool(user.get("is_anonymous")),
    }
