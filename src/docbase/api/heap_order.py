"""Whether a SQLite read of a table follows PostgreSQL's heap order, decided by the table's size.

docbase.ddl.row_order gives SQLite's unordered reads PostgreSQL's observable order (insertion order, an
updated row last), which postgrest-js's tests and small apps rely on. It costs a sort of every row the
read's filters leave (SQLite can no longer stop after ``limit`` rows in rowid order): ~10 ms at 20,000
rows, growing with the table. PostgreSQL itself shows that order only while a table fits in a page or
two; on a bigger table an updated row's new version goes wherever its page has room and nothing is
promised. So a table of more than ``HEAP_ORDER_ROWS`` rows (by its highest rowid, read at most once a
second per table) is read in plain rowid order, which SQLite answers without sorting, and every
unordered read keeps a bounded cost. The ``sqlite_heap_order_rows`` setting moves the threshold (0: heap
order on every table); ``docbase inspect`` lists the rule (docbase.conventions.row_order).
"""

from __future__ import annotations

import time
from typing import Any

from ..db.errors import DbError

HEAP_ORDER_ROWS = 1_000
FRESH_SECONDS = 1.0


class HeapOrder:
    def __init__(self, db: Any, dialect: str, tables: Any, rows: int = HEAP_ORDER_ROWS) -> None:
        self.db, self.dialect, self.tables = db, dialect, tables
        self.rows = rows  # 0: heap order whatever the size
        self._known: dict[str, tuple[float, bool]] = {}

    async def applies(self, table: str) -> bool:
        """True when a read of ``table`` should sort into heap order (always, but on SQLite's big tables)."""
        if self.dialect != "sqlite" or table not in self.tables or not self.rows:
            return True
        now = time.monotonic()
        known = self._known.get(table)
        if known is not None and now - known[0] < FRESH_SECONDS:
            return known[1]
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            async with self.db.transaction(readonly=True) as tx:
                highest = await tx.value(f"SELECT max(rowid) FROM {quoted}", [], last=True)
        except DbError:
            return True
        small = (highest or 0) <= self.rows
        self._known[table] = (now, small)
        return small
