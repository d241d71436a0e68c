"""Soft-deleted rows are out of every row filter: the access layer's answer, never a filter added to a query.

A table that soft-deletes (docbase.conventions.soft_delete) keeps its marked
rows, and no caller should meet them: not in a read, an embed (the junction
of a many-to-many included), an ``!inner`` probe, a count, a PATCH or a
DELETE, a vector search or a realtime event. Neither database enforces that
(PostgreSQL's row-level security knows nothing of the mark), so ``LiveRows``
wraps the access interface and ANDs "not marked" into the row filter every
transport already asks for, on both databases and for every role.

It used to be a filter appended to the caller's parsed query; that made PUT
see two filters and refuse itself (issue 13). The caller's query now
reaches SQL as written, and the rule lives where rules live.

``include_deleted=True`` is asked for by the transport when the rows are
wanted whatever their mark: service_role's ``?include_deleted=true``, a
function's own result set, an upsert's conflict row (named by its key, as
PUT names it), rows just written and read back by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .decide import Access


@dataclass(frozen=True)
class DeleteMark:
    """The column that marks a row deleted: a boolean flag (live: ``IS NOT TRUE``) or a stamp (live: NULL)."""

    column: str
    flag: bool


class LiveRows:
    """``docbase.access.decide.Access`` over ``inner``, with the rows ``marks`` call deleted filtered out."""

    def __init__(self, inner: Access, marks: Mapping[str, DeleteMark]) -> None:
        self.inner = inner
        self.marks = dict(marks)

    def __getattr__(self, name: str) -> Any:  # everything soft delete does not change (model, explain...)
        return getattr(self.inner, name)

    def live(self, table: str, target: sa.FromClause) -> sa.ColumnElement | None:
        """The condition that keeps ``table``'s marked rows out, on ``target`` (an alias of it); None: none."""
        mark = self.marks.get(table)
        if mark is None:
            return None
        column = target.c[mark.column]
        return sa.not_(column.is_(sa.true())) if mark.flag else column.is_(None)

    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> sa.ColumnElement | None:
        rule = self.inner.row_filter(table, target, command, role)
        live = None if include_deleted or command == "insert" else self.live(table, target)
        if live is None:
            return rule
        return live if rule is None else sa.and_(rule, live)
