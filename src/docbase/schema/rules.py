"""Rules stated in sentences, resolved against the tables: which table, which columns.

A ``RuleFragment`` holds words ("user", "task titles"); here they become
names. A subject's words are tried, in order, as: a column of the table the
sentence's section is about (the whole phrase: ``due date`` -> ``due_date``);
a table named by the first words and a column by the rest (``task titles``
-> ``tasks.title``); a column of the one table in the document that has it.
A word matches a column by spelling (``titles`` -> ``title``) or as the
noun a reference column names (``user`` -> ``user_id``, ``organization`` ->
``organizationId``). For a uniqueness rule every word must land in one
table: "each user appears once per organization" finds the table with both
a user and an organization column.

Each rule read is an info diagnostic naming its source line and what it
became; a rule whose words match nothing, or match in several tables, is a
warning that says how to write it so that it is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document.diagnostics import Diagnostic, info, warning
from ..fragments import CheckFragment, Fragment, RuleFragment, UniqueFragment
from .attach import resolve
from .drafts import ColumnDraft, TableDraft
from .names import key, stem_of_reference

_HOW = {
    "unique": "write it as `UNIQUE(column, column)` under the table's heading",
    "check": "write it as `CHECK (column BETWEEN 1 AND 5)` under the table's heading",
    "not_null": "mark the column NOT NULL in its table",
    "enum": "list the values in the column's row (`a | b | c`) or as `CHECK (column IN ('a', 'b'))`",
}


def apply(tables: dict[str, TableDraft], fragments: Sequence[Fragment], diags: list[Diagnostic]) -> None:
    for frag in fragments:
        if isinstance(frag, RuleFragment):
            _apply(tables, frag, diags)


def column_for(table: TableDraft, phrase: tuple[str, ...]) -> ColumnDraft | None:
    """The column of ``table`` that ``phrase`` names, or None (also when two columns fit)."""
    if not phrase:
        return None
    joined = "_".join(phrase)
    exact = table.find(joined)
    if exact is not None:
        return exact
    k = key(joined)
    by_key = [c for c in table.columns.values() if key(c.name) == k]
    if len(by_key) == 1:
        return by_key[0]
    by_noun = [c for c in table.columns.values() if (s := stem_of_reference(c.name)) is not None and key(s) == k]
    return by_noun[0] if len(by_noun) == 1 else None


def _candidates(tables: dict[str, TableDraft], home: TableDraft | None, phrase: tuple[str, ...]):
    """(table, column) pairs a subject phrase may mean, best first (see the module docstring)."""
    if len(phrase) == 1 and "." in phrase[0]:
        owner, _, col = phrase[0].rpartition(".")
        table = resolve(tables, owner)
        found = column_for(table, (col,)) if table is not None else None
        return [(table, found)] if found is not None else []
    if home is not None and (col := column_for(home, phrase)) is not None:
        return [(home, col)]
    for cut in range(1, len(phrase)):
        owner = resolve(tables, "_".join(phrase[:cut]))
        if owner is not None and (col := column_for(owner, phrase[cut:])) is not None:
            return [(owner, col)]
    return [(t, c) for t in tables.values() if (c := column_for(t, phrase)) is not None]


def _owner_of(tables: dict[str, TableDraft], phrase: tuple[str, ...]) -> TableDraft | None:
    """The table a phrase's first words name, when they do (``task`` of ``task titles``)."""
    for cut in range(len(phrase) - 1, 0, -1):
        owner = resolve(tables, "_".join(phrase[:cut]))
        if owner is not None:
            return owner
    return None


