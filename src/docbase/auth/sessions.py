"""Sessions and refresh-token rotation with reuse detection.

Every refresh revokes the token used and issues its child in the same
session. Presenting a revoked token again means two parties hold the same
token (one of them stole it), so the whole session is revoked, as Supabase
Auth does; ``reuse_interval`` seconds of grace let two browser tabs that
refresh at once both succeed. The revoke is a conditional UPDATE (``WHERE
revoked = false``), so two concurrent refreshes cannot both rotate one token.

Revoking deletes the session row; its refresh tokens go with it by the
tables' ``ON DELETE CASCADE``, which fires on SQLite too because every
connection turns foreign keys on (:mod:`docbase.db.connections`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from . import tokens
from .errors import AuthError
from .tables import AuthTables
from .users import aware


@dataclass(frozen=True)
class Rotated:
    user_id: uuid.UUID
    session_id: uuid.UUID
    refresh_token: str


async def create(conn: Any, t: AuthTables, user_id: Any, moment: datetime, ip: str | None, agent: str | None):
    """A new session and its first refresh token (plaintext returned once, digest stored)."""
    session_id = uuid.uuid4()
    await conn.execute(
        sa.insert(t.sessions).values(
            id=session_id,
            user_id=user_id,
            created_at=moment,
            updated_at=moment,
            aal="aal1",
            ip=(ip or "")[:64] or None,
            user_agent=(agent or "")[:1000] or None,
        )
    )
    token = await _issue(conn, t, user_id, session_id, None, moment)
    return session_id, token


async def _issue(conn: Any, t: AuthTables, user_id: Any, session_id: Any, parent: str | None, moment: datetime) -> str:
    token = tokens.new_refresh_token()
    await conn.execute(
        sa.insert(t.refresh_tokens).values(
            token=tokens.digest(token),
            user_id=user_id,
            session_id=session_id,
            parent=parent,
            revoked=False,
            created_at=moment,
            updated_at=moment,
        )
    )
    return token


def _not_found() -> AuthError:
    return AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")


async def rotate(conn: Any, t: AuthTables, token: str, moment: datetime, reuse_interval: int) -> Rotated:
    """Exchange a refresh token for its child; revoke the session when a used token comes back."""
    rt = t.refresh_tokens
    row = (await conn.execute(sa.select(rt).where(rt.c.token == tokens.digest(token)))).mappings().first()
    if row is None or row["session_id"] is None:
        raise _not_found()
    session = (await conn.execute(sa.select(t.sessions.c.id).where(t.sessions.c.id == row["session_id"]))).first()
    if session is None:
        raise _not_found()
    if not row["revoked"]:
        claimed = await conn.execute(
            sa.update(rt).where(rt.c.id == row["id"], rt.c.revoked.is_(False)).values(revoked=True, updated_at=moment)
        )
        if claimed.rowcount == 1:
            return await _child(conn, t, row, moment)
        row = {**row, "revoked": True, "updated_at": moment}
    revoked_at = aware(row["updated_at"]) or moment
    if reuse_interval > 0 and moment - revoked_at <= timedelta(seconds=reuse_interval):
        return await _child(conn, t, row, moment)
    await revoke_sessions(conn, t, [row["session_id"]])
    raise AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")


async def _child(conn: Any, t: AuthTables, row: Any, moment: datetime) -> Rotated:
    child = await _issue(conn, t, row["user_id"], row["session_id"], row["token"], moment)
    await conn.execute(
        sa.update(t.sessions).where(t.sessions.c.id == row["session_id"]).values(refreshed_at=moment, updated_at=moment)
    )
    return Rotated(row["user_id"], row["session_id"], child)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def exists(conn: Any, t: AuthTables, session_id: Any) -> bool:
    try:
        key = _uuid(session_id)
    except ValueError:
        return False
    return (await conn.execute(sa.select(t.sessions.c.id).where(t.sessions.c.id == key))).first() is not None


async def list_for(conn: Any, t: AuthTables, user_id: Any) -> list[dict[str, Any]]:
    """A user's live sessions, newest first (for operators and tests)."""
    q = sa.select(t.sessions).where(t.sessions.c.user_id == user_id).order_by(t.sessions.c.created_at.desc())
    return [dict(r) for r in (await conn.execute(q)).mappings()]


async def revoke_sessions(conn: Any, t: AuthTables, session_ids: list[Any]) -> None:
    if not session_ids:
        return
    await conn.execute(sa.delete(t.sessions).where(t.sessions.c.id.in_(session_ids)))


async def sign_out(conn: Any, t: AuthTables, user_id: Any, session_id: Any, scope: str) -> None:
    """``local``: this session; ``global``: every session of the user; ``others``: all but this one."""
    if scope == "local":
        if session_id:
            await revoke_sessions(conn, t, [_uuid(session_id)])
        return
    ids = [s["id"] for s in await list_for(conn, t, user_id)]
    if scope == "others":
        ids = [i for i in ids if str(i) != str(session_id)]
    await revoke_sessions(conn, t, ids)
