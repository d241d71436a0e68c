"""The schema model: what every consumer (DDL, migrations, access, API, UI) reads.

Plain frozen dataclasses with no SQLAlchemy and no HTTP, so the model can be
built, compared and serialised anywhere. Source lines are kept on every fact
but excluded from equality (``compare=False``): two models mean the same
thing when their tables, columns and constraints agree, wherever they were
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document.diagnostics import Diagnostic
from ..fragments import IndexColumn


@dataclass(frozen=True)
class Column:
    """A column. ``nullable`` is None when the document does not say.

    ``type`` is one of ``readers.types.VOCABULARY``. ``inferred`` is true
    when the document gave no type and docbase chose one from the name.
    """

    name: str
    type: str
    line: int = field(default=0, compare=False)
    nullable: bool | None = None
    default: str | None = None
    enum: tuple[str, ...] | None = None
    examples: tuple[str, ...] | None = None
    inferred: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    item_type: str | None = None
    dimension: int | None = None
    enum_name: str | None = None
    raw_type: str | None = field(default=None, compare=False)
    comment: str | None = field(default=None, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    check: str | None = None

    @property
    def is_nullable(self) -> bool:
        """What the database should do when the document is silent: allow NULL."""
        return self.nullable is not False


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None
    line: int = field(default=0, compare=False)
    inferred: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class UniqueConstraint:
    columns: tuple[str, ...]
    where: str | None = None
    name: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Index:
    columns: tuple[IndexColumn, ...]
    name: str | None = None
    unique: bool = False
    method: str | None = None
    where: str | None = None
    line: int = field(default=0, compare=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Check:
    expression: str
    name: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Policy:
    """A row-level security policy the document writes in SQL."""

    name: str
    table: str
    command: str = "ALL"
    roles: tuple[str, ...] = ()
    permissive: bool = True
    using: str | None = None
    check: str | None = None
    sql: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple[str, ...]
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Routine:
    """SQL kept as written (functions, triggers, extensions) for PostgreSQL."""

    kind: str
    name: str
    sql: str = field(compare=False)
    table: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    unique: tuple[UniqueConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    checks: tuple[Check, ...] = ()
    rls: bool = False
    line: int = field(default=0, compare=False)
    section: tuple[str, ...] = field(default=(), compare=False)
    comment: str | None = field(default=None, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    # permission resources the document says also name this table, with the line saying so (docbase.access.rbac)
    aliases: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...]
    enums: tuple[Enum, ...] = ()
    policies: tuple[Policy, ...] = ()
    routines: tuple[Routine, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)
    path: str = field(default="<document>", compare=False)

    def table(self, name: str) -> Table | None:
        for table in self.tables:
            if table.name == name:
                return table
        return None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.level == "error")
