"""The parsed query: what a PostgREST request asks for, before any table is looked up.

Values are kept apart from shape: ``Filter.value`` holds the user's text
while everything else (columns, operators, nesting, order) is the *shape*
the compiler caches SQL for. ``shape()`` on each node drops the values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Casts a select item may ask for (``col::text``); anything else is refused, never spliced into SQL.
CASTS = frozenset(
    "text varchar integer int int4 bigint int8 smallint numeric float float8 real double boolean bool "
    "json jsonb date timestamp timestamptz time uuid".split()
)


@dataclass(frozen=True)
class JsonStep:
    """One ``->key`` (``text=False``) or ``->>key`` (``text=True``) step; integer keys index arrays."""

    key: str
    text: bool


@dataclass(frozen=True)
class Field:
    """A column, maybe with a JSON path: ``data->a->>b``."""

    name: str
    json_path: tuple[JsonStep, ...] = ()

    @property
    def label(self) -> str:
        """The output key PostgREST uses: the last JSON key, else the column name."""
        return self.json_path[-1].key if self.json_path else self.name


#: PostgREST 12's aggregate functions (``amount.sum()``, ``count()``); docbase always has them enabled.
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})


@dataclass(frozen=True)
class SelectColumn:
    """``alias:field::cast``; with ``aggregate``, ``alias:field::cast.sum()::agg_cast`` (``count()`` has
    the field ``*``). The other plain columns of the same resource become the GROUP BY."""

    field: Field
    alias: str | None = None
    cast: str | None = None
    aggregate: str | None = None
    agg_cast: str | None = None

    @property
    def key(self) -> str:
        return self.alias or (self.aggregate if self.aggregate else self.field.label)


@dataclass(frozen=True)
class SelectStar:
    pass


@dataclass(frozen=True)
class Embed:
    """``alias:rel!hint!inner(items)``; ``spread`` for ``...rel(items)``."""

    name: str
    items: tuple[SelectColumn | SelectStar | Embed, ...]
    alias: str | None = None
    hint: str | None = None
    inner: bool = False
    spread: bool = False

    @property
    def key(self) -> str:
        return self.alias or self.name


SelectItem = SelectColumn | SelectStar | Embed

#: Full-text search: to_tsquery, plainto_tsquery, phraseto_tsquery, websearch_to_tsquery (``fts(english).cat``).
FTS_OPERATORS = frozenset("fts plfts phfts wfts".split())
#: Range-only operators: strictly left/right, does not extend right/left, adjacent.
RANGE_OPERATORS = frozenset("sl sr nxr nxl adj".split())
OPERATORS = (
    frozenset("eq neq gt gte lt lte like ilike match imatch in is isdistinct cs cd ov".split())
    | FTS_OPERATORS
    | RANGE_OPERATORS
)


@dataclass(frozen=True)
class Filter:
    field: Field
    op: str
    value: str | tuple[str, ...]
    negate: bool = False
    quantifier: str | None = None  # "any" / "all" for eq(any).{a,b}
    language: str | None = None  # the text search configuration of fts(english).cat

    def shape(self) -> tuple:
        size = len(self.value) if isinstance(self.value, tuple) else None
        is_value = self.value if self.op == "is" else None
        return ("f", self.field, self.op, self.negate, self.quantifier, size, is_value, self.language is not None)


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    children: tuple[Filter | Logic, ...]
    negate: bool = False

    def shape(self) -> tuple:
        return ("l", self.op, self.negate, tuple(c.shape() for c in self.children))


Condition = Filter | Logic


@dataclass(frozen=True)
class OrderTerm:
    """``field.desc.nullslast``; ``relation`` for ``author(name).desc`` (a to-one embed's column)."""

    field: Field
    desc: bool = False
    nulls: str | None = None  # "first" | "last"
    relation: str | None = None


@dataclass
class Query:
    """Everything the query string says. Per-embed parts are keyed by the embed path (aliases or names)."""

    select: tuple[SelectItem, ...] = (SelectStar(),)
    where: dict[tuple[str, ...], list[Condition]] = field(default_factory=dict)
    order: dict[tuple[str, ...], tuple[OrderTerm, ...]] = field(default_factory=dict)
    limit: dict[tuple[str, ...], int] = field(default_factory=dict)
    offset: dict[tuple[str, ...], int] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None
    on_conflict: tuple[str, ...] | None = None

    def conditions(self, path: tuple[str, ...] = ()) -> list[Condition]:
        return self.where.get(path, [])
