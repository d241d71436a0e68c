"""``rpc/accept_invitation`` and ``rpc/decline_invitation``: one transaction each, refusals with reasons.

The caller must be signed in as the invited email (compared without case).
The invitation is found by its token (hashed first when the token column is
stored hashed) or, where the table has no token, by its id - what the link
carries in seed 003. It is locked (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE``) so two accepts of one invitation cannot both succeed.
Accepting adds the membership row (user, tenant, role) the access rules
read, and marks the invitation accepted; a second accept, an expired or
declined invitation, or someone else's, is refused without changing anything.
The role granted is capped by what the inviter holds in the tenant *now*
(one since demoted grants no more than they hold; one who left, nothing);
the invitation's terms cannot have been rewritten since it was made
(docbase.access.grants fixes them at creation).
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


def _rank(order: list[str], role: Any) -> int:
    """Position from the top (0 = highest); a role not in the order ranks lowest."""
    low = [o.lower() for o in order]
    value = str(role or "").lower()
    return low.index(value) if value in low else len(low)


async def _within_inviters_reach(tx: Any, sql: Sql, a: Applied, key: Any, tenant: Any, role: Any) -> None:
    """An invitation grants no more than its inviter holds in that tenant when it is accepted.

    Without this, any member who may write invitations could invite a second
    account of theirs as owner. Where the table names no inviter, only
    service_role could have vouched for the role, so the top role is refused.
    """
    r, q = a.role, sql.q
    order = [x for x in (r("role_order") or "").split(",") if x]
    if not order or not r("member_role"):
        return
    if not r("inviter"):
        if _rank(order, role) == 0:
            raise ConventionError(
                403,
                "42501",
                f"an invitation cannot grant the {role} role here",
                None,
                "Add the member as service_role instead.",
            )
        return
    rows = await tx.rows(sql.render(f"SELECT {q(r('inviter'))} FROM {q(a.table)} WHERE {q(r('key'))} = ?"), [key])
    inviter = rows[0][0] if rows else None
    if inviter is None:
        return  # written by service_role without an inviter: trusted
    held = await tx.rows(
        sql.render(
            f"SELECT {q(r('member_role') or '')} FROM {q(r('membership') or '')} "
            f"WHERE {q(r('member_user') or '')} = ? AND {q(r('member_tenant') or '')} = ?"
        ),
        [inviter, tenant],
    )
    best = min((_rank(order, h[0]) for h in held), default=None)
    if best is None or _rank(order, role) < best:
        raise ConventionError(
            403,
            "42501",
            "this invitation grants a role above what its inviter holds in this tenant",
            None,
            "Ask someone with that role to invite you.",
        )


def _new_key(schema: Schema, table_name: str) -> dict[str, str]:
    """A membership key the database will not make (a text or uuid key with no default): a fresh uuid, as
    clients writing such a table must supply one (docbase invents no keys in the DDL)."""
    table = schema.table(table_name)
    column = table.column(table.primary_key[0]) if table is not None and len(table.primary_key) == 1 else None
    if column is None or column.default is not None or column.type not in ("uuid", "text", "varchar"):
        return {}
    return {column.name: str(uuid.uuid4())}


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
        await _within_inviters_reach(tx, sql, a, key, tenant, role)
        member = {r("member_user"): user, r("member_tenant"): tenant}
        if r("member_role"):
            member[r("member_role")] = role
        member.update(_new_key(schema, r("membership") or ""))
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
