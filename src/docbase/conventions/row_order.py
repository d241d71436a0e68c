"""SQLite's row order: unordered reads follow PostgreSQL's heap order up to a table size, rowid order past it.

Not stated by the document but implied by serving it on SQLite: docbase.ddl.row_order keeps PostgreSQL's
observable order (insertion order, an updated row last) for reads without ``order``, at the cost of a sort
of the rows read; past ``sqlite_heap_order_rows`` rows (docbase.api.heap_order) a table is read in rowid
order instead, which SQLite answers without sorting. ``docbase inspect`` lists the rule as one line so the
difference from PostgreSQL is never silent; the setting moves the threshold or (0) switches it off. Not in
``MODULES``: it applies to the database, and no request hook needs it.
"""

from __future__ import annotations

from typing import Any

from .. import settings
from ..schema.model import Schema
from .base import Applied

NAME = "sqlite_row_order"
EVERY_TABLE = "*"


def threshold(toml: dict[str, Any] | None = None) -> int:
    """The ``sqlite_heap_order_rows`` setting: 0 (never rowid order) or the largest heap-ordered table."""
    value = int(settings.get(settings.SQLITE_HEAP_ORDER_ROWS, toml=toml))
    if value < 0:
        raise ValueError(f"sqlite_heap_order_rows must be 0 or more, not {value}")
    return value


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    if not schema.tables:
        return []
    rows = threshold(toml)
    if rows == 0:
        why = (
            "on SQLite, reads without order return PostgreSQL's heap order (insertion order, an updated row "
            "last) on every table, whatever its size (sqlite_heap_order_rows = 0): each such read sorts the "
            "rows it reads"
        )
    else:
        why = (
            f"on SQLite, reads without order return PostgreSQL's heap order (insertion order, an updated row "
            f"last) while a table has at most {rows:,} rows; past that, rowid order (an updated row keeps its "
            f"place), which needs no sort; set sqlite_heap_order_rows in docbase.toml (0: heap order always)"
        )
    return [Applied(NAME, EVERY_TABLE, (), why, 0)]
