"""INSERT (bulk, upsert), UPDATE and DELETE statements, each RETURNING every column.

Rows are returned as plain tuples in table column order. On PostgreSQL a
write that answers with its rows also returns each row as JSON text rendered
by the database (``shown``: the columns ``select`` shows), as PostgREST does,
so numerics keep their scale and intervals, money and ranges read as a GET
reads them; elsewhere ``rows_to_json`` turns the tuples into the same JSON a
read would give (SQLite's 0/1 booleans and JSON text included).
One statement per set of keys: rows with the same keys go in one multi-row
INSERT, all inside the request's single transaction.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite

from ...access.decide import Access
from ...ddl import row_order
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
    conflict_where: sa.ColumnElement | None = None,
    returning: tuple[str, ...] | None = None,
    insert_only: tuple[str, ...] = (),
    defaulted: tuple[str, ...] = (),
    shown: list[tuple[str, int]] | None = None,
) -> sa.ClauseElement:
    """``conflict_where``: which existing rows an upsert may overwrite (the caller's update rule);
    ``returning``: the columns to return (None: all); ``insert_only``: columns an upsert's update leaves
    alone (the creator columns docbase fills, as a column default would be in PostgREST); ``defaulted``:
    columns an upsert's update sets even where a row leaves them out (``Prefer: missing=default`` with
    ``columns=``: PostgREST's update writes each listed column, a missing one as its default, which is
    what ``EXCLUDED`` holds)."""
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
            # a body of key columns only still returns its rows, as PostgREST's ``SET pk = EXCLUDED.pk`` does
            written = (*keys, *(k for k in defaulted if k not in keys))
            updates = {k: stmt.excluded[k] for k in written if k not in target and k not in insert_only} or {
                target[0]: stmt.excluded[target[0]]
            }
            stmt = stmt.on_conflict_do_update(index_elements=list(target), set_=updates, where=conflict_where)
    return stmt.returning(*_returned(sa_table, returning, shown=shown, dialect=catalog.dialect))


def _returned(
    sa_table: sa.Table,
    names: tuple[str, ...] | None,
    heap: Catalog | None = None,
    shown: list[tuple[str, int]] | None = None,
    dialect: str = "",
) -> list:
    """The returned columns; ``heap`` (an UPDATE's or DELETE's catalog): on SQLite also the rows' places
    before the write (docbase.ddl.row_order), which ``heap_ordered`` sorts by and strips; ``shown`` (the
    (key, column index) pairs ``returned_picks`` gives) on PostgreSQL: the row's JSON text, last."""
    out = list(sa_table.c) if names is None else [sa_table.c[n] for n in names]
    if heap is not None and heap.dialect == "sqlite" and sa_table.name in heap.tables:
        out.extend(row_order.returned_position(sa_table.name, sa_table))
    if shown is not None and (dialect or (heap.dialect if heap is not None else "")) == "postgresql":
        out.append(_row_json(sa_table, shown))
    return out


def _row_json(sa_table: sa.Table, shown: list[tuple[str, int]]) -> sa.ColumnElement:
    """The written row as PostgreSQL's JSON text of the shown columns, in ``select`` order: the same
    ``row_to_json`` a read's ``json_agg`` applies, over a FROM-less subquery on the row being returned
    (no 100-argument limit as ``json_build_object`` has)."""
    columns = list(sa_table.c)
    table = ".".join(_quoted(part) for part in (sa_table.schema, sa_table.name) if part is not None)
    inner = sa.select(
        *(sa.literal_column(f"{table}.{_quoted(columns[i].name)}").label(key) for key, i in shown)
    ).subquery("_docbase_row")
    return sa.select(sa.cast(sa.func.row_to_json(inner.table_valued()), sa.Text)).scalar_subquery()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def split_json(rows: list[tuple], shown: list[tuple[str, int]] | None, dialect: str) -> tuple[list[tuple], list[str]]:
    """RETURNING rows with a last JSON column (``_returned``'s ``shown``) -> (the rows, their JSON texts)."""
    if shown is None or dialect != "postgresql":
        return rows, []
    return [row[:-1] for row in rows], [row[-1] for row in rows]


def json_array(texts: list[str]) -> bytes:
    return ("[" + ",".join(texts) + "]").encode()


