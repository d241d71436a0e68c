"""Enum values: named enums matched to columns, value case, and ``null`` in value lists.

Where values come from, strongest first: an enum *type* the column is
declared with (SQL ``CREATE TYPE``, DBML/Prisma ``enum``); a ``CHECK ... IN``;
a named enum section that matches the column by name (``JobStatus`` for
``jobs.status``, ``StepStatus`` rather than ``TurnStatus`` for
``turn_steps.status``: words of the table's head noun win); then value lists
in notes, comments and descriptions, which box layouts and table cells
often cut short.

Case: enum sections are often written in CAPITALS (``QUEUED - waiting``)
while the columns hold lower-case values (``DEFAULT 'queued'``). When the
document shows that (a lower-case default or note for a column whose
matched enum is written in capitals), the capitalised values of prose
sources are lower-cased throughout the document. Values from SQL, DBML and
Prisma are literal and keep their case.

``null`` in a value list (``healthy | failed | null``) means the column is
nullable, not a value.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..document.diagnostics import Diagnostic, info
from ..fragments import EnumFragment, Fragment, TypeInfo
from .drafts import ColumnDraft, TableDraft
from .names import singular, words

_LITERAL_SOURCES = {"sql", "dbml", "prisma"}
_NULLS = {"null", "none", "nil", "(null)"}


def apply(tables: dict[str, TableDraft], fragments: Sequence[Fragment], diags: list[Diagnostic]) -> list[EnumFragment]:
    """Give enum columns their values; return the document's named enums (deduplicated)."""
    named = _named(fragments)
    lower = _document_uses_lower_case(tables, named)
    if lower:
        named = [_lowered(e) for e in named]
    for table in tables.values():
        for col in table.columns.values():
            if lower and col.enum and col.enum_source not in _LITERAL_SOURCES:
                col.enum = _lower_caps(col.enum)
            _apply_named(table, col, named, diags)
            _drop_null(col)
            if col.enum and col.type is None:
                col.type = TypeInfo("enum", "")
                col.inferred = True
    return named


def _named(fragments: Sequence[Fragment]) -> list[EnumFragment]:
    seen: dict[str, EnumFragment] = {}
    for frag in fragments:
        if isinstance(frag, EnumFragment) and frag.name not in seen:
            seen[frag.name] = frag
    return list(seen.values())


def _is_caps(values: tuple[str, ...]) -> bool:
    return bool(values) and all(v.upper() == v and any(ch.isalpha() for ch in v) for v in values)


def _lower_caps(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.lower() for v in values) if _is_caps(values) else values


def _lowered(enum: EnumFragment) -> EnumFragment:
    if enum.source in _LITERAL_SOURCES or not _is_caps(enum.values):
        return enum
    return EnumFragment(enum.name, _lower_caps(enum.values), enum.line, enum.source)


def unquote(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"`":
        v = v[1:-1]
    return v.split("::")[0].strip("'\"")


def _document_uses_lower_case(tables: dict[str, TableDraft], named: list[EnumFragment]) -> bool:
    caps = [e for e in named if e.source not in _LITERAL_SOURCES and _is_caps(e.values)]
    if not caps:
        return False
    for table in tables.values():
        for col in table.columns.values():
            enum = _match(table, col, caps)
            if enum is None:
                continue
            default = unquote(col.default)
            lowered = {v.lower() for v in enum.values}
            if default and default != default.upper() and default.lower() in lowered:
                return True
            if col.enum and any(v.lower() in lowered and v == v.lower() for v in col.enum):
                return True
    return False


@functools.lru_cache(maxsize=1 << 14)  # column and table names recur across a large document
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(singular(w) for w in words(name))


def _match(table: TableDraft, col: ColumnDraft, named: list[EnumFragment]) -> EnumFragment | None:
    """The named enum this column uses, by its declared type or by its name."""
    if not named:
        return None
    type_name = col.type.enum_name if col.type else None
    if type_name:
        for enum in named:
            if _tokens(enum.name) == _tokens(type_name):
                return enum
    if col.type is not None and col.type.name not in ("enum", "varchar", "text"):
        return None
    col_words, table_words = _tokens(col.name), _tokens(table.name)
    best: tuple[int, EnumFragment] | None = None
    tie = False
    for enum in named:
        ew = _tokens(enum.name)
        if not ew or ew[-1] != col_words[-1]:
            continue
        extra = [w for w in ew if w not in col_words]
        if any(w not in table_words for w in extra):
            continue
        score = sum(table_words.index(w) + 1 for w in extra)
        if best is None or score > best[0]:
            best, tie = (score, enum), False
        elif score == best[0] and best[1].values != enum.values:
            tie = True
    if best is not None and not tie:
        return best[1]
    if col.enum:
        return None  # the column lists its own values; a name-only guess must not replace them
    return _same_values_fallback(col_words[-1], named)


def _same_values_fallback(last: str, named: list[EnumFragment]) -> EnumFragment | None:
    """Enums named ``...Source`` that all list the same values serve any ``source`` column."""
    hits = [e for e in named if _tokens(e.name) and _tokens(e.name)[-1] == last]
    if hits and all(set(e.values) == set(hits[0].values) for e in hits):
        return hits[0]
    return None


def _apply_named(table: TableDraft, col: ColumnDraft, named: list[EnumFragment], diags: list[Diagnostic]) -> None:
    if col.enum_source in _LITERAL_SOURCES and col.enum:
        return
    enum = _match(table, col, named)
    is_enumish = (col.type is None or col.type.name == "enum") or bool(col.enum)
    if enum is None or not is_enumish:
        if col.type is not None and col.type.name == "enum" and not col.enum:
            col.notes.append("enum with no stated values")
        return
    if col.enum and set(col.enum) != set(enum.values):
        diags.append(
            info(
                col.line,
                f"{table.name}.{col.name}: values {' | '.join(col.enum)} here, enum {enum.name} "
                f"(line {enum.line}) lists {' | '.join(enum.values)}; the enum is used",
            )
        )
    col.enum, col.enum_source = enum.values, enum.source
    col.notes.append(f"enum: {enum.name}")
    if col.type is None or col.type.name == "enum":
        col.type = TypeInfo("enum", col.type.raw if col.type else "", enum_name=enum.name)


def _drop_null(col: ColumnDraft) -> None:
    if not col.enum:
        return
    default = (col.default or "").strip().strip("'\"").lower()  # DEFAULT 'none': then none is a value
    kept = tuple(v for v in col.enum if v.strip().lower() not in _NULLS or v.strip().lower() == default)
    if len(kept) != len(col.enum):
        col.enum = kept or None
        if col.nullable is None:
            col.nullable = True
