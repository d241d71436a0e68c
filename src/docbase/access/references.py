"""Tenant-consistent references: a write may only point a foreign key at a row the writer can read.

Without this, tenant B could write a row naming A's project: the answer
(23503 or 201) tells B whether the id exists, and A can then no longer delete
its own project (409) nor see what holds on to it. So every foreign key of a
table anon or authenticated may write is checked against the *target's read
rule* for the writer, in the same transaction and before the database's own
foreign-key check, so a missing row and another tenant's row get the same
403 (42501):

- PostgreSQL: one RESTRICTIVE policy per table, ``docbase references``,
  whose WITH CHECK calls ``docbase.sees_<table>_<column>(value)``: a
  SECURITY INVOKER function, so the target's row-level security (the
  document's own policies included) decides, and a function rather than an
  inline ``EXISTS`` so a self-reference (``cards.parent_id``) or a cycle of
  policies cannot make PostgreSQL report infinite recursion. VOLATILE so a
  row inserted earlier in the same statement counts.
- SQLite: the same condition, compiled into the write check
  (``reference_predicate``).

Between two tables of the same tenant root the target must moreover belong
to the row's own tenant (same_tenant.py): reading both is not enough.

Left out, deliberately: references to the users table (a teammate or an
assignee is named by id, and users read only their own row), the hop that
already ties the row to its tenant (the tenant rule checks it at a higher
level), the owner column of an owned row, and targets everyone who may
write can read anyway (catalog data). A composite foreign key is not
checked, and says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

import sqlalchemy as sa

from ..document.diagnostics import Diagnostic, warning
from ..schema.model import Schema
from .model import AccessModel, Hop, TableAccess
from .same_tenant import condition_sql, same_tenant, tenant_expr
from .same_tenant import functions_sql as tenant_functions_sql

_WRITES = ("insert", "update")


def _written_by_document(schema: Schema) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in schema.policies:
        cmds = {"select", "insert", "update", "delete"} if p.command.upper() == "ALL" else {p.command.lower()}
        out.setdefault(p.table.rsplit(".", 1)[-1], set()).update(cmds)
    return out


def checked_references(schema: Schema, tables: list[TableAccess], diags: list[Diagnostic]) -> list[TableAccess]:
    """``tables`` with ``references`` filled: the foreign keys each write must point at readable rows."""
    by_name = {a.table: a for a in tables}
    documented = _written_by_document(schema)
    out = []
    for access in tables:
        table = schema.table(access.table)
        written = {c for c in _WRITES if access.rule(c) != "service_role"} | (
            documented.get(access.table, set()) & set(_WRITES)
        )
        if table is None or not written:
            out.append(access)
            continue
        skip: set[str] = set()
        if access.scope in ("tenant", "membership") and access.path:
            skip.update(access.path[0].columns)
        if access.scope == "owned" and access.owner_column:
            skip.add(access.owner_column)
        anon_writes = any(access.rule(c) == "anon" for c in _WRITES)
        hops = []
        for fk in table.foreign_keys:
            target = by_name.get(fk.ref_table)
            if target is None or target.scope == "user" or set(fk.columns) <= skip:
                continue
            seen_by = target.rule("select")
            if seen_by == "anon" or (seen_by == "authenticated" and not anon_writes):
                continue
            if len(fk.columns) != 1:
                diags.append(
                    warning(
                        fk.line,
                        f"access: {access.table}({', '.join(fk.columns)}) -> {fk.ref_table}: a composite reference "
                        "is not checked against what the writer may read",
                    )
                )
                continue
            ref_table = schema.table(fk.ref_table)
            ref_columns = fk.ref_columns or (ref_table.primary_key if ref_table else ()) or ("id",)
            column = table.column(fk.columns[0])
            hops.append(Hop(access.table, fk.columns, fk.ref_table, ref_columns, bool(column and column.nullable)))
        out.append(replace(access, references=tuple(hops)) if hops else access)
    return out


# -- PostgreSQL ----------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def function_name(hop: Hop) -> str:
    """``docbase."sees_projects_id"``; hashed when PostgreSQL would cut the name (63 bytes)."""
    name = f"sees_{hop.ref_table}_{hop.ref_columns[0]}"
    if len(name.encode()) > 63:
        name = "sees_" + hashlib.sha256(f"{hop.ref_table}.{hop.ref_columns[0]}".encode()).hexdigest()[:24]
    return f"docbase.{_q(name)}"


def _readable(model: AccessModel, schema: Schema, table: str) -> bool:
    target = model.table(table)
    selects = "select" in _written_by_document(schema).get(table, set())
    return selects or (target is not None and target.rule("select") != "service_role")


def functions_sql(schema: Schema, model: AccessModel) -> list[str]:
    """One visibility function per referenced (table, column), as the caller (row-level security applies)."""
    made: dict[str, str] = {}
    for access in model.tables:
        for hop in access.references:
            name = function_name(hop)
            if name in made or not _readable(model, schema, hop.ref_table):
                continue
            made[name] = (
                f"CREATE OR REPLACE FUNCTION {name}(k anyelement) RETURNS boolean\n"
                f"LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path FROM CURRENT AS $$\n"
                f"  SELECT EXISTS (SELECT 1 FROM {_q(hop.ref_table)} r WHERE r.{_q(hop.ref_columns[0])} = k)\n$$"
            )
    return list(made.values()) + tenant_functions_sql(model)


def policy_sql(schema: Schema, model: AccessModel, access: TableAccess) -> list[str]:
    """The RESTRICTIVE ``docbase references`` policy of one table (dropped first, so a removed FK goes too)."""
    schema_name, _, bare = access.table.rpartition(".")  # personal.users: schema personal (PostgreSQL)
    name = f"{_q(schema_name)}.{_q(bare)}" if schema_name else _q(bare)
    out = [f'DROP POLICY IF EXISTS "docbase references" ON {name}']
    parts = []
    for hop in access.references:
        column = _q(hop.columns[0])
        if _readable(model, schema, hop.ref_table):
            seen = f"{function_name(hop)}({column})"
            if same_tenant(model, access, hop):  # and of this row's own tenant (same_tenant.py)
                seen = f"({seen} AND {condition_sql(access, hop)})"
            parts.append(f"({column} IS NULL OR {seen})")
        else:
            parts.append(f"{column} IS NULL")  # nobody but service_role reads it: only NULL can be named
    if parts:
        out.append(
            f'CREATE POLICY "docbase references" ON {name} AS RESTRICTIVE FOR ALL TO anon, authenticated '
            f"USING (true) WITH CHECK ({' AND '.join(parts)})"
        )
    return out


# -- SQLite (SQLAlchemy) -------------------------------------------------------------------------------------

Visible = Callable[[str, sa.FromClause], sa.ColumnElement[bool] | None]


def reference_predicate(
    model: AccessModel, metadata: sa.MetaData, table: str, visible: Visible
) -> sa.ColumnElement[bool] | None:
    """Each checked foreign key of ``table`` is NULL or names a row ``visible(target, alias)`` lets the writer read."""
    access = model.table(table)
    if access is None or not access.references:
        return None
    own = metadata.tables[table]
    parts = []
    for i, hop in enumerate(access.references):
        target = metadata.tables[hop.ref_table].alias(f"ref{i}")
        seen = visible(hop.ref_table, target)
        column = own.c[hop.columns[0]]
        # EXISTS on the named key, not ``column IN (SELECT key ...)``: SQLite builds that list from every row
        # the writer may read (all of a tenant's projects) before it looks for one
        rows = sa.select(sa.literal_column("1")).select_from(target).where(target.c[hop.ref_columns[0]] == column)
        if seen is not None:
            rows = rows.where(seen)
        if same_tenant(model, access, hop):
            rows = rows.where(
                tenant_expr(model, metadata, hop.ref_table, target) == tenant_expr(model, metadata, table, own)
            )
        parts.append(sa.or_(column.is_(None), rows.exists()))
    return sa.and_(*parts)


def earlier_rows_left_to_after(model: AccessModel, table: str, columns: list[str], rows: list[tuple]) -> list[tuple]:
    """``rows`` for the check *before* a bulk insert, a self-reference to an earlier row of the batch blanked.

    That row is not written yet, so the check before the write cannot see it, while PostgreSQL's
    check (VOLATILE ``sees_``) does. The check after the write still judges the real value, so the
    earlier row must be readable and of the same tenant all the same; a later row of the batch is
    not blanked (PostgreSQL cannot see it either)."""
    access = model.table(table)
    hops = [h for h in access.references if h.ref_table == table] if access is not None else []
    if not hops:
        return rows
    made: dict[Hop, set] = {h: set() for h in hops}
    out = []
    for row in rows:
        values = list(row)
        for h in hops:
            i = columns.index(h.columns[0])
            if values[i] is not None and values[i] in made[h]:
                values[i] = None
        for h in hops:
            made[h].add(row[columns.index(h.ref_columns[0])])
        out.append(tuple(values))
    return out
