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
from ..errors import ApiError
from ..query.syntax import Filter
from . import pg_range

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
    given = list(f.value) if f.quantifier else [f.value]
    if dialect != "postgresql":  # checked here, as PostgreSQL's cast would: a bad literal is 22P02 on both
        kind = (column.raw_type or "").lower()
        return [sqlite_value(kind, v) for v in given]
    return given


def sqlite_value(kind: str, value: Any) -> str:
    """A range as SQLite keeps it: PostgreSQL's canonical text (docbase.api.sql.pg_range)."""
    try:
        return pg_range.canonical(kind, str(value))
    except pg_range.BoundsOutOfOrder as exc:
        raise ApiError(400, "22000", str(exc)) from None
    except (ValueError, ArithmeticError):
        raise ApiError(400, "22P02", f'malformed range literal: "{value}"') from None


def condition(f: Filter, col: sa.ColumnElement, column: Column, nxt, dialect: str = "postgresql") -> sa.ColumnElement:
    name = (column.raw_type or "").lower()
    kind = TYPES[name]
    left = sa.cast(col, kind)
    sql_op = OPERATORS[f.op]

    def one() -> sa.ColumnElement:
        if dialect != "postgresql":
            return sa.func.docbase_range(f.op, name, col, nxt(sa.Text())) == 1
        return left.op(sql_op, is_comparison=True, return_type=sa.Boolean)(sa.cast(nxt(sa.Text()), kind))

    if f.quantifier:
        parts = [one() for _ in f.value]
        if not parts:
            return sa.false()
        return sa.or_(*parts) if f.quantifier == "any" else sa.and_(*parts)
    return one()


__all__ = ["OPERATORS", "TYPES", "condition", "is_range", "sqlite_value", "values"]
