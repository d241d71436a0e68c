"""INSERT (bulk, upsert), UPDATE and DELETE statements, each RETURNING every column.

Rows are returned as plain tuples in table column order; ``rows_to_json``
turns them into the same JSON a read would give (SQLite's 0/1 booleans and
JSON text included), so ``Prefer: return=representation`` answers match GET.
One statement per set of keys: rows with the same keys go in one multi-row
INSERT, all inside the request's single transaction.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite

from ...schema.model import Table
from ..catalog import Catalog
from ..coerce import coerce, format_timestamp
from ..errors import ApiError, unknown_column
from ..query.syntax import Query, SelectColumn, SelectStar
from .conditions import Binder
from .read import where_clause, where_values


def insert_statement(
    catalog: Catalog,
    table: Table,
    keys: tuple[str, ...],
    rows: list[dict[str, Any]],
    bind: Binder,
    on_conflict: tuple[str, ...] | None,
    resolution: str | None,
) -> sa.ClauseElement:
    sa_table = catalog.sa_table(table.name)
    columns = catalog.columns[table.name]
    values = []
    for row in rows:
        values.append({k: bind(coerce(columns[k], row.get(k), catalog.dialect), sa_table.c[k].type) for k in keys})
    module = pg if catalog.dialect == "postgresql" else sqlite
    stmt = module.insert(sa_table)
    stmt = stmt.values(values) if keys else stmt.values({})
    if resolution:
        target = on_conflict or table.primary_key
        if not target:
            raise ApiError(400, "PGRST100", f"'{table.name}' has no primary key; name the columns with on_conflict=")
        for name in target:
            if name not in columns:
                raise unknown_column(name, table.name)
        if resolution == "ignore-duplicates":
            stmt = stmt.on_conflict_do_nothing(index_elements=list(target))
        else:
            updates = {k: stmt.excluded[k] for k in keys if k not in target}
            stmt = (
                stmt.on_conflict_do_update(index_elements=list(target), set_=updates)
                if updates
                else stmt.on_conflict_do_nothing(index_elements=list(target))
            )
    return stmt.returning(*sa_table.c)


def insert_values(catalog: Catalog, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> list[Any]:
    columns = catalog.columns[table.name]
    return [coerce(columns[k], row.get(k), catalog.dialect) for row in rows for k in keys]


def update_values(catalog: Catalog, table: Table, body: dict[str, Any], query: Query) -> list[Any]:
    columns = catalog.columns[table.name]
    out = where_values(catalog, table.name, query, ())
    out.extend(coerce(columns[k], v, catalog.dialect) for k, v in body.items())
    return out


def update_statement(
    catalog: Catalog, table: Table, body: dict[str, Any], query: Query, bind: Binder
) -> sa.ClauseElement:
    sa_table = catalog.sa_table(table.name)
    where = where_clause(catalog, table.name, query, bind, sa_table)
    columns = catalog.columns[table.name]
    values = {k: bind(coerce(columns[k], v, catalog.dialect), sa_table.c[k].type) for k, v in body.items()}
    return sa.update(sa_table).where(*where).values(values).returning(*sa_table.c)


def delete_statement(catalog: Catalog, table: Table, query: Query, bind: Binder) -> sa.ClauseElement:
    sa_table = catalog.sa_table(table.name)
    where = where_clause(catalog, table.name, query, bind, sa_table)
    return sa.delete(sa_table).where(*where).returning(*sa_table.c)


def rows_to_json(catalog: Catalog, table: Table, rows: list[tuple], query: Query) -> bytes:
    """RETURNING rows -> the JSON array a GET with the same ``select`` would give."""
    names = [c.name for c in table.columns]
    picks: list[tuple[str, int]] = []
    for item in query.select:
        if isinstance(item, SelectStar):
            picks.extend((n, i) for i, n in enumerate(names))
        elif isinstance(item, SelectColumn) and not item.field.json_path and not item.cast:
            if item.field.name not in names:
                raise ApiError(400, "42703", f"column {table.name}.{item.field.name} does not exist")
            picks.append((item.key, names.index(item.field.name)))
        else:
            raise ApiError(
                400, "PGRST100", "Only plain columns can be selected from written rows", None, "Read them with GET."
            )
    kinds = [c.type for c in table.columns]
    out = []
    for row in rows:
        out.append({key: _json_value(row[i], kinds[i], catalog.dialect) for key, i in picks})
    return orjson.dumps(out, default=_default)


def _json_value(value: Any, kind: str, dialect: str) -> Any:
    if value is None:
        return None
    if dialect == "sqlite":
        if kind == "boolean":
            return bool(value)
        if kind in ("json", "jsonb", "array") and isinstance(value, str):
            return orjson.Fragment(value)
        if kind == "vector" and isinstance(value, bytes):
            from ..db import _vector_json

            return orjson.Fragment(_vector_json(value))
    if kind == "vector" and isinstance(value, list):
        from ..db import float32_shortest

        return [float32_shortest(v) for v in value]
    if kind in ("timestamp", "timestamptz"):
        return format_timestamp(value, kind == "timestamptz")
    if kind == "bytes" and isinstance(value, bytes):
        return "\\x" + value.hex()
    return value


def _default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if hasattr(value, "total_seconds"):
        return str(value)
    return str(value)
