"""Bulk writes to SQLite: one transaction, ``executemany`` in large batches, foreign keys enforced.

The standard library driver is used directly (SQLAlchemy adds per-row cost
that dominates at a million rows). ``PRAGMA foreign_keys=ON`` stays on, so
the database itself vouches that every key points somewhere. Values are
stored the way docbase's SQLite schema reads them: JSON and arrays as JSON
text, vectors as float32 blobs (sqlite-vec's layout), times as ISO text.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from ..db import connections
from ..schema.model import Table

BATCH = 50_000


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stamp(v: object) -> object:
    if isinstance(v, datetime):
        return v.isoformat(" ", "microseconds")
    if isinstance(v, date | time):
        return v.isoformat()
    return v


def _converter(kind: str) -> Callable[[object], object] | None:
    if kind == "array":
        return lambda v: None if v is None else json.dumps(v)
    if kind == "vector":
        return lambda v: None if v is None else struct.pack(f"<{len(v)}f", *v)
    if kind == "numeric":
        return lambda v: float(v) if isinstance(v, Decimal) else v
    if kind in ("timestamp", "timestamptz", "date", "time"):
        return _stamp
    return None


class SqliteWriter:
    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        self.conn = connections.sqlite_connect(url)
        self.conn.execute("PRAGMA synchronous = OFF")  # the one departure: a bulk load that fails is run again
        self.conn.execute("BEGIN")

    def existing_tables(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def has_rows(self, table: Table) -> bool:
        return self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table.name)})").fetchone()[0] == 1

    def write(self, table: Table, columns: list[str], data: list[list], advance: Callable[[int], None]) -> None:
        if not columns:
            return
        data = [_convert(table, c, values) for c, values in zip(columns, data, strict=True)]
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        n = len(data[0])
        for start in range(0, n, BATCH):
            chunk = [d[start : start + BATCH] for d in data]
            self.conn.executemany(sql, zip(*chunk, strict=True))
            advance(len(chunk[0]))

    def update(self, table: Table, keys: list[str], columns: list[str], rows: list[tuple]) -> None:
        sets = ", ".join(f"{quote(c)} = ?" for c in columns)
        where = " AND ".join(f"{quote(k)} = ?" for k in keys)
        self.conn.executemany(f"UPDATE {quote(table.name)} SET {sets} WHERE {where}", rows)

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()


def _convert(table: Table, name: str, values: list) -> list:
    col = table.column(name)
    conv = _converter(col.type) if col is not None else None
    if conv is None:
        return values
    return [conv(v) for v in values]
