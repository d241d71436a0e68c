"""How much one request may ask of the database: select width, embed depth, filter count (and JSON depth).

PostgREST has no such limits and leaves them to the database's own
(PostgreSQL refuses a target list past 1,664 entries, after it has planned
for seconds). docbase checks a parsed query against them before any SQL is
built: building and compiling SQL costs about a third of a millisecond per
selected column, so ``select=*,*,*,...`` in a 2 kB query string would hold
a worker for seconds. A ``*`` counts as every column it stands for, which
is what the work grows with. Refusals are PostgREST's PGRST100 (400), naming
the setting to raise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import settings
from .bodylimit import DEPTH_CEILING
from .catalog import Catalog
from .errors import ApiError, bad_query
from .query import Embed, Filter, Logic, Query, SelectStar
from .query.select import MAX_DEPTH


@dataclass(frozen=True)
class RequestLimits:
    """The limits of one app; ``from_settings`` reads them (flags, DOCBASE_*, docbase.toml, defaults)."""

    select_items: int = int(settings.MAX_SELECT_ITEMS.default)
    embed_depth: int = int(settings.MAX_EMBED_DEPTH.default)
    filters: int = int(settings.MAX_FILTERS.default)
    json_depth: int = int(settings.MAX_JSON_DEPTH.default)  # enforced by api.bodylimit and api.request

    @classmethod
    def from_settings(cls, toml: dict[str, Any] | None = None) -> RequestLimits:
        limits = cls(
            select_items=int(settings.get(settings.MAX_SELECT_ITEMS, toml=toml)),
            embed_depth=int(settings.get(settings.MAX_EMBED_DEPTH, toml=toml)),
            filters=int(settings.get(settings.MAX_FILTERS, toml=toml)),
            json_depth=int(settings.get(settings.MAX_JSON_DEPTH, toml=toml)),
        )
        if not 1 <= limits.embed_depth <= MAX_DEPTH:
            raise ValueError(f"max_embed_depth must be between 1 and {MAX_DEPTH}, not {limits.embed_depth}")
        if not 1 <= limits.json_depth <= DEPTH_CEILING:
            raise ValueError(f"max_json_depth must be between 1 and {DEPTH_CEILING}, not {limits.json_depth}")
        if limits.select_items < 1 or limits.filters < 1:
            raise ValueError("max_select_items and max_filters must be at least 1")
        return limits

    def check(self, catalog: Catalog, table: str, query: Query) -> None:
        """PGRST100 when ``query`` on ``table`` asks for more than these limits allow."""
        depth = _depth(query.select)
        if depth > self.embed_depth:
            raise bad_query(
                f"Embedding is nested {depth} levels deep; the limit is {self.embed_depth} (max_embed_depth)"
            )
        filters = sum(_terms(c) for conditions in query.where.values() for c in conditions)
        if filters > self.filters:
            raise bad_query(f"The query has {filters} filters; the limit is {self.filters} (max_filters)")
        columns = _width(catalog, table, query.select)
        if columns > self.select_items:
            raise ApiError(
                400,
                "PGRST100",
                f"The select asks for {columns} columns; the limit is {self.select_items}",
                "Each '*' counts as every column it stands for (max_select_items).",
                "Name the columns you need.",
            )


def _depth(items: tuple) -> int:
    return max((1 + _depth(item.items) for item in items if isinstance(item, Embed)), default=0)


def _terms(condition: Filter | Logic) -> int:
    if isinstance(condition, Filter):
        return 1
    return sum(_terms(child) for child in condition.children)


def _width(catalog: Catalog, table: str, items: tuple) -> int:
    """Columns the select asks for, an embed counting itself and its own columns (no SQL: cheap at any size)."""
    total = 0
    for item in items:
        if isinstance(item, SelectStar):
            total += len(catalog.table(table).columns)
        elif isinstance(item, Embed):
            total += 1 + _width(catalog, catalog.resolve(table, item.name, item.hint).target, item.items)
        else:
            total += 1
    return total
