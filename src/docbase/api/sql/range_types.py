"""Filters on PostgreSQL range columns (``int4range``, ``numrange``, ``tstzrange`` ...): every operator.

PostgREST maps ``eq neq gt gte lt lte isdistinct`` to the range comparisons
and ``cs cd ov sl sr nxr nxl adj`` to ``@> <@ && << >> &< &> -|-``. Both
sides are cast to the column's range type (docbase may keep the column as
text), so ``[1,3]`` and ``[1,4)`` are the same int4range, as in
PostgreSQL. SQLite has no range types: comparing the text would give other
rows, so there these filters answer PGRST127 naming the feature (``is``
and ``in`` still work on the stored text).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ...schema.model import Column
from ..errors import ApiError, postgresql_only_feature
from ..query.syntax import Filter

TYPES: dict[str, type[sa.types.TypeEngine]] = {
    "int4range": pg.INT4RANGE,
    "int8range": pg.INT8RANGE,
    "numrange": pg.NUMRANGE,
    "daterange": pg.DATERANGE,
    "tsrange": pg.TSRANGE,
    "tstzrange": pg.TSTZRANGE,
}
OPERATORS = {
    "eq": "=",
    "neq": "<>",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "cs": "@>",
    "cd": "<@",
    "ov": "&&",
    "sl": "<<",
    "sr": ">>",
    "nxr": "&<",
    "nxl": "&>",
    "adj": "-|-",
    "isdistinct": "IS DISTINCT FROM",
}


def is_range(column: Column) -> bool:
    return (column.raw_type or "").lower() in TYPES


def values(f: Filter, column: Column, dialect: str) -> list[Any]:
    if f.op not in OPERATORS:
        raise ApiError(400, "42883", f"operator does not exist: {column.raw_type} {f.op} unknown", None, None)
    if dialect != "postgresql":
        raise postgresql_only_feature(
            f"Range operators ({f.op} on {column.raw_type})",
            "SQLite has no range types; comparing their text would give other rows",
        )
    if f.quantifier:
        return list(f.value)
    return [f.value]


def condition(f: Filter, col: sa.ColumnElement, column: Column, nxt) -> sa.ColumnElement:
    kind = TYPES[(column.raw_type or "").lower()]
    left = sa.cast(col, kind)
    sql_op = OPERATORS[f.op]

    def one() -> sa.ColumnElement:
        return left.op(sql_op, is_comparison=True, return_type=sa.Boolean)(sa.cast(nxt(sa.Text()), kind))

    if f.quantifier:
        parts = [one() for _ in f.value]
        if not parts:
            return sa.false()
        return sa.or_(*parts) if f.quantifier == "any" else sa.and_(*parts)
    return one()


__all__ = ["OPERATORS", "TYPES", "condition", "is_range", "values"]
