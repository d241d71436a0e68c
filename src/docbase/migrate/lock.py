"""One migration at a time per database: the second run waits, then finds nothing left to do.

PostgreSQL: a transaction-scoped advisory lock (released by COMMIT or
ROLLBACK, so a crashed run never leaves it held). SQLite: ``BEGIN
IMMEDIATE`` takes the write lock up front; a second writer waits for the
busy timeout set on the connection (``apply.SQLITE_TIMEOUT``).
"""

from __future__ import annotations

import sqlalchemy as sa

#: Arbitrary but fixed: "docb" as a 32-bit integer, shared by every docbase process.
ADVISORY_KEY = 0x646F6362


def begin_locked(conn: sa.Connection) -> None:
    """Start the migration transaction holding the database's migration lock."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_KEY})")
    else:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # outside the transaction, or SQLite ignores it
        conn.exec_driver_sql("BEGIN IMMEDIATE")
