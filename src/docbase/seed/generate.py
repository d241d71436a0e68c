"""One table's rows: keys, foreign keys inside the right tenant, values, then uniqueness checked.

Rows are built column by column. A row of a tenant table first takes its
tenant from the parent on its access path (``runs.jobId -> jobs``), and
every other foreign key of that row picks a parent in the same tenant, so a
project's files belong to that workspace's project; user columns pick a
member of that tenant. Finally every unique key is checked and the rare
duplicate row dropped, so the database never sees a violation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..schema.model import Column, ForeignKey, Schema
from .names import words
from .plan import SeedPlan, TablePlan
from .pools import Pools
from .timestamps import timestamp_block
from .values import column_values, null_share, uuids


@dataclass
class Made:
    """What later tables need to know about a written table."""

    rows: int
    columns: dict[str, list] = field(default_factory=dict)
    tenant_of: list[int] | None = None
    by_tenant: dict[int, list[int]] = field(default_factory=dict)
    #: On a tenant root: tenant -> indexes of users who are members.
    members: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Batch:
    """A table's rows, column-wise (writers convert per column, then zip)."""

    columns: list[str]
    data: list[list]
    made: Made

    @property
    def count(self) -> int:
        return self.made.rows


def enum_of(column: Column, schema: Schema) -> tuple[str, ...] | None:
    if column.enum:
        return column.enum
    if column.enum_name:
        for e in schema.enums:
            if e.name == column.enum_name:
                return e.values
    return None


def generate(tp: TablePlan, plan: SeedPlan, schema: Schema, made: dict[str, Made], pools: Pools, seed: int) -> Batch:
    rng = random.Random(f"{seed}:{tp.table.name}")
    table, n = tp.table, tp.rows
    cols: dict[str, list] = {}
    tenant_of: list[int] | None = None
    if tp.root is not None:
        tenant_of = list(range(n))
    elif tp.membership_of is not None and tp.membership_of.table in made and plan.users in made:
        tenant_of = _membership(tp, plan, schema, made, cols, rng, n)
    elif tp.tenant_fk is not None:
        parent = made[tp.tenant_fk.ref_table]
        picks = _spread(tp, tp.tenant_fk, parent.rows, n, rng)
        _set_fk(cols, tp.tenant_fk, plan, made, picks)
        tenant_of = [parent.tenant_of[i] for i in picks] if parent.tenant_of else None
    n = len(next(iter(cols.values()))) if cols else n
    unique_free = _unique_columns(tp)
    for fk in tp.fks:
        if any(c in cols for c in fk.columns):
            continue
        picks = pick_parents(fk, tp, made, plan, tenant_of, n, rng, unique_free)
        _set_fk(cols, fk, plan, made, picks)
    for fk in tp.deferred:
        for c in fk.columns:
            cols[c] = [None] * n
    _primary_key(tp, cols, n, rng)
    stamps = [c for c in table.columns if c.name not in cols and c.type in ("timestamp", "timestamptz")]
    for name, values in timestamp_block(stamps, n, rng).items():
        cols[name] = values
    for col in table.columns:
        if col.name in cols:
            continue
        cols[col.name] = column_values(col, table.name, n, rng, pools, col.name in unique_free, enum_of(col, schema))
    for col in table.columns:
        share = null_share(col) if col.name not in unique_free and col.name not in table.primary_key else 0.0
        if share and not _is_fk(tp, col.name):
            values = cols[col.name]
            for i in range(n):
                if rng.random() < share:
                    values[i] = None
    _reroll_finite(tp, schema, cols, n)
    keep = _distinct_rows(tp, cols, n)
    if len(keep) < n:
        cols = {k: [v[i] for i in keep] for k, v in cols.items()}
        tenant_of = [tenant_of[i] for i in keep] if tenant_of else None
        n = len(keep)
    names = [c.name for c in table.columns if c.name in cols]
    return Batch(names, [cols[c] for c in names], _made(tp, plan, cols, tenant_of, n, made))


