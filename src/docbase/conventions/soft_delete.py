"""Soft delete: in a table with ``is_deleted`` or ``deleted_at``, DELETE marks the row instead of removing it.

Reads through the API leave marked rows out: not by a filter added to the
caller's query, but in the access layer's row filter (docbase.access.live_rows),
which every transport already ANDs into its statements. service_role sees them by
asking: the query parameter ``include_deleted=true`` (PostgREST has no
such parameter, so it cannot clash with a column filter) or the header
``Prefer: include-deleted``. A marked row is restored with a PATCH that
clears the mark (service_role only, since others cannot see it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..access.live_rows import DeleteMark
from ..schema.model import Schema
from .base import Applied, column_named, enabled

NAME = "soft_delete"
QUERY_FLAG = "include_deleted"
PREFER_FLAG = "include-deleted"


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        flag = column_named(table, "is_deleted", "deleted")
        stamp = column_named(table, "deleted_at", "deleted_on")
        if flag is not None and flag.type != "boolean":
            flag = None
        if stamp is not None and stamp.type not in ("timestamp", "timestamptz", "date", "float", "bigint", "integer"):
            stamp = None
        if (flag is None and stamp is None) or not enabled(toml, NAME, table.name):
            continue
        cols = tuple(c.name for c in (flag, stamp) if c is not None)
        roles = tuple((r, c.name) for r, c in (("flag", flag), ("stamp", stamp)) if c is not None)
        why = (
            f"{' and '.join(cols)} {'marks' if len(cols) == 1 else 'mark'} deleted rows: DELETE sets "
            f"{'it' if len(cols) == 1 else 'them'} instead of "
            f"removing the row; reads leave marked rows out unless service_role adds ?{QUERY_FLAG}=true; "
            "realtime sends marking as a DELETE and clearing the mark as an INSERT"
        )
        out.append(Applied(NAME, table.name, cols, why, table.line, roles))
    return out


def mark(applied: Applied, stamp_type: str | None) -> dict[str, Any]:
    """The PATCH body that marks a row deleted (JSON values, as a client would send)."""
    body: dict[str, Any] = {}
    if applied.role("flag"):
        body[applied.role("flag")] = True
    stamp = applied.role("stamp")
    if stamp:
        now = datetime.now(UTC)
        body[stamp] = now.timestamp() * 1000 if stamp_type in ("float", "bigint", "integer") else now.isoformat()
    return body


#: Values of the flag that leave a row alive (SQLite stores booleans as 0/1, JSON as false).
_ALIVE = (None, False, 0, "false", "f", "0")


def is_marked(applied: Applied, row: dict[str, Any] | None) -> bool:
    """Whether ``row`` (a captured record) carries the soft-delete mark: the flag set or the stamp filled."""
    if not row:
        return False
    flag, stamp = applied.role("flag"), applied.role("stamp")
    if flag and row.get(flag) not in _ALIVE:
        return True
    return bool(stamp) and row.get(stamp) is not None


def delete_mark(applied: Applied) -> DeleteMark:
    """The column that says a row is deleted (the flag when there are both), for docbase.access.live_rows,
    which keeps marked rows out of every row filter (``is_deleted IS NOT TRUE`` or ``deleted_at IS NULL``)."""
    flag = applied.role("flag")
    if flag:
        return DeleteMark(flag, flag=True)
    return DeleteMark(applied.role("stamp") or "", flag=False)
