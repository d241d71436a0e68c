"""``docbase seed``: plan, generate and write every table, parents first, in one transaction.

A table is generated, written and then dropped from memory except for the
columns its children point at, so a million rows need little more memory
than the largest table. Foreign keys deferred to break a cycle are filled
with UPDATEs at the end. Any database refusal rolls everything back and is
reported as a ``SeedError`` naming the table, never half a dataset.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..schema.model import Schema
from .database import dialect_of, ensure_tables
from .generate import Made, generate, pick_parents, ref_columns
from .plan import SeedError, SeedPlan, TablePlan, make_plan
from .pools import Pools

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class SeedReport:
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    tenants: int = 0

    @property
    def total(self) -> int:
        return sum(self.tables.values())

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def _writer(url: str):
    if dialect_of(url) == "postgresql":
        from .pg_writer import PgWriter

        return PgWriter(url)
    from .sqlite_writer import SqliteWriter

    return SqliteWriter(url)


def seed_database(
    schema: Schema,
    url: str,
    rows: int = 100,
    tenants: int = 3,
    seed: int = 0,
    progress: Progress | None = None,
    create: bool = True,
) -> SeedReport:
    """Fill every table of ``schema`` in the database at ``url`` with realistic, consistent rows.

    Args:
        schema: the model.
        url: ``sqlite:///path`` or ``postgresql://...``; tables are created when missing (``create``).
        rows: rows per table (tenant roots get ``tenants`` rows; small unique domains cap a table).
        tenants: how many tenants (workspaces, organizations) to spread rows over.
        seed: the same seed gives the same rows.
        progress: ``progress(table, total)`` returns ``advance(n)``; None for silence.

    Raises:
        SeedError: the schema cannot be filled, or the database refused a row.
    """
    if rows < 1 or tenants < 1:
        raise SeedError("--rows and --tenants must be at least 1")
    started = time.perf_counter()
    if create:
        ensure_tables(schema, url)
    plan = make_plan(schema, rows, tenants)
    writer = _writer(url)
    report = SeedReport(tenants=plan.tenants)
    try:
        _check_empty(writer, plan)
        _fill(schema, plan, writer, seed, progress, report)
        writer.commit()
    except SeedError:
        writer.rollback()
        raise
    except Exception as exc:  # the database's refusal, whatever the driver calls it
        writer.rollback()
        raise SeedError(f"the database refused seeded rows: {str(exc).strip().splitlines()[0]}") from exc
    report.seconds = time.perf_counter() - started
    return report


def _check_empty(writer, plan: SeedPlan) -> None:
    existing = writer.existing_tables()
    missing = [tp.table.name for tp in plan.tables if not tp.external and tp.table.name not in existing]
    if missing:
        raise SeedError(f"the database has no table {missing[0]!r}; run docbase migrate first")
    filled = [tp.table.name for tp in plan.tables if not tp.external and writer.has_rows(tp.table)]
    if filled:
        raise SeedError(f"table {filled[0]!r} already has rows; seed an empty database (or a fresh --db)")


def _fill(schema: Schema, plan: SeedPlan, writer, seed: int, progress: Progress | None, report: SeedReport) -> None:
    existing = writer.existing_tables()
    pools = Pools(seed)
    made: dict[str, Made] = {}
    for tp in plan.tables:
        try:
            batch = generate(tp, plan, schema, made, pools, seed)
        except (ValueError, KeyError, IndexError) as exc:
            raise SeedError(f"{tp.table.name}: cannot generate rows ({exc})") from exc
        made[tp.table.name] = batch.made
        if tp.external and (writer.dialect != "postgresql" or tp.table.name not in existing):
            continue
        advance = progress(tp.table.name, batch.count) if progress else (lambda n: None)
        try:
            writer.write(tp.table, batch.columns, batch.data, advance)
        except Exception as exc:
            raise SeedError(f"{tp.table.name}: the database refused a seeded row: {_first_line(exc)}") from exc
        if not tp.external:
            report.tables[tp.table.name] = batch.count
    for tp in plan.tables:
        if tp.deferred:
            _fill_deferred(tp, plan, made, writer, seed)
    if writer.dialect == "postgresql":
        writer.sync_sequences([tp.table for tp in plan.tables if not tp.external])


def _fill_deferred(tp: TablePlan, plan: SeedPlan, made: dict[str, Made], writer, seed: int) -> None:
    """Point the keys left NULL to break a cycle at real rows, now that every table has some."""
    mine = made[tp.table.name]
    keys = list(tp.table.primary_key)
    if not keys or not all(k in mine.columns for k in keys):
        return
    rng = random.Random(f"{seed}:{tp.table.name}:deferred")
    for fk in tp.deferred:
        picks = pick_parents(fk, tp, made, plan, mine.tenant_of, mine.rows, rng, set())
        parent = made[fk.ref_table]
        refs = ref_columns(fk, plan)
        rows = []
        for i, p in enumerate(picks):
            if p is None:
                continue
            values = tuple(parent.columns[r][p] for r in refs)
            rows.append(values + tuple(mine.columns[k][i] for k in keys))
        try:
            writer.update(tp.table, keys, list(fk.columns), rows)
        except Exception as exc:
            raise SeedError(f"{tp.table.name}: filling {', '.join(fk.columns)} failed: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
