"""Vector columns (``vector(1536)``, ``float[]`` noted with a dimension) get ``rpc/match_<table>``.

The search itself is in ``vector_sql``: sqlite-vec's distance functions on
SQLite, pgvector's operators on PostgreSQL when the extension is there,
and otherwise an exact search computed in SQL over the stored ``real[]``.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Schema
from .base import Applied, enabled

NAME = "vectors"


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        cols = tuple(c.name for c in table.columns if c.type == "vector")
        if not cols or len(table.primary_key) != 1 or not enabled(toml, NAME, table.name):
            continue
        column = table.column(cols[0])
        assert column is not None
        size = f"{column.dimension}-dimension " if column.dimension else ""
        why = (
            f"{cols[0]} is a {size}vector: POST /rest/v1/rpc/match_{table.name} returns the rows nearest a query "
            "embedding (cosine or L2), among the rows the caller may read"
        )
        roles = (("vector", cols[0]), ("key", table.primary_key[0]), ("dimension", str(column.dimension or 0)))
        out.append(Applied(NAME, table.name, cols, why, table.line, roles))
    return out
