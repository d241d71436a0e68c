"""Full-text search filters (``fts``, ``plfts``, ``phfts``, ``wfts``, with ``(language)``) on PostgreSQL.

As PostgREST: ``col @@ to_tsquery([config,] query)`` (``plainto_``,
``phraseto_``, ``websearch_to_tsquery`` for the others). A tsvector column
is searched as it is (docbase may keep it as text: it is cast back to
tsvector, which reads the stored lexemes unchanged); a text or JSON
column goes through ``to_tsvector([config,] col)`` first. The language is
a bound ``regconfig``, never spliced; an unknown one is PostgreSQL's own
error. SQLite has no text search, so there the same operators call
``docbase_ts_match``, PostgreSQL's ``simple`` and ``english`` configurations
done in Python (docbase.api.sql.sqlite_fts, which says where it differs).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from ...schema.model import Column
from ..errors import ApiError
from ..query.syntax import Filter
from . import sqlite_fts

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
    if f.field.json_path and not f.field.json_path[-1].text:
        pass  # a JSON value: to_tsvector(jsonb) reads its strings
    elif not f.field.json_path and not _is_tsvector(column) and column.type not in SEARCHABLE:
        raise ApiError(
            400, "42883", f"function to_tsvector({column.type}) does not exist", None, "Search text or JSON columns."
        )
    query = f.value if isinstance(f.value, str) else ",".join(f.value)
    if dialect != "postgresql":
        config = sqlite_fts.config_of(f.language)
        sqlite_fts.parse_query(f.op, config, query)  # a malformed tsquery is 42601 before any SQL runs
        return [config, query]
    languages = [f.language] if f.language is not None else []
    if _is_tsvector(column) and not f.field.json_path:
        return [*languages, query]
    return [*languages, *languages, query]


def _kind(f: Filter, column: Column) -> str:
    if f.field.json_path:
        return "text" if f.field.json_path[-1].text else "json"
    if _is_tsvector(column):
        return "tsvector"
    return "json" if column.type in ("json", "jsonb") else "text"


def condition(f: Filter, target: sa.ColumnElement, column: Column, nxt, dialect: str) -> sa.ColumnElement:
    """``document @@ query``; binds in the order ``values`` lists them."""
    if dialect != "postgresql":
        kind, op = sa.literal_column(f"'{_kind(f, column)}'"), sa.literal_column(f"'{f.op}'")  # fixed words
        config, query = nxt(sa.Text()), nxt(sa.Text())
        return sa.func.docbase_ts_match(target, kind, op, config, query, type_=sa.Integer) == 1
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