def _made(
    tp: TablePlan, plan: SeedPlan, cols: dict[str, list], tenant_of: list[int] | None, n: int, made: dict[str, Made]
) -> Made:
    out = Made(n, {c: cols[c] for c in tp.referenced if c in cols}, tenant_of)
    if tenant_of is not None:
        for i, t in enumerate(tenant_of):
            out.by_tenant.setdefault(t, []).append(i)
    return out


def _spread(tp: TablePlan, fk: ForeignKey, parents: int, n: int, rng: random.Random) -> list[int]:
    """Random parents; evenly spread when the key is part of a unique key, so capped tables fill every slot."""
    if not parents:
        return []
    if any(set(fk.columns) < set(key) for key in tp.uniques):
        return [i % parents for i in range(n)]
    return [rng.randrange(parents) for _ in range(n)]


def _is_fk(tp: TablePlan, name: str) -> bool:
    return any(name in fk.columns for fk in tp.fks + tp.deferred)


def _unique_columns(tp: TablePlan) -> set[str]:
    """Columns made unique by construction: one free (non-FK) column of each unique key."""
    chosen: set[str] = set()
    for key in tp.uniques:
        free = [c for c in key if not _is_fk(tp, c)]
        col = next(
            (
                tp.table.column(c)
                for c in free
                if (cc := tp.table.column(c)) and not cc.enum and cc.type not in ("boolean",)
            ),
            None,
        )
        if col is not None and not any(c in chosen for c in free):
            chosen.add(col.name)
    return chosen


def _primary_key(tp: TablePlan, cols: dict[str, list], n: int, rng: random.Random) -> None:
    if len(tp.table.primary_key) != 1 or tp.table.primary_key[0] in cols:
        return
    col = tp.table.column(tp.table.primary_key[0])
    if col is None:
        return
    if col.type in ("integer", "bigint", "smallint"):
        cols[col.name] = list(range(1, n + 1))
    elif col.type in ("uuid", "text", "varchar"):
        cols[col.name] = uuids(n, rng)


def _set_fk(cols: dict[str, list], fk: ForeignKey, plan: SeedPlan, made: dict[str, Made], picks: list) -> None:
    parent = made.get(fk.ref_table)
    ref = ref_columns(fk, plan)
    for c, r in zip(fk.columns, ref, strict=True):
        source = parent.columns.get(r) if parent else None
        if source is None:
            cols[c] = [None] * len(picks)
        else:
            cols[c] = [None if i is None else source[i] for i in picks]


def ref_columns(fk: ForeignKey, plan: SeedPlan) -> tuple[str, ...]:
    """The parent columns a foreign key points at (its primary key when the document names none)."""
    if fk.ref_columns:
        return fk.ref_columns
    parent = plan.get(fk.ref_table)
    return parent.table.primary_key if parent else ()


def pick_parents(
    fk: ForeignKey,
    tp: TablePlan,
    made: dict[str, Made],
    plan: SeedPlan,
    tenant_of: list[int] | None,
    n: int,
    rng: random.Random,
    unique_free: set[str],
) -> list[int | None]:
    """Which parent row each row points at (an index), or None."""
    nullable = all(tp.table.column(c).is_nullable and c not in tp.table.primary_key for c in fk.columns)
    if fk.ref_table == tp.table.name:
        return [
            None if (i == 0 or rng.random() < 0.5) and nullable else (rng.randrange(i) if i else 0) for i in range(n)
        ]
    parent = made[fk.ref_table]
    if parent.rows == 0:
        return [None] * n
    if any(set(fk.columns) == set(key) for key in tp.uniques) and parent.rows >= n:
        return rng.sample(range(parent.rows), n)
    randrange = rng.randrange
    if tenant_of is not None:
        groups = _tenant_groups(fk, tp, made, plan)
        if groups is not None:
            out: list[int | None] = []
            for t in tenant_of:
                choices = groups.get(t)
                if choices:
                    out.append(choices[randrange(len(choices))])
                else:
                    out.append(None if nullable else randrange(parent.rows))
            return out
    share = 0.8 if nullable and any(w in ("parent",) for c in fk.columns for w in words(c)) else 0.0
    return [None if share and rng.random() < share else randrange(parent.rows) for _ in range(n)]


