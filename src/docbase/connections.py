"""The settings every database connection docbase opens shares, whoever opens it, and the engines built on them.

The API's driver turned foreign keys on while auth's engine did not, so on
SQLite the auth tables' ``ON DELETE CASCADE`` never fired. Every caller now
takes its pragmas from here: foreign keys enforced, a busy timeout instead
of "database is locked", WAL so readers never wait for the writer, and the
durability the ``sqlite_synchronous`` setting chooses.

PostgreSQL connections start in UTC with the ``statement_timeout`` setting,
whether the API's asyncpg pool or an SQLAlchemy engine opens them.
:func:`engine` and :func:`async_engine` are the only places SQLAlchemy
engines are made for auth, the outbox and the commands (the underlying
drivers are the API's: sqlite3, asyncpg, psycopg), so no caller can forget a pragma.

>>> sqlite_pragmas("normal")
('journal_mode=WAL', 'synchronous=NORMAL', 'foreign_keys=ON', 'busy_timeout=5000', 'case_sensitive_like=ON')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import dburl, settings

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import AsyncEngine

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


def async_engine(url: str, statement_timeout: int | None = None) -> AsyncEngine:
    """An async SQLAlchemy engine (aiosqlite over sqlite3, asyncpg) with the shared settings.

    ``hide_parameters``: a failed statement's message must not carry token or password hashes into logs.
    """
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine

    parsed = dburl.parse(url)
    if parsed.dialect == "postgresql":
        return create_async_engine(
            parsed.sqlalchemy("asyncpg"),
            hide_parameters=True,
            connect_args={"server_settings": postgres_settings(statement_timeout)},
        )
    engine = create_async_engine(parsed.sqlalchemy("aiosqlite"), hide_parameters=True)
    event.listen(engine.sync_engine, "connect", lambda conn, _record: configure_sqlite(conn))
    return engine


def engine(url: str, **options: Any) -> sa.Engine:
    """A synchronous SQLAlchemy engine (sqlite3, psycopg) with the shared settings; ``options`` go to
    ``create_engine`` (say ``poolclass``)."""
    import sqlalchemy as sa

    parsed = dburl.parse(url)
    if parsed.dialect == "postgresql":
        timeout = postgres_settings()["statement_timeout"]
        options.setdefault("connect_args", {"options": f"-c timezone=UTC -c statement_timeout={timeout}"})
        return sa.create_engine(parsed.sqlalchemy(), **options)
    made = sa.create_engine(parsed.sqlalchemy(), **options)
    sa.event.listen(made, "connect", lambda conn, _record: configure_sqlite(conn))
    return made
