"""Filters and logic trees -> SQLAlchemy boolean expressions, with every value a bound parameter.

``Binder`` hands out parameters named ``p0, p1, ...`` in the order the
statement is built; the same query shape is always built in the same order,
so a cached compiled statement lines up with the values of a new request.
Operators whose SQL differs (``ilike``, ``cs``/``cd``/``ov`` on JSON text,
``match``) are written per dialect here and nowhere else.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ...schema.model import Column
from ..coerce import coerce
from ..errors import ApiError, postgresql_only_feature, unknown_column
from ..query.syntax import FTS_OPERATORS, RANGE_OPERATORS, Field, Filter, Logic
from . import range_types, text_search

JSON_TYPES = frozenset({"json", "jsonb"})
TEXT = Column("value", "text")


# Types whose values travel as PostgreSQL's text form: ranges and tsvector (docbase.ddl.types._PG_NATIVE).
AS_TEXT = (pg.ranges.AbstractRange, pg.TSVECTOR)


class Binder:
    """Collects request values in build order and names their parameters."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any, type_: sa.types.TypeEngine | None = None) -> sa.ColumnElement:
        name = f"p{len(self.values)}"
        self.values.append(value)
        if isinstance(type_, AS_TEXT):  # sent as text and cast by PostgreSQL (asyncpg wants Range objects)
            return sa.cast(sa.bindparam(name, type_=sa.Text()), type_)
        return sa.bindparam(name, type_=type_)


def column_of(columns: dict[str, Column], field: Field, table: str) -> Column:
    column = columns.get(field.name)
    if column is None:
        raise ApiError(400, "42703", f"column {table}.{field.name} does not exist")  # PostgreSQL's words, no hint
    return column


class _Computed:
    """Stands for a row alias whose ``.c`` also holds computed fields' calls (for ``_filter``)."""

    def __init__(self, alias: sa.FromClause, name: str, expr: sa.ColumnElement) -> None:
        self.c = {**{c.key: c for c in alias.c}, name: expr}


def _resolve(columns: dict[str, Column], field: Field, table: str, computed: dict | None) -> tuple[Column, Any]:
    """The column a filter names, or the computed field (docbase.api.computed) of that name."""
    if field.name not in columns and not field.json_path and computed and field.name in computed:
        return computed[field.name].column, computed[field.name]
    return column_of(columns, field, table), None


def field_expr(sa_table: sa.FromClause, column: Column, field: Field, as_text: bool = False) -> sa.ColumnElement:
    """A column, or a JSON path into it (``->`` keeps JSON, ``->>`` gives text; same syntax on both databases)."""
    expr: sa.ColumnElement = sa_table.c[column.name]
    if not field.json_path:
        return expr
    if column.type not in JSON_TYPES | {"array"}:
        raise ApiError(
            400, "42883", f"operator does not exist: {column.type} -> unknown", None, "Only JSON columns have paths."
        )
    steps = field.json_path
    for i, step in enumerate(steps):
        text = step.text or (as_text and i == len(steps) - 1)
        digits = step.key.removeprefix("-")
        # ASCII digits only: '²' is str.isdigit() but int() refuses it (it is a key, as in PostgREST)
        key: Any = int(step.key) if digits.isascii() and digits.isdigit() and len(digits) < 10 else step.key
        literal = sa.literal_column(str(key)) if isinstance(key, int) else sa.literal(key, sa.Text)
        expr = expr.op("->>" if text else "->", return_type=sa.Text if text else sa.JSON)(literal)
    return expr


def condition(
    cond: Filter | Logic,
    sa_table: sa.FromClause,
    columns: dict[str, Column],
    table: str,
    dialect: str,
    bind: Binder,
    computed: dict | None = None,
) -> sa.ColumnElement:
    """``computed``: the table's computed fields by name, which filters may name like columns (PostgREST)."""
    if isinstance(cond, Logic):
        parts = [condition(c, sa_table, columns, table, dialect, bind, computed) for c in cond.children]
        expr = sa.or_(*parts) if cond.op == "or" else sa.and_(*parts)
        return sa.not_(expr) if cond.negate else expr
    column, field = _resolve(columns, cond.field, table, computed)
    source: Any = sa_table if field is None else _Computed(sa_table, column.name, field.expression(sa_table, dialect))
    expr = _filter(cond, source, column, dialect, bind)
    return sa.not_(expr) if cond.negate else expr


def condition_values(
    cond: Filter | Logic, columns: dict[str, Column], table: str, dialect: str, computed: dict | None = None
) -> list[Any]:
    """The values ``condition`` binds, in the same order, without building any SQL (the cache-hit path)."""
    if isinstance(cond, Logic):
        out: list[Any] = []
        for child in cond.children:
            out.extend(condition_values(child, columns, table, dialect, computed))
        return out
    return filter_values(cond, _resolve(columns, cond.field, table, computed)[0], dialect)


def filter_values(f: Filter, column: Column, dialect: str) -> list[Any]:
    """Driver values for one filter; the single place filter text is converted (and rejected)."""
    value_col = TEXT if f.field.json_path else column
    op = f.op
    if op == "is":
        return []
    if op in FTS_OPERATORS:
        return text_search.values(f, column, dialect)
    if range_types.is_range(column) and not f.field.json_path and op != "in":
        return range_types.values(f, column, dialect)
    if op in RANGE_OPERATORS:
        raise ApiError(400, "42883", f"operator {op} needs a range column, not {column.type}")
    if op == "in":
        return [coerce(value_col, v, dialect, writing=False) for v in f.value]
    if f.quantifier:
        return [_compare_value(op, value_col, v, dialect) for v in f.value]
    if op in ("cs", "cd", "ov"):
        return [_contains_value(op, column, f.value, dialect)]
    if op == "isdistinct":
        return [coerce(value_col, f.value, dialect, writing=False)]
    return [_compare_value(op, value_col, f.value, dialect)]


