"""A soft delete is a DELETE: the *delete* rule decides which rows a caller may mark, on both databases.

Marking runs as an UPDATE, and left alone each database would judge it as
one: SQLite by the update predicate, PostgreSQL by the update policy and
column grants. So a role allowed to edit but not to delete could "delete",
and one allowed to delete but not to edit could not.

SQLite: the mark's WHERE carries the gate's *delete* predicate.
PostgreSQL: as the caller (row-level security on, claims set), the rows the
filters name are selected with the table's DELETE policies ANDed in
(docbase.access.delete_rule reads them from ``pg_policies``). Only
those rows, by ``ctid`` in the same transaction, are then marked as
service_role, and the transaction switches back to the caller.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..access.decide import Access
from ..access.delete_rule import delete_condition
from ..schema.model import Table
from .catalog import Catalog
from .coerce import coerce
from .sql.compiled import compile_statement
from .sql.conditions import Binder
from .sql.read import where_clause


async def mark_deleted(
    tx: Any,
    catalog: Catalog,
    gate: Access,
    table: Table,
    query: Any,
    mark: dict[str, Any],
    role: str,
    sub: Any,
    include_deleted: bool = False,
) -> list[tuple]:
    """Mark the rows ``query`` names that ``role`` may delete; the marked rows (columns ``role`` may see)."""
    dialect = catalog.dialect
    sa_table = catalog.sa_table(table.name)
    shown = gate.returning(table.name, role)
    returned = [sa_table.c[n] for n in (shown or [c.name for c in table.columns])]
    columns = catalog.columns[table.name]
    bind = Binder()
    where = where_clause(
        catalog, table.name, query, bind, sa_table, gate, role, "delete", include_deleted=include_deleted
    )
    if dialect == "sqlite" or role == "service_role":
        values = {k: bind(coerce(columns[k], v, dialect), sa_table.c[k].type) for k, v in mark.items()}
        stmt = sa.update(sa_table).where(*where).values(values).returning(*returned)
        compiled = compile_statement(stmt, dialect)
        return await tx.rows(compiled.sql, compiled.params(bind.values, sub))
    allowed = await delete_condition(tx, table.name, role)
    pick = sa.select(sa.cast(sa.literal_column("ctid"), sa.Text)).select_from(sa_table)
    pick = pick.where(*where, sa.literal_column(f"({allowed})"))
    compiled = compile_statement(pick, dialect)
    ids = [r[0] for r in await tx.rows(compiled.sql, compiled.params(bind.values, sub))]
    if not ids:
        return []
    names = list(mark)
    sets = ", ".join(f"{_ident(n)} = ${i + 1}" for i, n in enumerate(names))
    text = (
        f"UPDATE {_ident(table.name)} SET {sets} WHERE ctid = ANY(${len(names) + 1}::text[]::tid[]) "
        f"RETURNING {', '.join(_ident(c.name) for c in returned)}"
    )
    await gate.as_role(tx, "service_role")
    rows = await tx.rows(text, [*(coerce(columns[n], mark[n], dialect) for n in names), ids])
    await gate.as_role(tx, role)
    return rows


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
