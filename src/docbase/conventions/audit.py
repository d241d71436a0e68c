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
from ..schema.names import key, stem_of_reference, words
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


def _required(column) -> bool:
    return column.nullable is False and column.default is None


def copied_columns(schema: Schema, audit: Table, roles: dict[str, str]) -> dict[str, str]:
    """The audit table's other reference columns (``organization_id``) and the table each points at."""
    own = set(roles.values()) | set(audit.primary_key)
    targets = {fk.columns[0]: fk.ref_table for fk in audit.foreign_keys if len(fk.columns) == 1}
    out = {}
    for column in audit.columns:
        if column.name in own or words(column.name)[-1:] != ["id"]:
            continue
        target = targets.get(column.name)
        if target is None:  # no foreign key given: the table the name points at (organization_id -> organizations)
            stem = stem_of_reference(column.name)
            found = next((t for t in schema.tables if stem and key(t.name) == key(stem)), None)
            target = found.name if found else None
        out[column.name] = target or ""  # copied by name at least, from rows that have the same column
    return out


def sources(schema: Schema, audit: Table, roles: dict[str, str], written: Table) -> dict[str, str] | str:
    """Where each copied audit column comes from in a row of ``written``, or why that table cannot be audited.

    ``organization_id`` is the written row's own ``organization_id``; its key when the written table is the
    organization itself; its foreign key to the organization under another name. A required column none of
    these fills means rows of ``written`` cannot be audited: said, and left out, so the audit never makes
    a write to another table fail.
    """
    out: dict[str, str] = {}
    for name, target in copied_columns(schema, audit, roles).items():
        if written.column(name) is not None:
            out[name] = name
        elif target and written.name == target and len(written.primary_key) == 1:
            out[name] = written.primary_key[0]
        elif target and (fk := next((f for f in written.foreign_keys if f.ref_table == target), None)):
            out[name] = fk.columns[0]
        elif _required(audit.column(name)):
            which = key(target).replace("_", " ") if target else name
            return f"{audit.name}.{name} is required and a {written.name} row does not say which {which}"
    return out


def left_out(schema: Schema, toml: dict[str, Any] | None = None) -> list[tuple[str, int, str]]:
    """(table, line, why) for each table whose writes are not audited because its rows cannot fill the trail."""
    found = find_audit_table(schema)
    if found is None:
        return []
    audit, roles = found
    out = []
    for table in schema.tables:
        if table.name != audit.name and enabled(toml, NAME, table.name):
            why = sources(schema, audit, roles, table)
            if isinstance(why, str):
                out.append((table.name, table.line, f"writes to {table.name} are not audited: {why}"))
    return out


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    found = find_audit_table(schema)
    if found is None:
        return []
    table, roles = found
    skipped = {name for name, _, _ in left_out(schema, toml)}
    audited = tuple(
        t.name for t in schema.tables if t.name != table.name and enabled(toml, NAME, t.name) and t.name not in skipped
    )
    if not enabled(toml, NAME, table.name) or not audited:
        return []
    why = (
        f"every insert, update and delete through the API adds a row to {table.name} in the same transaction "
        f"({roles['action']}: the action, {roles['details']}: table, row and changed column names, never values)"
    )
    if skipped:
        why += f"; not for {', '.join(sorted(skipped))} (see the warnings)"
    return [Applied(NAME, table.name, tuple(roles.values()), why, table.line, tuple(roles.items()))]
