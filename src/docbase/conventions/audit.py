"""Audit trail: when the document has an audit table, every write through the API adds a row to it.

The audit table is found by name (``audit_logs``, ``audit_log``,
``activity_log``...) with an action column and a details/changes column.
The row is written in the write's own transaction, so a change and its
record commit or roll back together. It says who (the caller's user id,
if the table has a user column), which table and row, which action, and
which columns changed - names only, never values, so secrets and personal
data do not leak into the trail.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Schema, Table
from .base import Applied, column_named, enabled, norm

NAME = "audit"
_TABLE_NAMES = {"auditlog", "auditlogs", "audittrail", "auditevents", "activitylog", "activitylogs", "auditentries"}
ROLE_NAMES = {
    "action": ("action", "event", "event_type", "operation", "verb"),
    "details": ("details", "changes", "changed", "diff", "metadata", "data", "payload"),
    "user": ("user_id", "actor_id", "performed_by", "changed_by", "actor", "user"),
    "table": ("table_name", "entity_type", "resource_type", "target_type", "entity", "resource", "object_type"),
    "row": ("record_id", "row_id", "entity_id", "resource_id", "target_id", "object_id"),
    "when": ("created_at", "timestamp", "occurred_at", "at"),
}


def find_audit_table(schema: Schema) -> tuple[Table, dict[str, str]] | None:
    for table in schema.tables:
        if norm(table.name) not in _TABLE_NAMES:
            continue
        roles = {}
        for role, names in ROLE_NAMES.items():
            column = column_named(table, *names)
            if column is not None:
                roles[role] = column.name
        if "action" in roles and "details" in roles:
            return table, roles
    return None


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    found = find_audit_table(schema)
    if found is None:
        return []
    table, roles = found
    audited = tuple(t.name for t in schema.tables if t.name != table.name and enabled(toml, NAME, t.name))
    if not enabled(toml, NAME, table.name) or not audited:
        return []
    why = (
        f"every insert, update and delete through the API adds a row to {table.name} in the same transaction "
        f"({roles['action']}: the action, {roles['details']}: table, row and changed column names, never values)"
    )
    return [Applied(NAME, table.name, tuple(roles.values()), why, table.line, tuple(roles.items()))]
