"""Fragments: what one reader saw in one block, before any merging.

A fragment records the document's statement as faithfully as the notation
allows and nothing more: a reader does not guess types from names, resolve
foreign-key targets, or decide between two descriptions of a table. That is
the schema stage's job, so every notation gets the same rules.

Names are kept as written, except where a notation's convention says
otherwise (ASCII box titles and ALL-CAPS headings are lower-cased by the
reader that sees them). Every fragment keeps its 1-based source line.

The types live beside, not inside, the readers package: readers write them
and the schema stage reads them, and neither stage imports the other
(``docbase.pipeline`` composes them). Types that mean the same at both ends
(``IndexColumn``) are defined here once and re-used by the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Which notation a table description came from; merge ranks them in this order.
Source = Literal["sql", "column_table", "bullets", "dbml", "prisma", "mermaid", "plantuml", "ascii", "prose"]

# Note on a column whose type names something its block does not define (a Prisma enum or model in
# another fence); the schema stage decides which, once every block is read.
TYPE_ELSEWHERE = "type defined in another block"

SOURCE_RANK: dict[str, int] = {
    "sql": 0,
    "column_table": 1,
    "bullets": 2,
    "dbml": 2,
    "prisma": 2,
    "mermaid": 3,
    "plantuml": 3,
    "ascii": 4,
    "prose": 5,
}


@dataclass(frozen=True)
class TypeInfo:
    """A column type in docbase's vocabulary (see ``readers.types``).

    ``raw`` is the type as the document wrote it; ``item`` the element type
    of an ``array``; ``dimension`` the length of a ``vector``.
    """

    name: str
    raw: str = ""
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    item: str | None = None
    dimension: int | None = None
    enum_name: str | None = None


@dataclass(frozen=True)
class Reference:
    """The target of a foreign key as stated: ``columns`` may be empty (target's PK)."""

    table: str
    columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ColumnFragment:
    name: str
    line: int = field(compare=False)
    type: TypeInfo | None = None
    nullable: bool | None = None
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    references: Reference | None = None
    fk_marked: bool = False
    enum: tuple[str, ...] | None = None
    examples: tuple[str, ...] | None = None
    check: str | None = None
    comment: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexColumn:
    name: str
    desc: bool = False
    expression: bool = False


@dataclass(frozen=True)
class IndexFragment:
    table: str
    columns: tuple[IndexColumn, ...]
    line: int = field(compare=False)
    name: str | None = None
    unique: bool = False
    method: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class UniqueFragment:
    columns: tuple[str, ...]
    line: int = field(compare=False)
    where: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ForeignKeyFragment:
    columns: tuple[str, ...]
    references: Reference
    line: int = field(compare=False)


@dataclass(frozen=True)
class CheckFragment:
    expression: str
    line: int = field(compare=False)
    name: str | None = None


@dataclass(frozen=True)
class TableFragment:
    """One description of one table, from one place in the document."""

    name: str
    line: int = field(compare=False)
    source: Source
    columns: tuple[ColumnFragment, ...] = ()
    primary_key: tuple[str, ...] = ()
    unique: tuple[UniqueFragment, ...] = ()
    foreign_keys: tuple[ForeignKeyFragment, ...] = ()
    checks: tuple[CheckFragment, ...] = ()
    indexes: tuple[IndexFragment, ...] = ()
    schema: str | None = None
    section: tuple[str, ...] = field(default=(), compare=False)
    comment: str | None = None
    notes: tuple[str, ...] = ()
    extends: bool = False  # ALTER TABLE ... ADD COLUMN: columns added to a table described elsewhere


@dataclass(frozen=True)
class EnumFragment:
    """A named, closed set of values (CREATE TYPE, enum section, DBML/Prisma enum)."""

    name: str
    values: tuple[str, ...]
    line: int = field(compare=False)
    source: Source = "prose"


@dataclass(frozen=True)
class RelationshipFragment:
    """A relationship stated between two tables without naming columns.

    Mermaid ``left ||--o{ right : label``, or prose such as
    ``One-to-Many with `memberships` (CASCADE DELETE)`` under a table's
    section (then ``left`` is that table). Cardinalities use Mermaid's
    markers as written (``||``, ``|o``, ``}o``, ``}|``, ``o{``...).
    """

    left: str
    right: str
    line: int = field(compare=False)
    left_cardinality: str = "||"
    right_cardinality: str = "o{"
    label: str | None = None
    on_delete: str | None = None
    source: Source = "prose"


@dataclass(frozen=True)
class ConstraintFragment:
    """A table constraint stated apart from the table's description.

    Prose (``UNIQUE(a, b) WHERE ...`` under a table's section) or SQL
    ``ALTER TABLE t ADD CONSTRAINT ...`` / ``ALTER COLUMN ... SET NOT NULL``
    (``expression`` then holds a default for kind ``default``), or SQL
    ``COMMENT ON TABLE/COLUMN`` (kind ``comment``: ``expression`` is the text,
    ``columns`` empty for the table's own comment).

    ``table`` is the table the surrounding section is about, or None when
    the reader could not tell (the merge then reports it).
    """

    table: str | None
    kind: Literal["unique", "primary_key", "check", "foreign_key", "not_null", "default", "comment"]
    columns: tuple[str, ...]
    line: int = field(compare=False)
    where: str | None = None
    expression: str | None = None
    references: Reference | None = None
    name: str | None = None


@dataclass(frozen=True)
class RuleFragment:
    """A constraint stated in an ordinary sentence, in words rather than names.

    "Each user appears once per organization", "priority must be between 1
    and 5", "the status is draft, sent or paid". The reader cannot know which
    columns the words mean (``user`` is ``user_id``), so it keeps the words;
    the schema stage resolves them against the tables, and reports the
    sentence when it cannot. ``subject`` and ``scope`` are word tuples
    (``("task", "titles")``); ``table`` is the section's table, a first guess.

    Kinds: ``unique`` (``subject`` and, for "once per"/"within", ``scope``),
    ``check`` (``op`` one of ``between > >= < <= <>`` over ``bounds``),
    ``not_null``, ``enum`` (``values``), and ``alias``: a permission resource
    (``subject``'s one word) that also names the tables in ``values`` (``this``:
    the section's table), for docbase.access.rbac.
    """

    kind: Literal["unique", "check", "not_null", "enum", "alias"]
    line: int = field(compare=False)
    text: str = ""
    table: str | None = None
    subject: tuple[tuple[str, ...], ...] = ()
    scope: tuple[str, ...] = ()
    op: str | None = None
    bounds: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexTableFragment:
    """A row of an index summary table (``| Table | Index | Fields | Purpose |``)."""

    index: IndexFragment


@dataclass(frozen=True)
class PolicyFragment:
    table: str
    name: str
    line: int = field(compare=False)
    command: str = "ALL"
    roles: tuple[str, ...] = ()
    permissive: bool = True
    using: str | None = None
    check: str | None = None
    sql: str = ""


@dataclass(frozen=True)
class RlsFragment:
    """``ALTER TABLE t ENABLE ROW LEVEL SECURITY``."""

    table: str
    line: int = field(compare=False)


@dataclass(frozen=True)
class RoutineFragment:
    """SQL the database layer runs as written: functions, triggers, extensions, views."""

    kind: Literal["function", "trigger", "extension", "view", "other"]
    name: str
    sql: str
    line: int = field(compare=False)
    table: str | None = None


Fragment = (
    TableFragment
    | EnumFragment
    | RelationshipFragment
    | ConstraintFragment
    | RuleFragment
    | IndexTableFragment
    | IndexFragment
    | PolicyFragment
    | RlsFragment
    | RoutineFragment
)
