"""``Prefer: missing=default`` numbers every row, as PostgREST's insert does, so the ids match PostgREST's.

PostgREST fills a ``missing=default`` body by building each row as ``jsonb_build_object(<every payload
column's default>) || row``: the serial key's default (``nextval``) runs for every row, also a row that
names its own id, whose value is then thrown away. A bulk insert ``[{id: 100}, {slug: 'x'}]`` therefore
gives the second row the sequence's second value, not its first. docbase asks the sequence for one value
per row up front, in the body's order, and gives each row without a key its own.

PostgreSQL: ``nextval`` of the column's sequence; like every sequence it is not rolled back, so a
rolled-back or failed request still uses its values, as on PostgREST. SQLite (an ``AUTOINCREMENT`` key):
the next numbers after ``sqlite_sequence`` and the table's highest key, and ``sqlite_sequence`` moved past
them; SQLite would roll that back with the request, so once the request's transaction has ended (committed,
rolled back by ``Prefer: tx=rollback`` or failed) a second one moves it past them again, and a number is
never given twice, as with PostgreSQL's sequence. A plain insert (no ``missing=default``) is not numbered
up front: on SQLite a failed or rolled-back one gives its numbers back, where PostgreSQL's would skip them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...ddl.types import says_serial
from ...schema.model import Table
from ..catalog import Catalog
from .compiled import compile_statement
from .conditions import Binder


def numbered_key(table: Table, columns: tuple[str, ...] | None, rows: list[dict[str, Any]]) -> str | None:
    """The serial key every row of a ``missing=default`` insert numbers, when it is a payload column
    (named by ``columns=``, else by a row); None when PostgREST would not evaluate its default."""
    if len(table.primary_key) != 1:
        return None
    column = table.column(table.primary_key[0])
    if column is None or not says_serial(column):
        return None
    named = column.name in columns if columns is not None else any(column.name in r for r in rows)
    return column.name if named else None


async def number_rows(
    tx: Any, catalog: Catalog, table: Table, key: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """``rows`` with ``key`` filled from one new sequence value per row (a row naming its own keeps it),
    and the last value handed out (for :func:`record_numbers`)."""
    if not rows:
        return rows, 0
    values = await _next_values(tx, catalog, table, key, len(rows))
    return [row if key in row else {**row, key: value} for row, value in zip(rows, values, strict=True)], values[-1]


async def _next_values(tx: Any, catalog: Catalog, table: Table, key: str, n: int) -> list[int]:
    bind = Binder()
    if catalog.dialect == "postgresql":
        schema_name, _, bare = table.name.rpartition(".")
        qualified = ".".join('"' + p.replace('"', '""') + '"' for p in (schema_name, bare) if p)
        sequence = sa.func.pg_get_serial_sequence(bind(qualified, sa.Text()), bind(key, sa.Text()))
        series = sa.func.generate_series(1, bind(n, sa.Integer()))  # nextval runs row by row, in order
        stmt = sa.select(sa.func.nextval(sequence)).select_from(series)
        compiled = compile_statement(stmt, catalog.dialect)
        return [r[0] for r in await tx.rows(compiled.sql, compiled.params(bind.values))]
    sa_table = catalog.sa_table(table.name)
    used = sa.select(sa.func.max(sa_table.c[key])).scalar_subquery()
    recorded = (
        sa.select(sa.column("seq"))
        .select_from(sa.table("sqlite_sequence"))
        .where(sa.column("name") == bind(sa_table.name, sa.Text()))
    )
    stmt = sa.select(sa.func.max(sa.func.coalesce(recorded.scalar_subquery(), 0), sa.func.coalesce(used, 0)))
    compiled = compile_statement(stmt, catalog.dialect)
    base = (await tx.rows(compiled.sql, compiled.params(bind.values)))[0][0]
    return list(range(base + 1, base + n + 1))


async def record_numbers(tx: Any, catalog: Catalog, table: Table, last: int) -> None:
    """SQLite, after the insert: move ``sqlite_sequence`` past the numbers handed out, also those thrown
    away for rows that named their own key (AUTOINCREMENT records only the keys inserted)."""
    if catalog.dialect == "postgresql" or not last:
        return
    name = catalog.sa_table(table.name).name
    seq = sa.table("sqlite_sequence", sa.column("seq"), sa.column("name"))
    bind = Binder()
    stmt = (
        sa.update(seq)
        .where(seq.c.name == bind(name, sa.Text()))
        .values(seq=sa.func.max(seq.c.seq, bind(last, sa.Integer())))
    )
    compiled = compile_statement(stmt, catalog.dialect)
    await tx.rows(compiled.sql, compiled.params(bind.values))
    bind = Binder()
    missing = ~sa.exists().where(seq.c.name == bind(name, sa.Text()))
    stmt = sa.insert(seq).from_select(
        ["name", "seq"], sa.select(bind(name, sa.Text()), bind(last, sa.Integer())).where(missing)
    )
    compiled = compile_statement(stmt, catalog.dialect)
    await tx.rows(compiled.sql, compiled.params(bind.values))


async def keep_numbers(db: Any, catalog: Catalog, table: Table, last: int) -> None:
    """SQLite, once the request's transaction has ended however it ended: the numbers it handed out stay
    used, as a PostgreSQL sequence's do (a no-op after a commit)."""
    if catalog.dialect == "postgresql" or not last:
        return
    async with db.transaction() as tx:
        await record_numbers(tx, catalog, table, last)
