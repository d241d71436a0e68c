"""Mutable drafts the merge fills in before the model is frozen.

The merge visits fragments in rank order and then runs several passes
(relationships, enums, inference, validation) that each refine the same
tables; drafts keep that work simple, and ``freeze`` turns them into the
immutable model exactly once.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, dataclass, field, fields, make_dataclass
from typing import Any

from ..fragments import (
    CheckFragment,
    ColumnFragment,
    ForeignKeyFragment,
    IndexFragment,
    UniqueFragment,
)


def _draft_fields() -> list[tuple[str, object, Field[Any]]]:
    """ColumnFragment's fields, in order, plus what only the merge knows; ``notes`` becomes a list to append to.

    One definition of a column's facts (``fragments.ColumnFragment``): a fact a reader learns to state is a
    draft field at once, and ``merge`` copies every one by keyword (tests/test_layers.py checks no class
    re-lists them).
    """
    out: list[tuple[str, object, Field[Any]]] = []
    for f in fields(ColumnFragment):
        if f.name == "notes":
            out.append(("notes", "list[str]", field(default_factory=list)))
            continue
        spec: Field[Any] = field() if f.default is MISSING else field(default=f.default)
        out.append((f.name, f.type, spec))
        if f.name == "line":
            out.append(("source", "str", field()))
    out.append(("enum_source", "str", field(default="")))
    out.append(("inferred", "bool", field(default=False)))
    return out


#: A column while the merge refines it: every ColumnFragment fact (mutable), plus ``source`` (the reader that
#: stated it), ``enum_source`` (who gave the enum values) and ``inferred`` (docbase chose the type).
ColumnDraft = make_dataclass("ColumnDraft", _draft_fields())
ColumnDraft.__module__ = __name__


@dataclass
class TableDraft:
    name: str
    line: int
    source: str
    section: tuple[str, ...] = ()
    schema: str | None = None
    columns: dict[str, ColumnDraft] = field(default_factory=dict)
    primary_key: list[str] = field(default_factory=list)
    unique: list[UniqueFragment] = field(default_factory=list)
    foreign_keys: list[ForeignKeyFragment] = field(default_factory=list)
    checks: list[CheckFragment] = field(default_factory=list)
    indexes: list[IndexFragment] = field(default_factory=list)
    rls: bool = False
    comment: str | None = None
    notes: list[str] = field(default_factory=list)
    aliases: list[tuple[str, int]] = field(default_factory=list)  # (permission resource, line) naming it too

    def find(self, name: str) -> ColumnDraft | None:
        """A column by exact name, else by case-insensitive name."""
        if name in self.columns:
            return self.columns[name]
        low = name.lower()
        for col in self.columns.values():
            if col.name.lower() == low:
                return col
        return None
