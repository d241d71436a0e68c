"""Mutable drafts the merge fills in before the model is frozen.

The merge visits fragments in rank order and then runs several passes
(relationships, enums, inference, validation) that each refine the same
tables; drafts keep that work simple, and ``freeze`` turns them into the
immutable model exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fragments import (
    CheckFragment,
    ForeignKeyFragment,
    IndexFragment,
    Reference,
    TypeInfo,
    UniqueFragment,
)


@dataclass
class ColumnDraft:
    name: str
    line: int
    source: str
    type: TypeInfo | None = None
    nullable: bool | None = None
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    references: Reference | None = None
    fk_marked: bool = False
    enum: tuple[str, ...] | None = None
    enum_source: str = ""
    examples: tuple[str, ...] | None = None
    check: str | None = None
    comment: str | None = None
    notes: list[str] = field(default_factory=list)
    inferred: bool = False


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

    def find(self, name: str) -> ColumnDraft | None:
        """A column by exact name, else by case-insensitive name."""
        if name in self.columns:
            return self.columns[name]
        low = name.lower()
        for col in self.columns.values():
            if col.name.lower() == low:
                return col
        return None
