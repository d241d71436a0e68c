"""Shortest foreign-key paths from a table to its tenant root or its owner.

Cost is (hops, nullable hops): the shortest chain wins and, among equals,
the one whose columns the document declares NOT NULL, because a row with a
NULL link would belong to no one. Only single-column FKs are followed, and
never through the users table (``users.last_visited_workspace_id`` must not
make every user-owned row a workspace row) or a private table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from ..schema.model import Schema, Table
from .model import Hop


def hops_from(table: Table) -> list[Hop]:
    out = []
    for fk in table.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table == table.name:
            continue
        col = table.column(fk.columns[0])
        nullable = col is not None and col.nullable is True
        ref_columns = fk.ref_columns or ("id",)
        out.append(Hop(table.name, fk.columns, fk.ref_table, ref_columns, nullable))
    return out


def shortest_path(schema: Schema, start: str, targets: Iterable[str], avoid: Iterable[str] = ()) -> tuple[Hop, ...]:
    """The best FK chain from ``start`` to any of ``targets``; () when none (or start is a target)."""
    goal = set(targets)
    blocked = set(avoid) - goal
    if start in goal:
        return ()
    tables = {t.name: t for t in schema.tables}
    best: dict[str, tuple[int, int]] = {start: (0, 0)}
    queue: list[tuple[int, int, int, str, tuple[Hop, ...]]] = [(0, 0, 0, start, ())]
    tie = 0
    while queue:
        length, nulls, _, name, path = heapq.heappop(queue)
        if name in goal:
            return path
        if best.get(name, (length, nulls)) < (length, nulls):
            continue
        table = tables.get(name)
        if table is None or (name in blocked and name != start):
            continue
        for hop in hops_from(table):
            if hop.ref_table in blocked or hop.ref_table not in tables:
                continue
            cost = (length + 1, nulls + hop.nullable)
            if hop.ref_table in best and best[hop.ref_table] <= cost:
                continue
            best[hop.ref_table] = cost
            tie += 1
            heapq.heappush(queue, (cost[0], cost[1], tie, hop.ref_table, path + (hop,)))
    return ()


def describe(path: tuple[Hop, ...]) -> str:
    """``projects.workspace_id -> workspaces`` joined by ``, then``."""
    return ", then ".join(str(h) for h in path)
