"""``rpc/has_permission`` and ``rpc/my_permissions``: the caller's permissions, from the document's RBAC tables.

The caller is the signed-in user (the token's ``sub``); service_role may ask
for any ``user_id``. A tenant narrows the answer to assignments in that tenant
plus those without one (global roles); with no tenant given, global roles only.
Read as the system: the RBAC tables are the question, not data the caller reads.
"""

from __future__ import annotations

from typing import Any

from ..rules.rbac import Rbac, actions_covering
from ..schema.model import Schema
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


def permission_parts(text: str) -> tuple[str, str, str]:
    """``Projects.Read`` / ``projects:read`` -> ('projects', ':', 'read'), lowered (as the access layer reads names)."""
    return text.strip().lower().replace(".", ":").partition(":")


def same_resource(schema: Schema, toml: dict[str, Any], resource: str) -> tuple[str, ...]:
    """Every resource name that names the same table as ``resource`` (its spellings, docbase.toml's
    ``[rules.<table>] resource`` and the document's aliases, docbase.access.rbac.table_resource_names);
    () when it names none."""
    from ..access.rbac import table_resource_names

    rules = toml.get("rules") if isinstance(toml.get("rules"), dict) else {}
    for table in schema.tables:
        names = table_resource_names(schema, table.name, rules)
        if resource.lower() in names:
            return names
    return ()


def holds(rbac: Rbac, held: list[dict[str, Any]], wanted: str, same: tuple[str, ...] = ()) -> bool:
    """Whether ``held`` grants ``wanted`` (a permission's name, or ``resource:action`` / ``resource.action``) by
    the rules table access follows (docbase.access.rbac): a resource in any spelling of its table (``same``),
    ``*``/``all``; an action covered by ``write``/``manage``/``*``; a permission given only by a name such as
    ``Documents.Read`` read as its resource and action."""
    wanted = wanted.strip()
    resource, sep, action = permission_parts(wanted)
    resources = {resource, *same, "*", "all"}
    for p in held:
        if rbac.permission_name and str(p.get(rbac.permission_name) or "") == wanted:
            return True
        if not sep:
            continue
        if rbac.resource and rbac.action:
            theirs = (str(p.get(rbac.resource) or "").lower(), str(p.get(rbac.action) or "").lower())
        else:
            their_resource, their_sep, their_action = permission_parts(str(p.get(rbac.permission_name) or ""))
            if not their_sep:
                continue
            theirs = (their_resource, their_action)
        if theirs[0] in resources and theirs[1] in actions_covering(action):
            return True
    return False
