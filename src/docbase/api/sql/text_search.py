"""Full-text search filters (``fts``, ``plfts``, ``phfts``, ``wfts``, with ``(language)``) on PostgreSQL.

As PostgREST: ``col @@ to_tsquery([config,] query)`` (``plainto_``,
``phraseto_``, ``websearch_to_tsquery`` for the others). A tsvector column
is searched as it is (docbase may keep it as text: it is cast back to
tsvector, which reads the stored lexemes unchanged); a text or JSON
column goes through ``to_tsvector([config,] col)`` first. The language is
a bound ``regconfig``, never spliced; an unknown one is PostgreSQL's own
error. SQLite has no text search configurations or stemming, so there the
operators answer PGRST127 naming the feature rather than a different set
of rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from ...schema.model import Column
from ..errors import ApiError, postgresql_only_feature
from ..query.syntax import Filter

QUERY_FUNCTIONS = {
    "fts": "to_tsquery",
    "plfts": "plainto_tsquery",
    "phfts": "phraseto_tsquery",
    "wfts": "websearch_to_tsquery",
}
SEARCHABLE = frozenset({"text", "varchar", "json", "jsonb", "enum"})


def _is_tsvector(column: Column) -> bool:
    return (column.raw_type or "").lower() == "tsvector"


def values(f: Filter, column: Column, dialect: str) -> list[Any]:
    """[config for to_tsvector (text columns)], [config for the query], the query text."""
    if dialect != "postgresql":
        raise postgresql_only_feature(
            f"Full-text search ({f.op})",
            "SQLite has no text search configurations (stemming, stop words) to give PostgreSQL's matches",
        )
    if f.field.json_path and not f.field.json_path[-1].text:
        pass  # a JSON value: to_tsvector(jsonb) reads its strings
    elif not f.field.json_path and not _is_tsvector(column) and column.type not in SEARCHABLE:
        raise ApiError(
            400, "42883", f"function to_tsvector({column.type}) does not exist", None, "Search text or JSON columns."
        )
    query = f.value if isinstance(f.value, str) else ",".join(f.value)
    languages = [f.language] if f.language is not None else []
    if _is_tsvector(column) and not f.field.json_path:
        return [*languages, query]
    return [*languages, *languages, query]


def condition(f: Filter, target: sa.ColumnElement, column: Column, nxt) -> sa.ColumnElement:
    """``document @@ query``; binds in the order ``values`` lists them."""
    if _is_tsvector(column) and not f.field.json_path:
        document = sa.cast(target, TSVECTOR)
    else:
        if f.field.json_path and not f.field.json_path[-1].text:
            target = sa.cast(target, sa.dialects.postgresql.JSONB)
        args = [nxt(REGCONFIG()), target] if f.language is not None else [target]
        document = sa.func.to_tsvector(*args, type_=TSVECTOR)
    query_args = [nxt(REGCONFIG())] if f.language is not None else []
    query_args.append(nxt(sa.Text()))
    query = getattr(sa.func, QUERY_FUNCTIONS[f.op])(*query_args)
    return document.op("@@", return_type=sa.Boolean)(query)


__all__ = ["QUERY_FUNCTIONS", "condition", "values"]
