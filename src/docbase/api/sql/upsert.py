"""How many rows of an upsert already exist, so the answer is 200 (all updates) or 201 (something created).

PostgREST tells the two apart with ``xmax = 0`` on the returned rows; docbase
asks before writing, in the same transaction, by the conflict target's
values, which works alike on SQLite and PostgreSQL. A row that leaves a
target column out (a default fills it) cannot exist yet.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...schema.model import Table
from ..catalog import Catalog
from ..coerce import coerce
from .compiled import compile_statement
from .conditions import Binder


async def existing_rows(
    tx: Any, catalog: Catalog, table: Table, target: tuple[str, ...], groups: list[tuple[tuple[str, ...], list]]
) -> set[tuple]:
    """The ``target`` values of written rows that are already in ``table`` (as the database returns them)."""
    columns = catalog.columns[table.name]
    keys = [
        tuple(coerce(columns[c], row[c], catalog.dialect) for c in target)
        for names, rows in groups
        if set(target) <= set(names)
        for row in rows
    ]
    if not keys:
        return set()
    sa_table = catalog.sa_table(table.name)
    bind = Binder()
    wanted = [sa.tuple_(*[bind(v, sa_table.c[c].type) for c, v in zip(target, key, strict=True)]) for key in keys]
    stmt = (
        sa.select(*[sa_table.c[c] for c in target])
        .select_from(sa_table)
        .where(sa.tuple_(*[sa_table.c[c] for c in target]).in_(wanted))
    )
    compiled = compile_statement(stmt, catalog.dialect)
    return {tuple(r) for r in await tx.rows(compiled.sql, compiled.params(bind.values))}
