"""SQL text for the conventions' own statements, one spelling for both databases.

Statements are written with ``?`` placeholders and double-quoted names;
``Sql.render`` turns the placeholders into asyncpg's ``$1, $2`` on
PostgreSQL. Values go to the driver as it wants them (``driver_value``):
SQLite keeps timestamps as UTC text in the DDL's ``now()`` layout, booleans
as 0/1 and JSON as text; asyncpg takes datetimes and Python objects.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson

from .base import ident

SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"
EPOCH_TYPES = ("float", "bigint", "integer", "numeric")


class Sql:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.pg = dialect == "postgresql"

    q = staticmethod(ident)

    def render(self, text: str) -> str:
        if not self.pg:
            return text
        counter = iter(range(1, 10_000))
        return re.sub(r"\?", lambda _: f"${next(counter)}", text)

    def now(self, kind: str | None) -> Any:
        """The current time for a column of ``kind`` (epoch milliseconds for numeric columns, as Convex keeps them)."""
        return self.time(datetime.now(UTC), kind)

    def time(self, when: datetime, kind: str | None) -> Any:
        if kind in EPOCH_TYPES:
            return when.timestamp() * 1000 if kind in ("float", "numeric") else int(when.timestamp() * 1000)
        if self.pg:
            return when if kind == "timestamptz" else when.astimezone(UTC).replace(tzinfo=None)
        return when.astimezone(UTC).strftime(SQLITE_TIMESTAMP)

    def json(self, value: Any) -> Any:
        return value if self.pg else orjson.dumps(value).decode()

    def boolean(self, value: bool) -> Any:
        return value if self.pg else int(value)


def as_datetime(value: Any) -> datetime | None:
    """A stored time (datetime, SQLite text, epoch milliseconds) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip().replace("T", " ").replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
