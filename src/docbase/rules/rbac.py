"""Role and permission tables: who holds which permission, read from the document's own RBAC tables.

The shape (seed 002, and most SaaS documents): a *roles* table, a *permissions* table with a resource and
an action (or a name such as ``projects:read``), a junction granting permissions to roles, and an
*assignment* table giving users roles, per tenant where it has a tenant column (no tenant: everywhere).

What this module answers is the permission question itself: does a user hold ``resource:action`` in a
tenant. An action covers a command when it names it (``create``, ``read``, ``update``, ``delete``), or is
``manage``/``*``/``all`` (everything), or ``write`` (create, update, delete); a resource ``*`` or ``all``
covers every table. ``rpc/has_permission`` and ``rpc/my_permissions`` answer from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schema.model import Schema, Table
from ..schema.names import singular, words
from .columns import column_named

COMMANDS = {"select": "read", "insert": "create", "update": "update", "delete": "delete"}
EVERYTHING = ("manage", "*", "all", "admin")
WRITES = ("write",)
USER_COLUMNS = ("user_id", "userId", "member_id", "account_id", "profile_id")


@dataclass(frozen=True)
class Rbac:
    roles: str
    role_key: str
    permissions: str
    permission_key: str
    permission_name: str | None
    resource: str | None
    action: str | None
    grants: str  # junction role -> permission
    grant_role: str
    grant_permission: str
    assignments: str  # user -> role (per tenant)
    assignment_user: str
    assignment_role: str
    assignment_tenant: str | None
    line: int

    def why(self) -> str:
        where = f"per {self.assignment_tenant}" if self.assignment_tenant else "everywhere"
        return (
            f"permissions come from {self.assignments} -> {self.grants} -> {self.permissions} ({where}; an "
            f"assignment without one holds everywhere): rpc/has_permission and rpc/my_permissions answer from them"
        )


def _singular_words(name: str) -> tuple[str, ...]:
    return tuple(singular(w) for w in words(name))


def _fk_to(table: Table, target: str) -> str | None:
    return next((fk.columns[0] for fk in table.foreign_keys if fk.ref_table == target and len(fk.columns) == 1), None)


def detect_rbac(schema: Schema, toml: dict[str, Any] | None = None) -> Rbac | None:
    """The document's RBAC tables, or None (``[rules] rbac = false`` switches it off)."""
    section = (toml or {}).get("rules") or {}
    if isinstance(section, dict) and section.get("rbac") is False:
        return None
    roles = next((t for t in schema.tables if _singular_words(t.name) == ("role",)), None)
    permissions = next((t for t in schema.tables if _singular_words(t.name) == ("permission",)), None)
    if roles is None or permissions is None or len(roles.primary_key) != 1 or len(permissions.primary_key) != 1:
        return None
    grants = assignments = None
    for table in schema.tables:
        to_role, to_permission = _fk_to(table, roles.name), _fk_to(table, permissions.name)
        if to_role and to_permission and grants is None:
            grants = (table, to_role, to_permission)
        elif to_role and not to_permission and assignments is None:
            user = column_named(table, *USER_COLUMNS)
            if user is not None:
                tenant = next(
                    (fk.columns[0] for fk in table.foreign_keys if len(fk.columns) == 1 and fk.columns[0] not in
                     (to_role, user.name) and fk.ref_table not in (roles.name, permissions.name)),
                    None,
                )  # fmt: skip
                assignments = (table, user.name, to_role, tenant)
    if grants is None or assignments is None:
        return None
    resource, action = (
        column_named(permissions, "resource", "subject", "object"),
        column_named(permissions, "action", "verb"),
    )
    name = column_named(permissions, "name", "key", "code", "slug")
    if name is None and (resource is None or action is None):
        return None
    return Rbac(
        roles=roles.name,
        role_key=roles.primary_key[0],
        permissions=permissions.name,
        permission_key=permissions.primary_key[0],
        permission_name=name.name if name else None,
        resource=resource.name if resource else None,
        action=action.name if action else None,
        grants=grants[0].name,
        grant_role=grants[1],
        grant_permission=grants[2],
        assignments=assignments[0].name,
        assignment_user=assignments[1],
        assignment_role=assignments[2],
        assignment_tenant=assignments[3],
        line=permissions.line,
    )


def actions_covering(action: str) -> tuple[str, ...]:
    """The stored actions that grant ``action`` (``update`` is granted by update, write, manage, * ...)."""
    action = action.lower()
    found = (action, *EVERYTHING)
    if action in ("create", "update", "delete", "insert"):
        found += WRITES
    if action in ("read", "select", "view", "list"):
        found += ("read", "view", "list", "select")
    return tuple(dict.fromkeys(found))