async def heap_ordered(tx: Any, catalog: Catalog, table: Table, rows: list[tuple], updated: bool) -> list[tuple]:
    """SQLite: an UPDATE's or DELETE's returned rows in PostgreSQL's order (the heap order it reads them
    in), and an UPDATE's moved rows re-queued in that order; PostgreSQL: the rows as they are."""
    if catalog.dialect != "sqlite" or table.name not in catalog.tables:
        return rows
    plain, rowids, before = row_order.in_old_order(rows)
    if updated and rowids and before is not None:
        moved = dict(await tx.rows(row_order.MOVED, [table.name, before]))
        for sql, params in row_order.resequence(table.name, rowids, before, moved):
            await tx.rows(sql, params)
    return plain


def pad(table: Table, names: tuple[str, ...] | None, rows: list[tuple]) -> list[tuple]:
    """Rows returned with only ``names`` -> full-width rows in column order (None where left out)."""
    if names is None:
        return rows
    where = {n: i for i, n in enumerate(names)}
    order = [where.get(c.name) for c in table.columns]
    return [tuple(None if i is None else row[i] for i in order) for row in rows]


def insert_values(catalog: Catalog, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> list[Any]:
    columns = catalog.columns[table.name]
    return [coerce(columns[k], row.get(k), catalog.dialect) for row in rows for k in keys]


def update_values(catalog: Catalog, table: Table, body: dict[str, Any], query: Query) -> list[Any]:
    columns = catalog.columns[table.name]
    out = where_values(catalog, table.name, query, ())
    out.extend(coerce(columns[k], v, catalog.dialect) for k, v in body.items())
    return out


def update_statement(
    catalog: Catalog,
    table: Table,
    body: dict[str, Any],
    query: Query,
    bind: Binder,
    gate: Access,
    role: str = "service_role",
    *,
    include_deleted: bool = False,
    shown: list[tuple[str, int]] | None = None,
) -> sa.ClauseElement:
    """UPDATE of the rows the filters name and ``role`` may update (``gate``: docbase.access.decide);
    soft-deleted rows only with ``include_deleted`` (service_role restoring one)."""
    sa_table = catalog.sa_table(table.name)
    where = where_clause(
        catalog, table.name, query, bind, sa_table, gate, role, "update", include_deleted=include_deleted
    )
    columns = catalog.columns[table.name]
    values = {k: bind(coerce(columns[k], v, catalog.dialect), sa_table.c[k].type) for k, v in body.items()}
    returning = gate.returning(table.name, role)
    return sa.update(sa_table).where(*where).values(values).returning(*_returned(sa_table, returning, catalog, shown))


def delete_statement(
    catalog: Catalog,
    table: Table,
    query: Query,
    bind: Binder,
    gate: Access,
    role: str = "service_role",
    *,
    include_deleted: bool = False,
    shown: list[tuple[str, int]] | None = None,
) -> sa.ClauseElement:
    sa_table = catalog.sa_table(table.name)
    where = where_clause(
        catalog, table.name, query, bind, sa_table, gate, role, "delete", include_deleted=include_deleted
    )
    returning = gate.returning(table.name, role)
    return sa.delete(sa_table).where(*where).returning(*_returned(sa_table, returning, catalog, shown))


def rows_to_json(
    catalog: Catalog, table: Table, rows: list[tuple], query: Query, hidden: frozenset[str] = frozenset()
) -> bytes:
    """RETURNING rows -> the JSON array a GET with the same ``select`` would give (``hidden`` left out)."""
    picks = returned_picks(table, query, hidden)
    kinds = [c.type for c in table.columns]
    out = []
    for row in rows:
        out.append({key: _json_value(row[i], kinds[i], catalog.dialect) for key, i in picks})
    return orjson.dumps(out, default=_default)


def returned_picks(table: Table, query: Query, hidden: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
    """(JSON key, column index) for each column ``select`` shows of a written row; the refusal ``rows_to_json``
    would give (a hidden, unknown or computed column), raised before anything is written."""
    names = [c.name for c in table.columns]
    picks: list[tuple[str, int]] = []
    for item in query.select:
        if isinstance(item, SelectStar):
            picks.extend((n, i) for i, n in enumerate(names) if n not in hidden)
        elif isinstance(item, SelectColumn) and item.field.name in hidden:
            raise ApiError(403, "42501", f"permission denied for table {table.name}")
        elif isinstance(item, SelectColumn) and not item.field.json_path and not item.cast:
            if item.field.name not in names:
                raise ApiError(400, "42703", f"column {table.name}.{item.field.name} does not exist")
            picks.append((item.key, names.index(item.field.name)))
        else:
            raise ApiError(
                400, "PGRST100", "Only plain columns can be selected from written rows", None, "Read them with GET."
            )
    return picks


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
    if hasattr(value, "isempty") and hasattr(value, "lower_inc"):  # asyncpg's Range
        from .pg_range import from_driver

        return from_driver(value)
    return str(value)
