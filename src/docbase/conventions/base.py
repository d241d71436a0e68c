"""What every convention shares: the ``Applied`` record, name matching, and the off switches.

A convention is switched on by what the document states (a column called
``api_key_encrypted``, a status enum with ``queued`` and ``running``) and
switched off per table in ``docbase.toml``::

    [conventions.jobs]
    job_queue = false

or for the whole document with ``[conventions] job_queue = false``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..access.names import words
from ..schema.model import Column, Table

__all__ = ["Applied", "column_named", "enabled", "norm", "words"]


@dataclass(frozen=True)
class Applied:
    """One convention applied to one table: which columns it touches and why, in a sentence."""

    convention: str
    table: str
    columns: tuple[str, ...]
    why: str
    line: int = field(default=0, compare=False)
    # Column roles a runtime needs (e.g. {"status": "status", "retries": "attempts"}).
    roles: tuple[tuple[str, str], ...] = ()

    def role(self, name: str) -> str | None:
        return dict(self.roles).get(name)

    def as_dict(self) -> dict[str, Any]:
        return {"convention": self.convention, "table": self.table, "columns": list(self.columns), "why": self.why}


def norm(name: str) -> str:
    """``nextRunAt``, ``next_run_at`` and ``NEXT_RUN_AT`` compare equal: lower case, no separators."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def column_named(table: Table, *names: str) -> Column | None:
    """The first column whose name matches one of ``names`` (in the order given), ignoring case and underscores."""
    by_norm = {norm(c.name): c for c in table.columns}
    for name in names:
        found = by_norm.get(norm(name))
        if found is not None:
            return found
    return None


def enabled(toml: dict[str, Any] | None, convention: str, table: str) -> bool:
    """False when ``docbase.toml`` switches ``convention`` off for ``table`` or for every table."""
    section = (toml or {}).get("conventions", {})
    if not isinstance(section, dict):
        return True
    if section.get(convention) is False:
        return False
    per_table = section.get(table)
    if isinstance(per_table, dict) and per_table.get(convention) is False:
        return False
    return True


def text_of(column: Column) -> str:
    """The column's comment and notes in lower case: where a document says *encrypted* or *hash*."""
    return " ".join([column.comment or "", *column.notes]).lower()


def ident(name: str) -> str:
    """A double-quoted SQL identifier (valid on SQLite and PostgreSQL)."""
    return '"' + name.replace('"', '""') + '"'