def _apply(tables: dict[str, TableDraft], frag: RuleFragment, diags: list[Diagnostic]) -> None:
    home = resolve(tables, frag.table)
    if frag.kind == "alias":
        _alias(tables, home, frag, diags)
        return
    if frag.kind == "unique":
        _unique(tables, home, frag, diags)
        return
    found = _candidates(tables, home, frag.subject[0]) if frag.subject else []
    words = " ".join(frag.subject[0]) if frag.subject else ""
    if len(found) != 1:
        why = "no table has a column" if not found else f"{len(found)} tables have a column"
        diags.append(
            warning(
                frag.line,
                f"cannot tell which column {words!r} is in {frag.text!r} ({why} by that name); {_HOW[frag.kind]}",
            )
        )
        return
    table, col = found[0]
    if frag.kind == "check":
        expression = _expression(col.name, frag.op or "", frag.bounds)
        table.checks.append(CheckFragment(expression, frag.line))
        diags.append(info(frag.line, f"{table.name}: CHECK ({expression}), read from {frag.text!r}"))
    elif frag.kind == "not_null":
        col.nullable = False
        diags.append(info(frag.line, f"{table.name}.{col.name} is NOT NULL, read from {frag.text!r}"))
    elif frag.kind == "enum":
        if col.enum and set(col.enum) != set(frag.values):
            diags.append(
                warning(
                    frag.line,
                    f"{table.name}.{col.name}: {frag.text!r} lists {', '.join(frag.values)}, but line "
                    f"{col.line} gives {', '.join(col.enum)}; line {col.line} is used",
                )
            )
            return
        if not col.enum:
            col.enum, col.enum_source = frag.values, "prose"
        diags.append(
            info(frag.line, f"{table.name}.{col.name} is one of {', '.join(frag.values)}, read from {frag.text!r}")
        )


def _alias(tables: dict[str, TableDraft], home: TableDraft | None, frag: RuleFragment, diags: list[Diagnostic]) -> None:
    """A permission resource the sentence says also names tables: kept on each table it names, said with the line."""
    resource = frag.subject[0][0]
    for name in frag.values:
        table = home if name == "this" else resolve(tables, name)
        if table is None:
            what = "the section names no table" if name == "this" else f"no table is named {name!r}"
            diags.append(warning(frag.line, f"{frag.text!r} names a permission resource for a table, but {what}"))
            continue
        if all(a != resource for a, _ in table.aliases):
            table.aliases.append((resource, frag.line))


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'


def _expression(column: str, op: str, bounds: tuple[str, ...]) -> str:
    col = _quoted(column)
    if op == "between":
        return f"{col} BETWEEN {bounds[0]} AND {bounds[1]}"
    return f"{col} {op} {bounds[0]}"


def _unique(
    tables: dict[str, TableDraft], home: TableDraft | None, frag: RuleFragment, diags: list[Diagnostic]
) -> None:
    phrases = [frag.scope] if frag.scope else []
    phrases += list(frag.subject)
    owner = _owner_of(tables, frag.subject[0]) if len(frag.subject) == 1 else None
    pool = [t for t in (home, owner) if t is not None] or list(tables.values())
    fits = []
    order = pool + [t for t in tables.values() if all(t is not p for p in pool)]
    for table in order:
        cols = [_in_table(tables, table, p) for p in phrases]
        if all(c is not None for c in cols):
            fits.append((table, cols))
        if fits and table in pool:
            break
    described = " and ".join(repr(" ".join(p)) for p in phrases)
    if len(fits) != 1:
        why = "no table has columns for" if not fits else f"{len(fits)} tables have columns for"
        diags.append(
            warning(frag.line, f"cannot tell which table {frag.text!r} is about ({why} {described}); {_HOW['unique']}")
        )
        return
    table, cols = fits[0]
    names = tuple(dict.fromkeys(c.name for c in cols if c is not None))
    if not any(set(u.columns) == set(names) and u.where is None for u in table.unique):
        table.unique.append(UniqueFragment(names, frag.line))
    diags.append(info(frag.line, f"{table.name}: UNIQUE({', '.join(names)}), read from {frag.text!r}"))


def _in_table(tables: dict[str, TableDraft], table: TableDraft, phrase: tuple[str, ...]) -> ColumnDraft | None:
    col = column_for(table, phrase)
    if col is None and len(phrase) > 1 and resolve(tables, "_".join(phrase[:1])) is table:
        col = column_for(table, phrase[1:])  # "task title" in tasks
    return col
