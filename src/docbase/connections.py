"""The settings every SQLite connection docbase opens shares, whoever opens it.

The API's driver turned foreign keys on while auth's engine did not, so on
SQLite the auth tables' ``ON DELETE CASCADE`` never fired. Every caller now
takes its pragmas from here: foreign keys enforced, a busy timeout instead
of "database is locked", WAL so readers never wait for the writer, and the
durability the ``sqlite_synchronous`` setting chooses.

>>> sqlite_pragmas("normal")
('journal_mode=WAL', 'synchronous=NORMAL', 'foreign_keys=ON', 'busy_timeout=5000', 'case_sensitive_like=ON')
"""

from __future__ import annotations

from typing import Any

from . import settings

BUSY_TIMEOUT_MS = 5000


def sqlite_synchronous(chosen: str | None = None) -> str:
    value = str(chosen or settings.get(settings.SQLITE_SYNCHRONOUS)).strip().upper()
    if value not in ("FULL", "NORMAL"):
        raise ValueError(f"sqlite_synchronous must be full or normal, not {value.lower()!r}")
    return value


def sqlite_pragmas(synchronous: str | None = None) -> tuple[str, ...]:
    return (
        "journal_mode=WAL",
        f"synchronous={sqlite_synchronous(synchronous)}",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "case_sensitive_like=ON",
    )


def configure_sqlite(dbapi_connection: Any, synchronous: str | None = None) -> None:
    """Apply the pragmas to a DB-API connection (sqlite3, or SQLAlchemy's aiosqlite adapter)."""
    cursor = dbapi_connection.cursor()
    try:
        for pragma in sqlite_pragmas(synchronous):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()
