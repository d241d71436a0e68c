"""A soft delete is a DELETE: the *delete* rule decides which rows a caller may mark, on both databases.

Marking runs as an UPDATE, and left alone each database would judge it as
one: SQLite by the update predicate, PostgreSQL by the update policy and
column grants. So a role allowed to edit but not to delete could "delete",
and one allowed to delete but not to edit could not.

SQLite: the mark's WHERE carries the gate's *delete* predicate.
PostgreSQL: as the caller (row-level security on, claims set), the rows the
filters name are selected with the table's DELETE policies ANDed in - read
from ``pg_policies``, so document-written policies count exactly as the
database holds them (permissive ones ORed, restrictive ones ANDed, none at
all denying) - after checking the caller holds the DELETE privilege. Only
those rows, by ``ctid`` in the same transaction, are then marked as
service_role, and the transaction switches back to the caller.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..schema.model import Table
from .catalog import Catalog
from .coerce import coerce
from .errors import permission_denied
from .sql.compiled import compile_statement
from .sql.conditions import Binder
from .sql.read import where_clause

_POLICIES = (
    "SELECT permissive, qual FROM pg_policies WHERE schemaname = current_schema() AND tablename = $1 "
    "AND cmd IN ('DELETE', 'ALL') AND roles && ARRAY[current_user, 'public']::name[]"
)
_TABLE = (
    "SELECT c.relrowsecurity, has_table_privilege(current_user, c.oid, 'DELETE') "
    "FROM pg_class c WHERE c.oid = to_regclass($1)"
)


async def mark_deleted(
    tx: Any,
    catalog: Catalog,
    gate: Any,
    table: Table,
    query: Any,
    mark: dict[str, Any],
    role: str,
    sub: Any,
) -> list[tuple]:
    """Mark the rows ``query`` names that ``role`` may delete; the marked rows (columns ``role`` may see)."""
    dialect = catalog.dialect
    sa_table = catalog.sa_table(table.name)
    shown = gate.returning(table.name, role) if gate is not None else None
    returned = [sa_table.c[n] for n in (shown or [c.name for c in table.columns])]
    columns = catalog.columns[table.name]
    bind = Binder()
    where = where_clause(catalog, table.name, query, bind, sa_table, gate, role, "delete")
    if dialect == "sqlite" or gate is None or role == "service_role":
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


async def delete_condition(tx: Any, table: str, role: str) -> str:
    """The SQL condition (on ``table``'s own columns) under which the current role may delete a row.

    Raises 401/403 42501 when the role lacks the DELETE privilege on the table at all.
    """
    found = await tx.rows(_TABLE, [_ident(table)])
    if not found or not found[0][1]:
        raise permission_denied(table, 401 if role == "anon" else 403)
    if not found[0][0]:  # no row-level security on this table: the privilege is the whole rule
        return "true"
    permissive, restrictive = [], []
    for is_permissive, qual in await tx.rows(_POLICIES, [table]):
        expr = f"({qual})" if qual else "false"  # a DELETE policy without USING admits no row
        (permissive if is_permissive == "PERMISSIVE" else restrictive).append(expr)
    if not permissive:
        return "false"
    return " AND ".join([f"({' OR '.join(permissive)})", *restrictive])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
