"""The API's use of the shared driver layer (:mod:`docbase.db.drivers`): SQLite with the API's SQL functions.

The drivers, their transactions and their error mapping are docbase.db's,
shared with auth and every other caller; what the API adds is the SQL
functions its compiled statements call on SQLite (``regexp`` through RE2,
JSON containment, ranges, full-text search, timestamps and vectors printed as
PostgreSQL prints them).
"""

from __future__ import annotations

import sqlite3
import struct
from typing import Any

from .. import dburl
from ..db.drivers import Database, PostgresDatabase, SqliteTx, timed_out
from ..db.drivers import SqliteDatabase as SharedSqliteDatabase
from ..db.errors import DbError
from .coerce import format_timestamp
from .regex import Regexp
from .sql import sqlite_fts
from .sql.containment import FUNCTIONS as CONTAINMENT
from .sql.pg_range import sqlite_function as range_function

__all__ = ["Database", "PostgresDatabase", "SqliteDatabase", "SqliteTx", "connect", "timed_out", "unique_names"]


def connect(url: str, statement_timeout: int | None = None) -> Database:
    """A Database for ``sqlite:///path`` or ``postgresql://...`` (read by docbase.dburl; DbUrlError otherwise);
    ``statement_timeout`` in milliseconds (default: the setting)."""
    if dburl.parse(url).dialect == "sqlite":
        return SqliteDatabase(url, statement_timeout=statement_timeout)
    return PostgresDatabase(url, statement_timeout=statement_timeout)


class SqliteDatabase(SharedSqliteDatabase):
    """The shared SQLite driver with the functions the API's statements call."""

    def __init__(self, url: str, synchronous: str | None = None, statement_timeout: int | None = None) -> None:
        super().__init__(url, synchronous, statement_timeout)
        self.regexp = Regexp()
        self.refused: DbError | None = None

    def prepare(self, conn: sqlite3.Connection) -> None:
        conn.create_function("regexp", 2, self.regexp, deterministic=True)
        conn.create_function("docbase_vector_json", 1, _vector_json, deterministic=True)
        conn.create_function("docbase_timestamp", 2, _timestamp_json, deterministic=True)
        for name, function in CONTAINMENT.items():
            conn.create_function(name, 2, function, deterministic=True)
        conn.create_function("docbase_range", 4, range_function, deterministic=True)
        conn.create_function("docbase_ts_match", 5, sqlite_fts.matches, deterministic=True)
        conn.create_function("docbase_refuse", 3, self._refuse)

    def _refuse(self, code: str, message: str, hint: str) -> None:
        """``docbase_refuse(code, message, hint)``: a statement's own refusal (the access layer's claim of a
        new tenant, docbase.access.row_rules), kept for :meth:`refusal` since SQLite reports only that a
        function raised."""
        self.refused = DbError(400, code, message, None, hint)
        raise ValueError(message)

    def refusal(self) -> DbError | None:
        mine, self.refused = self.refused, None
        return self.regexp.take_refusal() or mine


def unique_names(metadata: Any) -> dict[str, str]:
    """Each primary key, unique constraint and unique index by the columns SQLite names in its error, and
    each CHECK's table by ``check <name>`` (SQLite's error names the constraint alone)."""
    import sqlalchemy as sa

    found: dict[str, str] = {}
    for table in metadata.tables.values():
        keyed = [
            (c.name, [col.name for col in c.columns])
            for c in table.constraints
            if isinstance(c, (sa.PrimaryKeyConstraint, sa.UniqueConstraint))
        ]
        keyed += [(ix.name, [col.name for col in ix.columns]) for ix in table.indexes if ix.unique]
        for name, columns in keyed:
            if columns and name:
                found.setdefault(", ".join(f"{table.name}.{c}" for c in columns), str(name))
        for check in table.constraints:
            if isinstance(check, sa.CheckConstraint) and check.name:
                found[f"check {check.name}"] = table.name
    return found


def _timestamp_json(value: Any, with_tz: int) -> str | None:
    try:
        return format_timestamp(value, bool(with_tz))
    except (ValueError, TypeError):
        return None if value is None else str(value)


def _vector_json(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    if isinstance(blob, str):
        return blob
    count = len(blob) // 4
    return "[" + ",".join(repr(float32_shortest(x)) for x in struct.unpack(f"<{count}f", blob[: count * 4])) + "]"


def float32_shortest(x: float) -> float:
    """The shortest decimal that is the same float32, as PostgreSQL prints ``real`` (0.1, not 0.10000000149)."""
    packed = struct.pack("<f", x)
    for digits in range(1, 10):
        candidate = float(f"{x:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return x
