"""Rows of a function returning ``TABLE (...)`` or ``SETOF`` a row type that is not a served table.

PostgREST reads such a result like a table: ``select`` (columns, aliases,
casts, aggregates), filters, order, limits and counts all apply to the
function's output columns. docbase does the same by describing the result
as a table of the function's name, with the output columns and the types
the function declares, seen only by the one request that calls it: the
shared catalog is not changed, and there is no row rule to add because
the function itself already chose the rows (calling it was allowed by the
function's own grants). No relationships lead to or from it, so embeds
answer PGRST200 as PostgREST's do for such a result.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ..readers.types import parse_type
from ..schema.model import Column, Table
from .catalog import Catalog


def result_table(routine: Any, types: tuple[str, ...]) -> Table:
    """The function's output as a table: one column per output column, typed as declared (unknown
    types read as text, which is how PostgREST compares a value it cannot type either)."""
    columns = []
    for i, name in enumerate(routine.columns):
        info = parse_type(types[i]) if i < len(types) and types[i] else None
        kind = info.name if info is not None and info.name not in ("enum", "array", "vector") else "text"
        columns.append(Column(name, kind))
    return Table(routine.name, tuple(columns))


def with_result(catalog: Catalog, table: Table) -> Catalog:
    """A copy of ``catalog`` where ``table.name`` is the function's result (and holds no relationship)."""
    view = copy.copy(catalog)
    view.tables = {**catalog.tables, table.name: table}
    view.columns = {**catalog.columns, table.name: {c.name: c for c in table.columns}}
    view.links = [k for k in catalog.links if table.name not in (k.table, k.ref_table)]
    return view


class ResultGate:
    """The request's gate, except that the function's result has no row filter and hides no column."""

    def __init__(self, gate: Any, table: Table) -> None:
        self._gate = gate
        self._table = table

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gate, name)

    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> Any:
        if table == self._table.name:
            return None
        return self._gate.row_filter(table, target, command, role, include_deleted=include_deleted)

    def hidden(self, table: str, role: str) -> frozenset[str]:
        return frozenset() if table == self._table.name else self._gate.hidden(table, role)

    def columns(self, table: str, role: str) -> Mapping[str, Column]:
        if table == self._table.name:
            return {c.name: c for c in self._table.columns}
        return self._gate.columns(table, role)
