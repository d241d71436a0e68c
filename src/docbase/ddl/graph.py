"""Which foreign keys close a cycle between tables (they must be added after the tables exist).

``users.last_visited_workspace_id -> workspaces`` and
``workspaces.owner_id -> users`` cannot both be inline in CREATE TABLE on
PostgreSQL: whichever table comes first refers to one not yet created. The
foreign keys inside a strongly connected group of tables are the ones to
defer; self-references are fine inline.
"""

from __future__ import annotations

from ..schema.model import Schema


def cyclic_foreign_keys(schema: Schema) -> set[tuple[str, int]]:
    """``(table name, index in table.foreign_keys)`` of each foreign key inside a cycle."""
    names = {t.name for t in schema.tables}
    edges: dict[str, set[str]] = {t.name: set() for t in schema.tables}
    for t in schema.tables:
        for fk in t.foreign_keys:
            if fk.ref_table in names and fk.ref_table != t.name:
                edges[t.name].add(fk.ref_table)
    component = _components(edges)
    cyclic: set[tuple[str, int]] = set()
    for t in schema.tables:
        for i, fk in enumerate(t.foreign_keys):
            if fk.ref_table in names and fk.ref_table != t.name and component[fk.ref_table] == component[t.name]:
                cyclic.add((t.name, i))
    return cyclic


def _components(edges: dict[str, set[str]]) -> dict[str, int]:
    """Tarjan's strongly connected components, iterative (schemas can have hundreds of tables)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comp: dict[str, int] = {}
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp[member] = index[node]
                    if member == node:
                        break
    return comp
