"""Same-tenant references: a tenant row may only point at a row of its own tenant.

Reading the target is not enough (references.py): a user who belongs to
tenants A and B can read both, and could otherwise tie B's row to A's
project, which then keeps A from deleting it and shows A's row inside B.
So when both the written table and the referenced table belong to the same
tenant root, the tenant of the referenced row (followed along its access
path, as the tenant rule follows it) must equal the tenant of the row being
written. PostgreSQL compares them in the ``docbase references`` policy
through ``docbase.tenant_of_<table>_<column>(key)`` (SECURITY INVOKER, as
``sees_``: the caller's row-level security applies; a function so a
self-reference cannot make PostgreSQL report infinite recursion); SQLite
compiles the same comparison into the write check. Keys compare as text on
PostgreSQL so one function serves uuid, integer and text tenants alike.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from .model import AccessModel, Hop, TableAccess


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tenant_held(access: TableAccess | None) -> bool:
    """The table's rows each belong to one tenant: a root, or a table whose access path ends at its root."""
    if access is None or access.tenant is None:
        return False
    return access.scope == "tenant_root" or bool(access.path and access.path[-1].ref_table == access.tenant)


def same_tenant(model: AccessModel, access: TableAccess, hop: Hop) -> bool:
    """``hop`` leads from a tenant row to a row of the same tenant root: their tenants must match."""
    target = model.table(hop.ref_table)
    return (
        access.scope != "tenant_root"
        and tenant_held(access)
        and tenant_held(target)
        and target is not None
        and target.tenant == access.tenant
    )


# -- PostgreSQL ----------------------------------------------------------------------------------------------


def function_name(table: str, column: str) -> str:
    """``docbase."tenant_of_projects_id"``; hashed when PostgreSQL would cut the name (63 bytes)."""
    name = f"tenant_of_{table}_{column}"
    if len(name.encode()) > 63:
        name = "tenant_of_" + hashlib.sha256(f"{table}.{column}".encode()).hexdigest()[:24]
    return f"docbase.{_q(name)}"


def _path(model: AccessModel, table: str, tail: tuple[Hop, ...]) -> tuple[Hop, ...]:
    """The way from ``table`` to its tenant: its own access path, else the rest of the path that led here."""
    access = model.table(table)
    return access.path if tenant_held(access) and access and access.path else tail


def _functions_for(model: AccessModel, table: str, column: str, tail: tuple[Hop, ...], made: dict[str, str]) -> None:
    """The function giving the tenant of ``table``'s row keyed by ``column``, and those it calls."""
    name = function_name(table, column)
    access = model.table(table)
    if name in made or access is None:
        return
    path = _path(model, table, tail)
    if access.scope == "tenant_root" or not path:
        root = model.root(access.tenant)
        tenant = f"r.{_q(root.key if root else column)}"
    else:
        first = path[0]
        tenant = f"r.{_q(first.columns[0])}"
        if len(path) > 1:
            _functions_for(model, first.ref_table, first.ref_columns[0], path[1:], made)
            tenant = f"{function_name(first.ref_table, first.ref_columns[0])}({tenant})"
    made[name] = (
        f"CREATE OR REPLACE FUNCTION {name}(k anyelement) RETURNS text\n"
        f"LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path FROM CURRENT AS $$\n"
        f"  SELECT ({tenant})::text FROM {_q(table)} r WHERE r.{_q(column)} = k\n$$"
    )


def functions_sql(model: AccessModel) -> list[str]:
    """Every ``tenant_of_`` function a ``docbase references`` policy calls, callees first."""
    made: dict[str, str] = {}
    for access in model.tables:
        for hop in access.references:
            if same_tenant(model, access, hop):
                _functions_for(model, hop.ref_table, hop.ref_columns[0], (), made)
                if len(access.path) > 1:
                    first = access.path[0]
                    _functions_for(model, first.ref_table, first.ref_columns[0], access.path[1:], made)
    return list(made.values())


def condition_sql(access: TableAccess, hop: Hop) -> str:
    """``tenant_of_<target>(fk) = <this row's tenant>`` for the policy's WITH CHECK (new row's columns bare)."""
    first = access.path[0]
    mine = f"{_q(first.columns[0])}::text"
    if len(access.path) > 1:
        mine = f"{function_name(first.ref_table, first.ref_columns[0])}({_q(first.columns[0])})"
    return f"{function_name(hop.ref_table, hop.ref_columns[0])}({_q(hop.columns[0])}) = {mine}"


# -- SQLite (SQLAlchemy) -------------------------------------------------------------------------------------


def tenant_expr(
    model: AccessModel, metadata: sa.MetaData, table: str, row: sa.FromClause, tail: tuple[Hop, ...] = ()
) -> sa.ColumnElement:
    """The tenant key of ``row`` (a ``table`` or an alias of it), along the table's access path."""
    access = model.table(table)
    path = _path(model, table, tail)
    if access is not None and (access.scope == "tenant_root" or not path):
        root = model.root(access.tenant)
        return row.c[root.key if root else "id"]
    first = path[0]
    if len(path) == 1:
        return row.c[first.columns[0]]
    nxt = metadata.tables[first.ref_table].alias()
    inner = tenant_expr(model, metadata, first.ref_table, nxt, path[1:])
    return sa.select(inner).where(nxt.c[first.ref_columns[0]] == row.c[first.columns[0]]).scalar_subquery()
