"""``rpc/has_permission`` and ``rpc/my_permissions``: the caller's permissions, from the document's RBAC tables.

The caller is the signed-in user (the token's ``sub``); service_role may ask
for any ``user_id``. A tenant narrows the answer to assignments in that tenant
plus those without one (global roles); with no tenant given, global roles only.
Read as the system: the RBAC tables are the question, not data the caller reads.
"""

from __future__ import annotations

from typing import Any

from ..rules.rbac import Rbac, actions_covering
from .errors import ConventionError, bad_argument
from .sqltext import Sql


def scalar(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    if isinstance(value, dict | list | bool):
        raise bad_argument(f"{name} must be a single value")
    return value


def subject(body: dict[str, Any], claims: dict[str, Any]) -> str:
    """Whose permissions: the caller's own; service_role names the user."""
    if claims.get("role") == "service_role":
        user = scalar(body, "user_id")
        if user is None:
            raise bad_argument('service_role names the user: {"user_id": ...}')
        return str(user)
    if claims.get("role") == "authenticated" and claims.get("sub"):
        if body.get("user_id") not in (None, claims["sub"]):
            raise ConventionError(403, "42501", "only your own permissions can be asked for")
        return str(claims["sub"])
    raise ConventionError(401, "42501", "sign in to ask about permissions")


async def permissions(tx: Any, sql: Sql, rbac: Rbac, user: str, tenant: Any) -> list[dict[str, Any]]:
    """The permissions ``user`` holds in ``tenant`` (None: global roles only), each once."""
    q = sql.q
    columns = [c for c in (rbac.permission_name, rbac.resource, rbac.action) if c]
    scope = f"a.{q(rbac.assignment_tenant)} IS NULL" if rbac.assignment_tenant else "1 = 1"
    params: list[Any] = [user]
    if rbac.assignment_tenant and tenant is not None:
        scope = f"({scope} OR a.{q(rbac.assignment_tenant)} = ?)"
        params.append(tenant)
    text = (
        f"SELECT DISTINCT {', '.join('p.' + q(c) for c in columns)} FROM {q(rbac.assignments)} a "
        f"JOIN {q(rbac.grants)} g ON g.{q(rbac.grant_role)} = a.{q(rbac.assignment_role)} "
        f"JOIN {q(rbac.permissions)} p ON p.{q(rbac.permission_key)} = g.{q(rbac.grant_permission)} "
        f"WHERE a.{q(rbac.assignment_user)} = ? AND {scope}"
    )
    rows = await tx.rows(sql.render(text), params)
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    return sorted(found, key=lambda p: tuple(str(p.get(c) or "") for c in columns))


def holds(rbac: Rbac, held: list[dict[str, Any]], wanted: str) -> bool:
    """Whether ``held`` grants ``wanted``: a permission's name, or ``resource:action`` / ``resource.action``."""
    wanted = wanted.strip()
    resource, sep, action = wanted.replace(".", ":").partition(":")
    for p in held:
        if rbac.permission_name and str(p.get(rbac.permission_name) or "") == wanted:
            return True
        if sep and rbac.resource and rbac.action:
            their_resource = str(p.get(rbac.resource) or "").lower()
            their_action = str(p.get(rbac.action) or "").lower()
            if their_resource in (resource.lower(), "*", "all") and their_action in actions_covering(action):
                return True
    return False