_COMPARE = ("eq", "neq", "gt", "gte", "lt", "lte")


def _compare_value(op: str, column: Column, raw: Any, dialect: str) -> Any:
    if op in ("gt", "gte", "lt", "lte") and column.type == "array" and dialect != "postgresql":
        raise postgresql_only_feature(
            f"Ordering arrays ({op})", "SQLite keeps arrays as JSON text and cannot compare them element by element"
        )
    if op in _COMPARE:
        return coerce(column, raw, dialect, writing=False)
    if op in ("like", "ilike"):
        return raw.replace("*", "%")
    if op in ("match", "imatch"):
        return raw
    raise ApiError(400, "PGRST100", f"operator {op} is not supported here")


def _contains_value(op: str, column: Column, raw: Any, dialect: str) -> Any:
    if column.type not in JSON_TYPES | {"array"}:
        raise ApiError(400, "42883", f"operator {op} needs an array or JSON column, not {column.type}")
    if column.type == "array":
        items = coerce(column, raw, "postgresql")  # a Python list, validated
        return items if dialect == "postgresql" else orjson.dumps([_plain(i) for i in items]).decode()
    text = raw if isinstance(raw, str) else orjson.dumps(raw).decode()
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ApiError(400, "22P02", f'invalid input syntax for type json: "{text}"') from None
    if op == "ov":
        raise ApiError(400, "42883", "operator ov needs an array column; use cs or cd on JSON")
    return text


def _filter(f: Filter, sa_table: sa.FromClause, column: Column, dialect: str, bind: Binder) -> sa.ColumnElement:
    values = iter(filter_values(f, column, dialect))
    target = field_expr(sa_table, column, f.field, as_text=True)
    sa_type = sa.Text() if f.field.json_path else sa_table.c[column.name].type

    def nxt(type_: sa.types.TypeEngine) -> sa.BindParameter:
        return bind(next(values), type_)

    op = f.op
    if op == "is":
        word = f.value
        if word in ("null", "unknown"):
            return target.is_(None)
        if word == "not_null":
            return target.is_not(None)
        return target.is_(sa.true() if word == "true" else sa.false())
    if op in FTS_OPERATORS:
        return text_search.condition(f, target, column, nxt, dialect)
    if range_types.is_range(column) and not f.field.json_path and op != "in":
        return range_types.condition(f, sa_table.c[column.name], column, nxt, dialect)
    if op == "in":
        if not f.value:
            return sa.false()
        return target.in_([nxt(sa_type) for _ in f.value])
    if f.quantifier:
        parts = [_compare(op, target, nxt, sa_type, dialect) for _ in f.value]
        if not parts:
            return sa.false()
        return sa.or_(*parts) if f.quantifier == "any" else sa.and_(*parts)
    if op in ("cs", "cd", "ov"):
        return _contains(op, sa_table, column, nxt, dialect)
    if op == "isdistinct":
        return target.is_distinct_from(nxt(sa_type))
    return _compare(op, target, nxt, sa_type, dialect)


def _compare(op: str, target: sa.ColumnElement, nxt, sa_type, dialect: str) -> sa.ColumnElement:
    if op in _COMPARE:
        p = nxt(sa_type)
        return {
            "eq": target == p,
            "neq": target != p,
            "gt": target > p,
            "gte": target >= p,
            "lt": target < p,
            "lte": target <= p,
        }[op]
    text_target = sa.cast(target, sa.Text)
    pattern = nxt(sa.Text())
    if op in ("like", "ilike"):
        if op == "like":
            return text_target.like(pattern)
        if dialect == "postgresql":
            return text_target.ilike(pattern)
        return sa.func.lower(text_target).like(sa.func.lower(pattern))
    if dialect == "postgresql":
        return text_target.op("~*" if op == "imatch" else "~", return_type=sa.Boolean)(pattern)
    flags = "(?i)" if op == "imatch" else ""
    return sa.func.regexp(sa.literal(flags, sa.Text) + pattern, text_target) == 1


def _contains(op: str, sa_table: sa.FromClause, column: Column, nxt, dialect: str) -> sa.ColumnElement:
    col = sa_table.c[column.name]
    if dialect == "postgresql":
        if column.type == "array":
            p = nxt(col.type)
            return {"cs": col.contains(p), "cd": col.contained_by(p), "ov": col.overlap(p)}[op]
        jb = sa.cast(col, sa.dialects.postgresql.JSONB)
        other = sa.cast(nxt(sa.Text()), sa.dialects.postgresql.JSONB)
        return jb.op("@>" if op == "cs" else "<@", return_type=sa.Boolean)(other)
    # SQLite: the functions of ``containment`` (registered per connection) give PostgreSQL's answers
    p = nxt(sa.Text())
    if column.type == "array":
        fn = {"cs": "docbase_array_contains", "cd": "docbase_array_contains", "ov": "docbase_array_overlaps"}[op]
    else:
        fn = "docbase_jsonb_contains"
    left, right = (p, col) if op == "cd" else (col, p)
    return getattr(sa.func, fn)(left, right) == 1


def _plain(value: Any) -> Any:
    return str(value) if not isinstance(value, int | float | str | bool) and value is not None else value


__all__ = ["Binder", "column_of", "condition", "condition_values", "field_expr", "filter_values", "unknown_column"]
