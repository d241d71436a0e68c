"""Compare a live column's type with the model's by *family*, so reflection noise is not a change.

Reflected types rarely equal the declared ones (PostgreSQL reports SERIAL
as INTEGER, SQLite reports whatever the DDL said), so exact comparison
would plan a change on every run. Types are compared by what they hold:
integer, number, text, uuid, timestamp, ... plus a varchar's length.
Widening (integer -> bigint/numeric/text, a longer varchar, anything ->
text) keeps every value; the rest narrows and is refused by default.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

_FAMILIES = (
    (r"\[\]|ARRAY", "array"),
    (r"JSON", "json"),
    (r"UUID", "uuid"),
    (r"TIMESTAMP|DATETIME", "timestamp"),
    (r"^DATE$", "date"),
    (r"^TIME", "time"),
    (r"INTERVAL", "interval"),
    (r"BOOL", "boolean"),
    (r"BIGINT|INT8", "bigint"),
    (r"INT", "integer"),
    (r"NUMERIC|DECIMAL|FLOAT|REAL|DOUBLE", "number"),
    (r"CHAR|TEXT|CLOB|STRING", "text"),
    (r"BLOB|BYTEA|BINARY", "bytes"),
    (r"INET", "inet"),
)
_WIDER = {("integer", "bigint"), ("integer", "number"), ("bigint", "number")}


def _spec(type_: sa.types.TypeEngine, dialect: sa.engine.Dialect) -> str:
    if isinstance(type_, sa.Enum) and getattr(type_, "name", None):
        return "ENUM"
    try:
        return type_.compile(dialect=dialect).upper()
    except sa.exc.CompileError:
        return type(type_).__name__.upper()


def family(type_: sa.types.TypeEngine, dialect: sa.engine.Dialect | str) -> str:
    if isinstance(dialect, str):
        from ..ddl.render import DIALECTS

        dialect = DIALECTS[dialect]
    spec = _spec(type_, dialect)
    if spec == "ENUM":
        return "enum"
    for pattern, name in _FAMILIES:
        if re.search(pattern, spec):
            return name
    return spec.lower()


def type_change(
    live: sa.types.TypeEngine, model: sa.types.TypeEngine, dialect: sa.engine.Dialect
) -> tuple[bool, str, str] | None:
    """``(narrowing, old, new)`` when the family or varchar length differs, else None."""
    old, new = family(live, dialect), family(model, dialect)
    if "enum" in (old, new) and {old, new} <= {"enum", "text"}:
        return None  # a native enum and text + CHECK hold the same values
    if old != new:
        narrowing = not (new == "text" or (old, new) in _WIDER)
        return narrowing, old, new
    if old == "text":
        a, b = getattr(live, "length", None), getattr(model, "length", None)
        if a != b and a is not None:
            return (b is not None and b < a), f"varchar({a})", f"varchar({b})" if b else "text"
    return None
