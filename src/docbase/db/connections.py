"""Every database connection docbase opens is made here, with the settings they all share.

The API's driver turned foreign keys on while auth's engine did not, so on
SQLite the auth tables' ``ON DELETE CASCADE`` never fired. No module outside
``docbase.db`` connects by itself (``tests/test_layers.py`` fails if one
calls ``sqlite3.connect``, ``asyncpg.connect``, ``psycopg.connect`` or makes
an SQLAlchemy engine), so every SQLite connection has foreign keys enforced,
a busy timeout instead of "database is locked", WAL so readers never wait
for the writer, and the durability the ``sqlite_synchronous`` setting
chooses; every PostgreSQL connection starts in UTC with the
``statement_timeout`` setting.

A command that is not a request (``migrate``, ``check``, seeding, key
rotation) passes ``statement_timeout=0``: building an index on a large
table may take longer than any request should. ``migrate`` waits longer
for a busy SQLite database (``busy_timeout_ms``), since a serving worker
may be writing.

>>> sqlite_pragmas("normal")
('journal_mode=WAL', 'synchronous=NORMAL', 'foreign_keys=ON', 'busy_timeout=5000', 'case_sensitive_like=ON')
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from .. import dburl, settings

if TYPE_CHECKING:
    import sqlalchemy as sa

BUSY_TIMEOUT_MS = 5000


def sqlite_synchronous(chosen: str | None = None) -> str:
    value = str(chosen or settings.get(settings.SQLITE_SYNCHRONOUS)).strip().upper()
    if value not in ("FULL", "NORMAL"):
        raise ValueError(f"sqlite_synchronous must be full or normal, not {value.lower()!r}")
    return value


def sqlite_pragmas(synchronous: str | None = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> tuple[str, ...]:
    return (
        "journal_mode=WAL",
        f"synchronous={sqlite_synchronous(synchronous)}",
        "foreign_keys=ON",
        f"busy_timeout={int(busy_timeout_ms)}",
        "case_sensitive_like=ON",
    )


def configure_sqlite(
    dbapi_connection: Any, synchronous: str | None = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> None:
    """Apply the pragmas to a DB-API connection (sqlite3, directly or under SQLAlchemy's sync engine)."""
    cursor = dbapi_connection.cursor()
    try:
        for pragma in sqlite_pragmas(synchronous, busy_timeout_ms):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def sqlite_connect(url: str, synchronous: str | None = None) -> sqlite3.Connection:
    """A stdlib sqlite3 connection to ``sqlite:///path`` in autocommit mode (the caller says BEGIN),
    usable from any thread."""
    conn = sqlite3.connect(dburl.parse(url).path, isolation_level=None, check_same_thread=False)
    configure_sqlite(conn, synchronous)
    return conn


def statement_timeout_ms(value: int | None = None) -> int:
    """The time limit in milliseconds: ``value``, else the ``statement_timeout`` setting; 0 means none."""
    chosen = int(settings.get(settings.STATEMENT_TIMEOUT) if value is None else value)
    if chosen < 0:
        raise ValueError(f"statement_timeout must be 0 (no limit) or a number of milliseconds, not {chosen}")
    return chosen


def postgres_settings(statement_timeout: int | None = None) -> dict[str, str]:
    """Session settings every PostgreSQL connection starts with (asyncpg's ``server_settings``).

    >>> postgres_settings(2500)
    {'timezone': 'UTC', 'statement_timeout': '2500'}
    """
    return {"timezone": "UTC", "statement_timeout": str(statement_timeout_ms(statement_timeout))}


def libpq_options(statement_timeout: int | None = None) -> str:
    """The same session settings as libpq's ``options`` (psycopg and SQLAlchemy's psycopg engines).

    >>> libpq_options(0)
    '-c timezone=UTC -c statement_timeout=0'
    """
    return " ".join(f"-c {name}={value}" for name, value in postgres_settings(statement_timeout).items())


async def pg_connect(url: str, statement_timeout: int | None = None) -> Any:
    """One asyncpg connection (a listener, say) with the shared session settings."""
    import asyncpg

    return await asyncpg.connect(dburl.parse(url).libpq(), server_settings=postgres_settings(statement_timeout))


async def pg_pool(url: str, statement_timeout: int | None = None, **options: Any) -> Any:
    """An asyncpg pool whose every connection has the shared session settings; ``options`` go to
    ``asyncpg.create_pool`` (sizes, ``init``, ``connection_class``, ``timeout``)."""
    import asyncpg

    return await asyncpg.create_pool(
        dburl.parse(url).libpq(), server_settings=postgres_settings(statement_timeout), **options
    )


def psycopg_connect(url: str, statement_timeout: int | None = None) -> Any:
    """A psycopg (v3) connection with the shared session settings (bulk COPY when seeding)."""
    import psycopg

    return psycopg.connect(dburl.parse(url).libpq(), options=libpq_options(statement_timeout))


def engine(
    url: str, statement_timeout: int | None = None, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **options: Any
) -> sa.Engine:
    """A synchronous SQLAlchemy engine (sqlite3, psycopg) with the shared settings; ``options`` go to
    ``create_engine`` (say ``poolclass``)."""
    import sqlalchemy as sa

    parsed = dburl.parse(url)
    if parsed.dialect == "postgresql":
        options.setdefault("connect_args", {"options": libpq_options(statement_timeout)})
        return sa.create_engine(parsed.sqlalchemy(), **options)
    made = sa.create_engine(parsed.sqlalchemy(), **options)
    sa.event.listen(made, "connect", lambda conn, _record: configure_sqlite(conn, None, busy_timeout_ms))
    return made
