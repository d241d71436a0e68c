"""Which Markdown table is a column table or an index table, and what each column holds.

Header words vary with the author and the language (Column / Field / Spalte /
Colonne / Campo / Cột / Столбец / 列; Type / Typ / Tipo / Kiểu / 型): they are
listed in ``headers.toml``, one list per role, and some tables have none that
help. So a role is taken from the header when a known word names it, and the
two that matter most (name and type) are otherwise found from the cells:
the leftmost column of identifiers is the name, the column whose cells read
as types is the type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..document import Block
from ._cells import is_identifier, strip_markup
from ._typewords import read_type_words
from ._vocabulary import normal, roles
from .types import parse_type


def header_role(cell: str) -> str | None:
    """The role a header cell names (headers.toml ``[roles]``), or None."""
    word = normal(strip_markup(cell))
    for role, words in roles().items():
        if word in words:
            return role
    return None


@dataclass
class Layout:
    kind: str  # "columns" or "indexes"
    roles: dict[int, str] = field(default_factory=dict)
    headerless: bool = False  # the first row is a column too

    def index_of(self, role: str) -> int | None:
        for i, r in self.roles.items():
            if r == role:
                return i
        return None


def _ratio(rows: list[tuple[str, ...]], col: int, test) -> float:
    cells = [strip_markup(r[col]) for r in rows if col < len(r) and strip_markup(r[col])]
    return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_BEFORE_CONSTRAINT = re.compile(r"\s+(?=[A-Z]{2}|not\b|null|primary|unique|default|pk\b|fk\b)")
_TRAILING_PARENS = re.compile(r"\s*\([^)]*\)\s*$")


def _is_type(cell: str) -> bool:
    head = _BEFORE_CONSTRAINT.split(cell, maxsplit=1)[0]
    words = read_type_words(cell)
    return words.type is not None or words.references is not None or read_type_words(head).type is not None


def _name_cell(cell: str) -> str:
    text = strip_markup(cell)
    text = _TRAILING_PARENS.sub("", text)
    return text.rstrip("*?🔑 ").strip()


@lru_cache(maxsize=1)  # md_table asks in ``accepts`` and again in ``read`` about the same block; layouts are only read
def layout_of(block: Block) -> Layout | None:
    """How to read a table block, or None when it is neither a column table nor an index table."""
    if block.kind != "table" or len(block.rows) < 2:
        return None
    header = block.rows[0].cells
    body = [r.cells for r in block.rows[1:]]
    if _is_data_row(header):
        return _headerless(block)
    roles: dict[int, str] = {}
    for i, cell in enumerate(header):
        role = header_role(cell)
        # a table may have two description columns (概要 and 備考), each may state constraints
        if role is not None and (role not in roles.values() or role in ("description", "constraints")):
            roles[i] = role
    values = set(roles.values())
    if ("index" in values or "name" in values) and "fields" in values:
        renamed = {"name": "index", "type": "method"}  # an index's name and kind
        roles = {i: renamed.get(r, r) if renamed.get(r) not in values else r for i, r in roles.items()}
        return Layout("indexes", roles)
    if "index" in values and "name" in values and "type" not in values:
        # "| インデックス名 | カラム | 種別 |": beside an index's name, "column" holds the columns it covers
        return Layout("indexes", {i: "fields" if r == "name" else r for i, r in roles.items()})
    if "type" not in values:
        scores = [(_ratio(body, i, _is_type), i) for i in range(len(header)) if i not in roles]
        best = max(scores, default=(0.0, -1))
        # a column that reads as types but not only as identifiers (names like "date" are types too)
        for score, i in sorted(scores, reverse=True):
            if score >= 0.6 and _ratio(body, i, lambda c: bool(re.search(r"[A-Z(\[<|]", c))) > 0:
                best = (score, i)
                break
        if best[0] < 0.6:
            return None
        roles[best[1]] = "type"
    if "name" not in roles.values():
        for i in range(len(header)):
            if i not in roles and _ratio(body, i, lambda c: is_identifier(_name_cell(c))) >= 0.8:
                roles[i] = "name"
                break
        else:
            return None
    name_col = next(i for i, r in roles.items() if r == "name")
    type_col = next(i for i, r in roles.items() if r == "type")
    if _ratio(body, name_col, lambda c: is_identifier(_name_cell(c))) < 0.5:
        return None
    if _ratio(body, type_col, _is_type) < 0.3:
        return None
    return Layout("columns", roles)


def _is_data_row(header: tuple[str, ...]) -> bool:
    """``| id | uuid | PK |`` as the first row: a column, not a header (no cell names a role but flags)."""
    if len(header) < 2 or not is_identifier(_name_cell(header[0])) or header_role(header[0]) is not None:
        return False
    return header_role(header[1]) is None and parse_type(strip_markup(header[1])) is not None


def _headerless(block: Block) -> Layout | None:
    """A table with no header row: name in the first column, type in the second, constraints, then prose."""
    body = [r.cells for r in block.rows]
    if _ratio(body, 0, lambda c: is_identifier(_name_cell(c))) < 0.8 or _ratio(body, 1, _is_type) < 0.6:
        return None
    width = max(len(r) for r in body)
    roles = {0: "name", 1: "type"}
    if width > 2:
        roles[2] = "constraints"
    if width > 3:
        roles[3] = "description"
    return Layout("columns", roles, headerless=True)
