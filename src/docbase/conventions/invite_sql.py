"""``rpc/accept_invitation`` and ``rpc/decline_invitation``: one transaction each, refusals with reasons.

The caller must be signed in as the invited email (compared without case).
The invitation is found by its token (hashed first when the token column is
stored hashed) or, where the table has no token, by its id - what the link
carries in seed 003. It is locked (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE``) so two accepts of one invitation cannot both succeed.
Accepting adds the membership row (user, tenant, role) the access rules
read, and marks the invitation accepted; a second accept, an expired or
declined invitation, or someone else's, is refused without changing anything.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ..schema.model import Schema
from . import hashed_tokens
from .base import Applied
from .errors import ConventionError, bad_argument, not_found
from .sqltext import Sql, as_datetime


def _state(schema: Schema, a: Applied, wanted: str) -> str:
    table = schema.table(a.table)
    column = table.column(a.role("status") or "") if table else None
    for value in (column.enum or column.examples or ()) if column else ():
        if value.lower() == wanted:
            return value
    return wanted


async def respond(
    tx: Any,
    sql: Sql,
    schema: Schema,
    a: Applied,
    body: dict[str, Any],
    claims: dict[str, Any],
    accept: bool,
    hashed: bool,
) -> dict[str, Any]:
    r = a.role
    q = sql.q
    user, email = claims.get("sub"), claims.get("email")
    if claims.get("role") != "authenticated" or not user or not email:
        raise ConventionError(401, "42501", "sign in as the invited user to answer an invitation")
    token = body.get("token", body.get("id"))
    if not isinstance(token, str) or not token.strip():
        raise bad_argument('name the invitation: {"token": "..."}')
    table = schema.table(a.table)
    assert table is not None
    key_column = table.column(r("token") or "")
    value: Any = hashed_tokens.digest(token) if hashed else token
    if key_column is not None and key_column.type == "uuid":
        try:
            value = str(uuid.UUID(token))
        except ValueError:
            raise not_found("no such invitation") from None
    names = [r("key"), r("email"), r("role"), r("status"), r("expiry"), r("tenant")]
    text = f"SELECT {', '.join(q(n) for n in names)} FROM {q(a.table)} WHERE {q(r('token'))} = ?"
    rows = await tx.rows(sql.render(text + (" FOR UPDATE" if sql.pg else "")), [value])
    if not rows:
        raise not_found("no such invitation")
    key, invited, role, status, expires, tenant = rows[0]
    pending = _state(schema, a, "pending")
    if str(invited or "").strip().lower() != str(email).strip().lower():
        raise ConventionError(403, "42501", "this invitation was sent to another email address")
    if status is not None and str(status) != pending:
        raise ConventionError(409, "P0001", f"this invitation is already {status}")
    when = as_datetime(expires)
    if when is not None and when <= datetime.now(UTC):
        raise ConventionError(410, "P0001", "this invitation has expired", None, "Ask for a new invitation.")
    if accept:
        member = {r("member_user"): user, r("member_tenant"): tenant}
        if r("member_role"):
            member[r("member_role")] = role
        cols = list(member)
        await tx.rows(
            sql.render(
                f"INSERT INTO {q(r('membership') or '')} ({', '.join(q(c) for c in cols)}) "
                f"VALUES ({', '.join('?' for _ in cols)})"
            ),
            [member[c] for c in cols],
        )
    sets = {r("status"): _state(schema, a, "accepted" if accept else "declined")}
    for role_name, to in (("responded", None), ("invitee", user)):
        column = table.column(r(role_name) or "")
        if column is not None:
            sets[column.name] = sql.now(column.type) if to is None else to
    assignments = ", ".join(f"{q(c)} = ?" for c in sets)
    await tx.rows(sql.render(f"UPDATE {q(a.table)} SET {assignments} WHERE {q(r('key'))} = ?"), [*sets.values(), key])
    return {"invitation": str(key), "status": sets[r("status")], "tenant": str(tenant), "role": role}
