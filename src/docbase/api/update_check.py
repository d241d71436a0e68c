"""SQLite: an UPDATE's WITH CHECK runs on the rows as they *will* be, before anything is written.

PostgreSQL evaluates a policy's WITH CHECK against the database as it was
when the statement began. SQLite has no such snapshot inside a transaction,
so a check run after the write sees the write itself: a user who owns
workspace B and moves their own membership row to workspace A would, by
then, *be* an owner of A, and the check would pass. So the rows the UPDATE
will touch are read first (same filters, same update predicate), the body
is laid over each, and every resulting row must pass the check; only then
is the UPDATE run. It is not checked again afterwards: by then the check
would see the write too, and an owner demoting themself (allowed on
PostgreSQL) would be refused by their own demotion.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..access.decide import Access
from ..schema.model import Table
from .catalog import Catalog
from .coerce import coerce
from .sql.compiled import ShapeCache, query_shape
from .sql.conditions import Binder
from .sql.read import where_clause, where_values


async def check_before_update(
    tx: Any,
    catalog: Catalog,
    gate: Access,
    cache: ShapeCache,
    table: Table,
    query: Any,
    body: dict[str, Any],
    role: str,
    sub: Any,
    include_deleted: bool = False,
) -> None:
    """403 42501 (and nothing written) when a row the UPDATE would produce fails the update check."""
    if gate.check_statement(table.name, "update", role) is None:  # PostgreSQL, service_role or no rules
        return
    dialect = catalog.dialect
    key = ("update-before", table.name, query_shape(query), role, include_deleted)
    pick = cache.lookup(key)
    if pick is None:
        sa_table = catalog.sa_table(table.name)
        where = where_clause(
            catalog, table.name, query, Binder(), sa_table, gate, role, "update", include_deleted=include_deleted
        )
        pick = cache.store(key, sa.select(*sa_table.c).where(*where), dialect)
    columns = catalog.columns[table.name]
    names = [c.name for c in table.columns]
    changes = {names.index(k): coerce(columns[k], v, dialect) for k, v in body.items()}
    rows = await tx.rows(pick.sql, pick.params(where_values(catalog, table.name, query, ()), sub))
    new = [[changes.get(i, value) for i, value in enumerate(row)] for row in rows]
    await gate.check_rows(tx, table.name, "update", role, sub, new)  # docbase.access judges them
