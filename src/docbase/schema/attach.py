"""Attach facts stated apart from a table's description: indexes, constraints, comments, RLS.

Index summary tables, ``CREATE INDEX`` statements, ``Constraints:`` lists
and ``ALTER TABLE`` statements all name their table; a name that matches
no table (after allowing for case and plural) is reported, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..document.diagnostics import Diagnostic, warning
from ..fragments import (
    CheckFragment,
    ConstraintFragment,
    ForeignKeyFragment,
    Fragment,
    IndexFragment,
    IndexTableFragment,
    Reference,
    RlsFragment,
    UniqueFragment,
)
from .drafts import TableDraft
from .names import did_you_mean, key


def resolve(tables: dict[str, TableDraft], name: str | None) -> TableDraft | None:
    """A table by the name a fragment uses: exact, then case-blind, then plural-blind, then separator-blind."""
    if not name:
        return None
    bare = name.removeprefix("public.")
    if bare in tables:
        return tables[bare]
    by_lower, by_key = _lookup(tables)
    low = by_lower.get(bare.lower())
    if low is not None:
        return low
    k = key(bare)
    hits = by_key.get(k, [])
    if not hits and "_" in k:  # "sub_category" -> subcategories: word breaks are spelling too
        hits = by_key.get(k.replace("_", ""), [])
    return hits[0] if len(hits) == 1 else None


_LAST: list[object] = [None, -1, None]  # the tables dict last indexed, its size, and the index


def _lookup(tables: dict[str, TableDraft]) -> tuple[dict[str, TableDraft], dict[str, list[TableDraft]]]:
    """Case-blind and plural-blind lookups of ``tables``, rebuilt when the dict or its size changes.

    Scanning every table on every lookup made reading quadratic (4 M name keys for 1,000 tables)."""
    if _LAST[0] is tables and _LAST[1] == len(tables):
        return _LAST[2]  # type: ignore[return-value]
    by_lower: dict[str, TableDraft] = {}
    by_key: dict[str, list[TableDraft]] = {}
    for t in tables.values():
        by_lower.setdefault(t.name.lower(), t)
        by_key.setdefault(key(t.name), []).append(t)
    _LAST[:] = [tables, len(tables), (by_lower, by_key)]
    return by_lower, by_key


_IN_LIST = re.compile(
    r"^\(*\s*\"?(?P<col>\w+)\"?\s*(?:::\w+\s*)?\s+IN\s*\((?P<vals>(?:\s*'[^']*'\s*,?)+)\)\s*\)*$",
    re.IGNORECASE,
)


def in_list_values(expression: str, column: str) -> tuple[str, ...] | None:
    """``status IN ('a', 'b')`` on ``column`` -> ('a', 'b'); anything else -> None."""
    m = _IN_LIST.match(expression.strip())
    if not m or m.group("col").lower() != column.lower():
        return None
    return tuple(re.findall(r"'([^']*)'", m.group("vals")))


def attach(tables: dict[str, TableDraft], fragments: Sequence[Fragment], diags: list[Diagnostic]) -> None:
    for frag in fragments:
        if isinstance(frag, IndexTableFragment):
            _index(tables, frag.index, diags)
        elif isinstance(frag, IndexFragment):
            _index(tables, frag, diags)
        elif isinstance(frag, ConstraintFragment):
            _constraint(tables, frag, diags)
        elif isinstance(frag, RlsFragment):
            table = resolve(tables, frag.table)
            if table is None:
                diags.append(
                    warning(
                        frag.line,
                        f"row level security enabled on unknown table {frag.table!r}"
                        + did_you_mean(frag.table, tables),
                    )
                )
            else:
                table.rls = True


def _index(tables: dict[str, TableDraft], frag: IndexFragment, diags: list[Diagnostic]) -> None:
    table = resolve(tables, frag.table)
    if table is None:
        diags.append(
            warning(
                frag.line,
                f"index {frag.name or ''} is on unknown table {frag.table!r}; skipped"
                + did_you_mean(frag.table, tables),
            )
        )
        return
    missing = [c.name for c in frag.columns if not c.expression and table.find(c.name) is None]
    if missing:
        diags.append(
            warning(
                frag.line,
                f"index {frag.name or ''} on {table.name} names unknown column(s) {', '.join(missing)}; skipped"
                + did_you_mean(missing[0], table.columns),
            )
        )
        return
    for existing in table.indexes:
        if existing.name and existing.name == frag.name:
            return
    table.indexes.append(frag)


def _constraint(tables: dict[str, TableDraft], frag: ConstraintFragment, diags: list[Diagnostic]) -> None:
    table = resolve(tables, frag.table)
    if table is None:
        where = f"table {frag.table!r}" if frag.table else "no table (no heading names one)"
        hint = did_you_mean(frag.table, tables) if frag.table else ": write it under the heading of its table"
        diags.append(warning(frag.line, f"{frag.kind} constraint on {where}; skipped{hint}"))
        return
    cols = []
    for name in frag.columns:
        col = table.find(name)
        if col is None:
            diags.append(
                warning(
                    frag.line,
                    f"{frag.kind} constraint on {table.name} names unknown column {name!r}; skipped"
                    + did_you_mean(name, table.columns),
                )
            )
            return
        cols.append(col)
    names = tuple(c.name for c in cols)
    if frag.kind == "unique":
        if not any(set(u.columns) == set(names) and u.where == frag.where for u in table.unique):
            table.unique.append(UniqueFragment(names, frag.line, frag.where, frag.name))
    elif frag.kind == "primary_key":
        table.primary_key = list(names)
    elif frag.kind == "check" and frag.expression:
        values = in_list_values(frag.expression, cols[0].name) if len(cols) == 1 else None
        if values and not cols[0].enum:
            cols[0].enum, cols[0].enum_source = values, "sql"
        else:
            table.checks.append(CheckFragment(frag.expression, frag.line, frag.name))
    elif frag.kind == "foreign_key" and frag.references is not None:
        _actions_onto_column(tables, cols, frag.references)
        table.foreign_keys.append(ForeignKeyFragment(names, frag.references, frag.line))
    elif frag.kind == "not_null":
        for col in cols:
            col.nullable = False
    elif frag.kind == "default" and frag.expression is not None:
        for col in cols:
            col.default = frag.expression
    elif frag.kind == "comment" and frag.expression is not None:
        # COMMENT ON is the document's explicit description: it wins over a note found beside the column
        if cols:
            cols[0].comment = frag.expression
        else:
            table.comment = frag.expression


def _actions_onto_column(tables: dict[str, TableDraft], cols: list, ref: Reference) -> None:
    """A key summary row (``| orders | user_id | users(id) | CASCADE |``) for a column its table already marks
    as referencing the same table: the column's reference is the one kept, so it takes the actions it lacks."""
    if len(cols) != 1 or cols[0].references is None or not (ref.on_delete or ref.on_update):
        return
    own = cols[0].references
    if resolve(tables, own.table) is None or resolve(tables, own.table) is not resolve(tables, ref.table):
        return
    cols[0].references = replace(
        own, on_delete=own.on_delete or ref.on_delete, on_update=own.on_update or ref.on_update
    )
