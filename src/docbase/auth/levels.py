"""How strongly a session was authenticated: its assurance level (``aal``) and methods (``amr``), and the
user's MFA factors as ``/user`` lists them.

A session starts at ``aal1`` with the method it was opened by (password,
otp, magiclink ...); verifying a TOTP factor in it adds ``totp`` and raises
it to ``aal2``. Both live in the database with the session, not only in
the access token, so a refreshed token keeps the level its session earned
and unenrolling the factor lowers it again. Methods are listed newest
first, each with the time it was last used, as GoTrue puts them in ``amr``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .tables import AuthTables
from .users import aware, iso


async def record(conn: Any, t: AuthTables, session_id: Any, method: str, moment: datetime) -> None:
    """Note that ``method`` was just used in the session (once per method, its time refreshed)."""
    amr = t.mfa_amr_claims
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(amr)
    stmt = insert.values(
        id=uuid.uuid4(), session_id=session_id, authentication_method=method, created_at=moment, updated_at=moment
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[amr.c.session_id, amr.c.authentication_method], set_={"updated_at": moment}
        )
    )


async def of_session(conn: Any, t: AuthTables, session_id: Any) -> tuple[str, list[dict[str, Any]]]:
    """The session's ``aal`` and its ``amr`` claim."""
    row = (await conn.execute(sa.select(t.sessions.c.aal).where(t.sessions.c.id == session_id))).first()
    amr = t.mfa_amr_claims
    rows = await conn.execute(
        sa.select(amr.c.authentication_method, amr.c.updated_at)
        .where(amr.c.session_id == session_id)
        .order_by(amr.c.updated_at.desc())
    )
    methods = [{"method": m, "timestamp": int(aware(at).timestamp())} for m, at in rows]
    return ((row[0] if row else None) or "aal1"), methods


async def factors(conn: Any, t: AuthTables, user_id: Any) -> list[dict[str, Any]]:
    """The user's factors as GoTrue's ``user.factors`` shows them (never the secret)."""
    f = t.mfa_factors
    rows = await conn.execute(sa.select(f).where(f.c.user_id == user_id).order_by(f.c.created_at))
    return [factor_json(dict(r)) for r in rows.mappings()]


def factor_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "friendly_name": row["friendly_name"] or "",
        "factor_type": row["factor_type"],
        "status": row["status"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }
