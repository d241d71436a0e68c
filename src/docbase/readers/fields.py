"""Indented field lists in a plain code block -> table fragments.

A common sketch notation, neither YAML nor a diagram language::

    order:
        id: int
        user_id: foreign key
        status: PENDING | PAID | SHIPPED

A line ``name:`` at the left margin starts a table; each indented
``column: what`` line under it is a column. ``what`` is a type, key words
(``primary key``/``pk``, ``foreign key``/``fk`` with an optional
``-> table`` / ``references table``), ``unique``, ``not null``, or a
``a | b | c`` value list (an enum; the type is then not stated). A foreign
key without a target gets one from the column's name later (schema.relate),
with a note. A list that marks no key anywhere has each table's ``id``
column as its key (an info note says so), as PlantUML entities do.

The block is taken only when nearly every line has this shape and the
indented lines all carry a value, so YAML data (nested mappings) and code
are left alone. A line inside a taken block that does not fit is a warning.
Its fragments rank with bullet lists (source ``bullets``) when merged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Block, info, warning
from ..fragments import ColumnFragment, Reference, TableFragment
from .base import Reading
from .column_notes import column_type, read_comment

NAME = "fields"

_HEAD = re.compile(r"^(?P<name>[A-Za-z_][\w]*)\s*:\s*$")
_FIELD = re.compile(r"^[ \t]+(?P<name>[A-Za-z_][\w]*)\s*:\s*(?P<what>\S.*?)\s*$")
_PK = re.compile(r"(?i)\b(?:primary[ _]key|pk)\b")
_FK = re.compile(r"(?i)\b(?:foreign[ _]key|fk)\b(?:\s*(?:->|→|to|references?)\s*(?P<table>[A-Za-z_]\w*))?")
_REFS = re.compile(r"(?i)\breferences?\s+(?P<table>[A-Za-z_]\w*)")
_UNIQUE = re.compile(r"(?i)\bunique\b")
_NOT_NULL = re.compile(r"(?i)\b(?:not[ _]null|required)\b")
_LABELS = ("", "text", "txt", "yaml", "yml", "plain", "plaintext")


def accepts(block: Block) -> bool:
    if block.kind != "code" or block.info.strip().lower().split(" ")[0] not in _LABELS:
        return False
    lines = [ln for ln in block.lines if ln.strip()]
    heads = sum(1 for ln in lines if _HEAD.match(ln))
    fields = sum(1 for ln in lines if _FIELD.match(ln))
    if heads == 0 or fields < 2 * heads or not _HEAD.match(lines[0]):
        return False
    return heads + fields >= 0.8 * len(lines)


def read(block: Block) -> Reading:
    reading = Reading()
    table: str | None = None
    line0 = block.line
    columns: list[ColumnFragment] = []

    def close() -> None:
        if table is not None and columns:
            reading.fragments.append(
                TableFragment(table, line0, "bullets", columns=tuple(columns), section=block.section)
            )

    for offset, raw in enumerate(block.lines):
        number = block.line + offset
        if not raw.strip():
            continue
        head = _HEAD.match(raw)
        if head:
            close()
            table, line0, columns = head.group("name"), number, []
            continue
        field = _FIELD.match(raw)
        if field is None or table is None:
            reading.diagnostics.append(
                warning(number, f"cannot read this line of a field list: {raw.strip()!r}; expected `column: type`")
            )
            continue
        column, problem = _column(field.group("name"), field.group("what"), number)
        if problem:
            reading.diagnostics.append(warning(number, f"{table}.{column.name}: {problem}"))
        columns.append(column)
    close()
    _key_by_id(reading)
    return reading


def _key_by_id(reading: Reading) -> None:
    """In a list that marks no key anywhere, each table's one ``id`` column is its key, said as a note."""
    tables = [f for f in reading.fragments if isinstance(f, TableFragment)]
    if any(c.primary_key for t in tables for c in t.columns):
        return
    for i, table in enumerate(reading.fragments):
        ids = [c for c in table.columns if c.name.lower() == "id"]
        if len(ids) == 1:
            columns = tuple(replace(c, primary_key=True, nullable=False) if c is ids[0] else c for c in table.columns)
            reading.fragments[i] = replace(table, columns=columns)
            reading.diagnostics.append(
                info(ids[0].line, f"{table.name}.{ids[0].name} is taken as the primary key (no key is marked)")
            )


def _column(name: str, what: str, line: int) -> tuple[ColumnFragment, str | None]:
    """One ``column: what`` line: key words are taken out, the rest is the type or a value list."""
    column = ColumnFragment(name, line)
    if "|" in what:
        return read_comment(column, what), None
    fk = _FK.search(what)
    target = (fk.group("table") if fk else None) or ((m := _REFS.search(what)) and m.group("table"))
    column = ColumnFragment(
        name,
        line,
        primary_key=bool(_PK.search(what)),
        unique=bool(_UNIQUE.search(what)),
        nullable=False if _NOT_NULL.search(what) else None,
        fk_marked=bool(fk or target),
        references=Reference(target, (), line=line) if target else None,
    )
    rest = _REFS.sub("", _FK.sub("", _PK.sub("", what)))
    rest = re.sub(r"[,;]+", " ", _NOT_NULL.sub("", _UNIQUE.sub("", rest))).strip()
    if not rest:
        return column, None
    type_info, values, problem = column_type(rest)
    return replace(column, type=type_info, enum=values), problem
