"""What a random attacker sends, drawn so that each request is well formed and reaches the access rules.

A filter value that does not fit its column (``gt.*`` on a uuid, ``eq.a`` on
an integer) is refused as malformed before any access rule is consulted, so
an attacker made of such requests tests the parser, not the rules. Here
every value comes from the database itself, per column (the victim's rows,
the attacker's rows, and for a foreign key the keys of the table it points
to), so it has the column's type by construction, and every operator is one
that the column's type supports.
"""

from __future__ import annotations

from typing import Any

import orjson

from docbase.schema.model import Column, Table

# Types whose values PostgREST filters compare as scalars.
_UNFILTERED = ("json", "jsonb", "array", "vector", "bytes")
_ORDERED = (
    "integer",
    "bigint",
    "smallint",
    "numeric",
    "float",
    "timestamp",
    "timestamptz",
    "date",
    "time",
    "text",
    "varchar",
    "uuid",
)
_TEXT = ("text", "varchar")


def filterable(column: Column) -> bool:
    return column.type not in _UNFILTERED


def operators(column: Column) -> list[str]:
    """The PostgREST operators ``column``'s type supports."""
    ops = ["eq", "neq", "in", "not.eq", "is", "not.is"]
    if column.type in _ORDERED:
        ops += ["gt", "gte", "lt", "lte"]
    if column.type in _TEXT:
        ops += ["like", "ilike"]
    return ops


def literal(op: str, column: Column, values: list[Any]) -> str:
    """The text after ``op.`` in a filter, built from ``values`` (the first is the one aimed at)."""
    value = values[0]
    if op in ("is", "not.is"):
        if column.type == "boolean" and value is not None:
            return "true" if value else "false"
        return "null"
    if op == "in":
        return "(" + ",".join(_quoted(v) for v in values if v is not None) + ")"
    if op in ("like", "ilike"):
        return str(value)[:3] + "*"
    return _plain(value)


def _plain(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _quoted(value: Any) -> str:
    text = _plain(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def column_values(table: Table, rows: list[dict[str, Any]], keys: dict[tuple[str, str], list[Any]]) -> dict:
    """{column: distinct values seen in it}, a foreign key's referenced keys (``keys[(table, column)]``) added.

    A column never filled gets ``[None]``: only ``is.null`` fits it.
    """
    out: dict[str, list[Any]] = {}
    for column in table.columns:
        seen = [r[column.name] for r in rows if r.get(column.name) is not None]
        for fk in table.foreign_keys:
            if len(fk.columns) == 1 and fk.columns[0] == column.name:
                seen += keys.get((fk.ref_table, fk.ref_columns[0]), [])
        distinct = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS): v for v in seen}
        out[column.name] = list(distinct.values()) or [None]
    return out
