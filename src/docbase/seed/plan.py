"""What to generate before generating anything: table order, row counts, keys, tenancy.

Tables are filled parents first. A cycle of foreign keys is broken at a
nullable key: those rows go in with NULL there and an UPDATE fills the key
once every table has rows (``deferred``). Row counts follow the schema:
tenant roots get one row per tenant, and a unique key whose columns can
only take a few values (an enum, a boolean, a one-to-one foreign key) caps
its table, since asking for more rows than distinct keys cannot succeed.
Tenancy comes from ``docbase.access`` so seeded rows fall inside the same
tenants the access rules will later check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..access import AccessModel, TenantRoot, build_access
from ..ddl.graph import cyclic_foreign_keys
from ..schema.model import Column, ForeignKey, Schema, Table, UniqueConstraint

#: Tables PostgreSQL gets from docbase's auth shim; documents written for Supabase reference them.
AUTH_USERS = "auth.users"
AUTH_USERS_TABLE = Table(
    AUTH_USERS,
    (Column("id", "uuid", nullable=False), Column("email", "text")),
    ("id",),
    unique=(UniqueConstraint(("email",)),),
)


class SeedError(Exception):
    """The schema cannot be filled (e.g. a cycle of required foreign keys)."""


@dataclass
class TablePlan:
    table: Table
    rows: int
    fks: list[ForeignKey] = field(default_factory=list)
    deferred: list[ForeignKey] = field(default_factory=list)
    uniques: list[tuple[str, ...]] = field(default_factory=list)
    #: Columns children reference (kept in memory after the table is written).
    referenced: set[str] = field(default_factory=set)
    root: TenantRoot | None = None
    #: The tenant root this table's rows belong to, and the FK that leads there.
    tenant: str | None = None
    tenant_fk: ForeignKey | None = None
    #: Set on a tenant's membership table.
    membership_of: TenantRoot | None = None
    external: bool = False


@dataclass
class SeedPlan:
    tables: list[TablePlan]
    users: str | None
    tenants: int
    access: AccessModel

    def get(self, name: str) -> TablePlan | None:
        for tp in self.tables:
            if tp.table.name == name:
                return tp
        return None


def make_plan(schema: Schema, rows: int, tenants: int) -> SeedPlan:
    access = build_access(schema)
    names = {t.name for t in schema.tables}
    external = (
        any(fk.ref_table == AUTH_USERS for t in schema.tables for fk in t.foreign_keys) and AUTH_USERS not in names
    )
    tables = ([AUTH_USERS_TABLE] if external else []) + list(schema.tables)
    by_name = {t.name: t for t in tables}
    plans = {t.name: TablePlan(t, rows, external=t is AUTH_USERS_TABLE) for t in tables}
    for t in tables:
        plans[t.name].fks = [fk for fk in t.foreign_keys if _usable(fk, t, by_name)]
        plans[t.name].uniques = unique_keys(t)
    cyclic = {(t, i) for t, i in cyclic_foreign_keys(schema)}
    for t in schema.tables:
        for i, fk in enumerate(t.foreign_keys):
            if (t.name, i) in cyclic and fk in plans[t.name].fks:
                if not all(_nullable(t, c) for c in fk.columns):
                    continue
                plans[t.name].fks.remove(fk)
                plans[t.name].deferred.append(fk)
    order = _order(plans)
    _tenancy(plans, access, tenants)
    _counts(order, plans, access, rows, tenants)
    for tp in order:
        for fk in tp.fks + tp.deferred:
            parent = plans[fk.ref_table]
            parent.referenced.update(fk.ref_columns or parent.table.primary_key)
        if tp.deferred:
            tp.referenced.update(tp.table.primary_key)
    return SeedPlan(order, access.users_table, max(tenants, 1), access)


def _nullable(table: Table, name: str) -> bool:
    col = table.column(name)
    return col is not None and col.is_nullable and name not in table.primary_key


def _usable(fk: ForeignKey, table: Table, tables: dict[str, Table]) -> bool:
    target = tables.get(fk.ref_table)
    if target is None or not fk.columns or not set(fk.columns) <= set(table.column_names):
        return False
    ref = fk.ref_columns or target.primary_key
    return len(ref) == len(fk.columns) and set(ref) <= set(target.column_names)


def unique_keys(table: Table) -> list[tuple[str, ...]]:
    """Every column set the database keeps distinct: primary key, UNIQUE (partial too), unique indexes."""
    names = set(table.column_names)
    keys: list[tuple[str, ...]] = []
    candidates = [table.primary_key] + [u.columns for u in table.unique]
    candidates += [tuple(c.name for c in ix.columns if not c.expression) for ix in table.indexes if ix.unique]
    for ix in table.indexes:
        if ix.unique:
            for c in ix.columns:
                if c.expression:
                    candidates += [(n,) for n in table.column_names if n in c.name]
    for key in candidates:
        if key and set(key) <= names and tuple(key) not in keys:
            keys.append(tuple(key))
    return keys


def _order(plans: dict[str, TablePlan]) -> list[TablePlan]:
    """Parents before children (Kahn's algorithm, ties in document order)."""
    deps = {n: {fk.ref_table for fk in tp.fks if fk.ref_table != n} for n, tp in plans.items()}
    done: list[str] = []
    placed: set[str] = set()
    while len(done) < len(plans):
        ready = [n for n in plans if n not in placed and deps[n] <= placed]
        if not ready:
            stuck = sorted(n for n in plans if n not in placed)
            raise SeedError(f"foreign keys form a cycle with no nullable column to break it: {', '.join(stuck)}")
        for n in ready:
            done.append(n)
            placed.add(n)
    return [plans[n] for n in done]


def _tenancy(plans: dict[str, TablePlan], access: AccessModel, tenants: int) -> None:
    for root in access.roots:
        if root.table in plans:
            plans[root.table].root = root
        if root.membership in plans:
            plans[root.membership].membership_of = root
    for ta in access.tables:
        tp = plans.get(ta.table)
        if tp is None or ta.tenant is None or not ta.path or tp.root is not None:
            continue
        hop = ta.path[0]
        for fk in tp.fks:
            if fk.columns == hop.columns and fk.ref_table == hop.ref_table:
                tp.tenant, tp.tenant_fk = ta.tenant, fk


def _counts(order: list[TablePlan], plans: dict[str, TablePlan], access: AccessModel, rows: int, tenants: int) -> None:
    for tp in order:
        if tp.root is not None:
            tp.rows = max(tenants, 1)
        elif tp.external and access.users_table in plans:
            tp.rows = rows
        for key in tp.uniques:
            tp.rows = min(tp.rows, _capacity(tp, key, plans))


def _capacity(tp: TablePlan, key: tuple[str, ...], plans: dict[str, TablePlan]) -> int:
    """How many distinct values ``key`` can take, as far as finite columns tell; large when unbounded."""
    total = 1
    covered: set[str] = set()
    for fk in tp.fks:
        if set(fk.columns) <= set(key) and fk.ref_table != tp.table.name:
            total *= plans[fk.ref_table].rows
            covered.update(fk.columns)
    for name in key:
        if name in covered:
            continue
        col = tp.table.column(name)
        if col is None:
            continue
        if col.enum:
            total *= len(col.enum)
        elif col.type == "boolean":
            total *= 2
        else:
            return 1 << 62
    return total
