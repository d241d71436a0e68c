"""Relational schema notation in a list -> table fragments.

The notation taught with Merise and in database courses::

    - reunion(id_reunion, date_reunion, #salle_reunion);
          id_reunion(int, AUTO_INCREMENT): Clé primaire de la table "reunion"
          salle_reunion(int): Clé étrangère de la table "salle"

Each item ``name(a, b, c)`` is a table with those columns, in order. A
column written ``#col`` is a foreign key (the Merise mark). Lines under the
item of the form ``col(type[, ...]): description`` give the column's type,
and the description may say it is the primary key (*primary key*, *clé
primaire*, *clave primaria*, *chiave primaria*, *Primärschlüssel*, *PK*) or
a foreign key, with the table it names (*clé étrangère de la table "salle"*,
*foreign key to users*); a foreign key whose table is not named gets a target
from its name later (schema.relate), with a note. An item whose list ends
in ``...`` is a template of the notation, not a table (an info note says so).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Block, info, warning
from ..fragments import ColumnFragment, Reference, TableFragment
from .base import Reading
from .column_notes import column_type
from .types import parse_type

NAME = "relational"

_ITEM = re.compile(r"^\s*[`*_]*(?P<name>[^\W\d][\w]*)[`*_]*\s*\((?P<cols>[^()]+)\)\s*;?\s*$")
_COL = re.compile(r"^[#*_]*[^\W\d][\w]*[*_]*$")
_DETAIL = re.compile(
    r"^\s*[#*_]*(?P<name>[^\W\d][\w]*)[*_]*\s*\((?P<type>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*:\s*(?P<desc>.*)$"
)
_PK = re.compile(
    r"(?i)\b(?:primary key|clé primaire|cle primaire|clave primaria|chiave primaria|chave primária|"
    r"primärschlüssel|pk)\b|主键|主キー"
)
_FK = re.compile(
    r"(?i)\b(?:foreign key|clé étrangère|cle etrangere|clave (?:foránea|externa)|chiave esterna|"
    r"chave estrangeira|fremdschlüssel|fk)\b|外键|外部キー"
)
_FK_TABLES = (
    re.compile(r"""(?i)\b(?:table|tabla|tabella|tabela|tabelle)\s+["'«`“]?\s*(?P<t>[^\W\d][\w]*)"""),
    re.compile(r"""(?i)\b(?:to|references?|vers)\s+["'«`“]?\s*(?P<t>[^\W\d][\w]*)"""),
)


def _tables_in(block: Block) -> list[tuple[str, list[str], int, bool]]:
    found = []
    for item in block.items:
        m = _ITEM.match(item.text)
        if not m:
            continue
        cols = [c.strip() for c in m.group("cols").split(",")]
        template = any("..." in c or "…" in c for c in cols)
        typed = any(c.lower() in _KEY_WORDS or _is_type(c) for c in cols)  # a column bullet: `id (INT, PK)`
        if template or (len(cols) >= 2 and not typed and all(_COL.match(c) for c in cols)):
            found.append((m.group("name"), cols, item.line, template))
    return found


_KEY_WORDS = {"pk", "fk", "uk", "pk_fk", "unique", "null", "required", "optional", "nullable", "serial", "identity"}
_KEYWORDS = {"unique", "primary", "key", "check", "index", "foreign", "references", "enum", "varchar", "decimal"}


def _is_type(word: str) -> bool:
    """A SQL type word (``INT``, ``uuid``); ``id`` or ``name`` read as text by default are not."""
    found = parse_type(word)
    return found is not None and found.name != "text"


def accepts(block: Block) -> bool:
    """A list whose every top-level item is ``name(a, b, ...)``, one at least not a template."""
    if block.kind != "list":
        return False
    tables = _tables_in(block)
    top = [i for i in block.items if i.depth == min(j.depth for j in block.items)]
    return (
        len(tables) == len(top)
        and any(not template for *_, template in tables)
        and not any(name.lower() in _KEYWORDS for name, *_ in tables)
    )


def read(block: Block) -> Reading:
    reading = Reading()
    tables = _tables_in(block)
    lines = block.lines
    for index, (name, cols, line, template) in enumerate(tables):
        if template:
            reading.diagnostics.append(info(line, f"{name}(...) lists '...': a template of the notation, not a table"))
            continue
        end = tables[index + 1][2] if index + 1 < len(tables) else block.line + len(lines)
        details = {
            m.group("name"): (m, block.line + off)
            for off, raw in enumerate(lines)
            if line < block.line + off < end and (m := _DETAIL.match(raw))
        }
        columns = []
        for raw in cols:
            col_name = raw.strip("#*_")
            column = ColumnFragment(col_name, line, fk_marked=raw.startswith("#"))
            if col_name in details:
                column = _detailed(column, *details[col_name], reading)
            columns.append(column)
        for extra in sorted(set(details) - {c.name for c in columns}):
            reading.diagnostics.append(
                warning(details[extra][1], f"{extra} is described but not listed in {name}(...); not read")
            )
        reading.fragments.append(TableFragment(name, line, "bullets", columns=tuple(columns), section=block.section))
    return reading


def _detailed(column: ColumnFragment, m: re.Match[str], line: int, reading: Reading) -> ColumnFragment:
    """``col(type, ...): description`` -> its type, and the keys its description states."""
    parts = [p.strip() for p in m.group("type").split(",")]
    desc = m.group("desc").strip()
    column = replace(column, line=line, comment=desc or None)
    if parts and parts[0]:
        type_info, values, problem = column_type(parts[0])
        column = replace(column, type=type_info, enum=values)
        if problem:
            reading.diagnostics.append(warning(line, f"{column.name}: {problem}"))
    if _PK.search(desc):
        column = replace(column, primary_key=True, nullable=False)
    elif _FK.search(desc) or column.fk_marked:
        after = desc[_FK.search(desc).end() :] if _FK.search(desc) else desc
        target = next((t for t in (p.search(after) for p in _FK_TABLES) if t), None)
        reference = Reference(target.group("t"), (), line=line) if target else None
        column = replace(column, fk_marked=True, references=reference)
    return column