def _tenant_groups(fk: ForeignKey, tp: TablePlan, made: dict[str, Made], plan: SeedPlan) -> dict[int, list[int]] | None:
    parent = made[fk.ref_table]
    if parent.tenant_of is not None and _same_root(fk.ref_table, tp, plan):
        return parent.by_tenant
    if fk.ref_table == plan.users and tp.tenant is not None and tp.tenant in made:
        return made[tp.tenant].members or None
    if fk.ref_table == plan.users and tp.root is not None:
        return None
    return None


def _same_root(parent: str, tp: TablePlan, plan: SeedPlan) -> bool:
    ptp = plan.get(parent)
    if ptp is None:
        return False
    root = tp.tenant or (tp.membership_of.table if tp.membership_of else None)
    return (
        (ptp.root is not None and ptp.table.name == root)
        or ptp.tenant == root
        or (ptp.membership_of is not None and ptp.membership_of.table == root)
    )


def _membership(
    tp: TablePlan,
    plan: SeedPlan,
    schema: Schema,
    made: dict[str, Made],
    cols: dict[str, list],
    rng: random.Random,
    n: int,
) -> list[int]:
    """Members: user ``k % U`` joins tenant ``(u + k // U) % T``; each tenant's first member gets the top role."""
    root = tp.membership_of
    users, tenants = made[plan.users], made[root.table]
    u_count, t_count = users.rows, tenants.rows
    n = min(n, u_count * t_count)
    pairs = [(k % u_count, (k % u_count + k // u_count) % t_count) for k in range(n)]
    user_fk = next(fk for fk in tp.fks if fk.columns == (root.member_user,))
    tenant_fk = next(fk for fk in tp.fks if fk.columns == (root.member_tenant,))
    _set_fk(cols, user_fk, plan, made, [u for u, _ in pairs])
    _set_fk(cols, tenant_fk, plan, made, [t for _, t in pairs])
    for u, t in pairs:
        tenants.members.setdefault(t, []).append(u)
    role_col = tp.table.column(root.role_column) if root.role_column else None
    if role_col is not None and not _is_fk(tp, role_col.name):
        allowed = enum_of(role_col, schema) or tuple(r.name for r in root.roles) or ("owner", "member")
        top = next((r.name for r in root.roles if r.name in allowed), allowed[0])
        others = [r for r in allowed if r != top] or [top]
        first_seen: set[int] = set()
        roles = []
        for _, t in pairs:
            roles.append(top if t not in first_seen else rng.choice(others))
            first_seen.add(t)
        cols[role_col.name] = roles
    return [t for _, t in pairs]


def _reroll_finite(tp: TablePlan, schema: Schema, cols: dict[str, list], n: int) -> None:
    """A duplicate key with enum/boolean columns takes the next unused value of those columns instead."""
    from itertools import product

    for key in tp.uniques:
        finite = []
        for name in key:
            col = tp.table.column(name)
            domain = (enum_of(col, schema) or ((True, False) if col.type == "boolean" else None)) if col else None
            if domain and not _is_fk(tp, name):
                finite.append((name, domain))
        if not finite or not all(k in cols for k in key):
            continue
        seen: set = set()
        for i in range(n):
            value = tuple(cols[k][i] for k in key)
            if value in seen:
                for combo in product(*(d for _, d in finite)):
                    for (name, _), v in zip(finite, combo, strict=True):
                        cols[name][i] = v
                    value = tuple(cols[k][i] for k in key)
                    if value not in seen:
                        break
            seen.add(value)


def _distinct_rows(tp: TablePlan, cols: dict[str, list], n: int) -> list[int]:
    """Indexes of rows to keep: the first row of each unique key value (NULLs never clash)."""
    keep = list(range(n))
    for key in tp.uniques:
        if not all(k in cols for k in key):
            continue
        seen: set = set()
        kept = []
        columns = [cols[k] for k in key]
        for i in keep:
            value = tuple(c[i] for c in columns)
            if any(v is None for v in value) and key != tp.table.primary_key:
                kept.append(i)
                continue
            if value in seen:
                continue
            seen.add(value)
            kept.append(i)
        keep = kept
    return keep
