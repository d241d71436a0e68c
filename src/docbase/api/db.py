"""Database access on the request path: asyncpg for PostgreSQL, the stdlib sqlite3 module for SQLite.

No ORM and no SQLAlchemy execution here: statements arrive compiled (SQL
text + positional values) and go straight to the driver.

PostgreSQL: one asyncpg pool per worker, created on first use, so a server
started while PostgreSQL is down still starts, answers 503, and serves
again once the database is back (a broken pool is dropped and rebuilt).
Every request runs in one transaction.

SQLite: one connection per worker, used directly on the event-loop thread.
Each statement is short and SQLite is in-process, so a thread hop (what
aiosqlite does for every call) costs more than it saves; and since nothing
awaits between BEGIN and COMMIT, requests cannot interleave inside a
transaction. WAL mode lets readers run beside the writer; ``synchronous=FULL``
(the ``sqlite_synchronous`` setting) makes every 201 durable even against
power loss, at the price of an fsync per write; ``normal`` still survives a
SIGKILL of docbase and writes several times faster (PocketBase's choice);
``busy_timeout`` waits out other workers' writes.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import struct
from collections.abc import AsyncIterator
from typing import Any

from .. import dburl
from ..connections import configure_sqlite, sqlite_synchronous
from .coerce import format_timestamp
from .errors import ApiError, unavailable
from .pgstatus import pg_status

_SQLITE_CODES = {
    "SQLITE_CONSTRAINT_UNIQUE": ("23505", 409),
    "SQLITE_CONSTRAINT_PRIMARYKEY": ("23505", 409),
    "SQLITE_CONSTRAINT_FOREIGNKEY": ("23503", 409),
    "SQLITE_CONSTRAINT_NOTNULL": ("23502", 400),
    "SQLITE_CONSTRAINT_CHECK": ("23514", 400),
    "SQLITE_CONSTRAINT_TRIGGER": ("P0001", 400),
}
_PG_STATUS = {"23505": 409, "23503": 409, "23502": 400, "23514": 400, "22P02": 400, "42501": 403, "22001": 400}


class Database:
    """Runs compiled statements; ``transaction()`` yields an object with ``value`` and ``rows``."""

    dialect: str

    def transaction(self, readonly: bool = False) -> contextlib.AbstractAsyncContextManager[Any]:
        """One transaction; ``readonly`` lets SQLite readers skip the write lock (WAL readers never wait)."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


def connect(url: str) -> Database:
    """A Database for ``sqlite:///path`` or ``postgresql://...`` (read by docbase.dburl; DbUrlError otherwise)."""
    if dburl.parse(url).dialect == "sqlite":
        return SqliteDatabase(url)
    return PostgresDatabase(url)


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, synchronous: str | None = None) -> None:
        self.path = dburl.parse(url).path
        self._conn: sqlite3.Connection | None = None
        self.synchronous = sqlite_synchronous(synchronous)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            configure_sqlite(conn, self.synchronous)
            conn.create_function("regexp", 2, _regexp, deterministic=True)
            conn.create_function("docbase_vector_json", 1, _vector_json, deterministic=True)
            conn.create_function("docbase_timestamp", 2, _timestamp_json, deterministic=True)
            self._conn = conn
        return self._conn

    @contextlib.asynccontextmanager
    async def transaction(self, readonly: bool = False) -> AsyncIterator[SqliteTx]:
        conn = self._connection()
        try:
            # IMMEDIATE takes the write lock up front, so a write never fails half-way on a busy database.
            conn.execute("BEGIN" if readonly else "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise unavailable(f"the database is busy: {exc}") from None
        tx = SqliteTx(conn)
        try:
            yield tx
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if tx.rollback:  # Prefer: tx=rollback (or tx_end): answer as if committed, keep nothing
            conn.execute("ROLLBACK")
            return
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise unavailable(f"the database is busy: {exc}") from None

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rollback = False  # set by the handler: end the transaction with ROLLBACK instead of COMMIT

    async def value(self, sql: str, params: list[Any]) -> Any:
        row = self._execute(sql, params).fetchone()
        return row[0] if row else None

    async def rows(self, sql: str, params: list[Any]) -> list[tuple]:
        return self._execute(sql, params).fetchall()

    def _execute(self, sql: str, params: list[Any]) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            code, status = _SQLITE_CODES.get(getattr(exc, "sqlite_errorname", ""), ("23000", 409))
            raise ApiError(status, code, _sqlite_message(str(exc), code)) from None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise unavailable(str(exc)) from None
            raise ApiError(400, "XX000", str(exc)) from None


def _sqlite_message(text: str, code: str) -> str:
    if code == "23505":
        return f"duplicate key value violates unique constraint ({text.split(': ', 1)[-1]})"
    if code == "23503":
        return "insert or update violates foreign key constraint"
    if code == "23502":
        column = text.split(": ", 1)[-1].split(".")[-1]
        return f'null value in column "{column}" violates not-null constraint'
    return text


def _regexp(pattern: str | None, value: Any) -> int | None:
    if pattern is None or value is None:
        return None
    flags = 0
    if pattern.startswith("(?i)"):
        pattern, flags = pattern[4:], re.IGNORECASE
    try:
        return 1 if re.search(pattern, str(value), flags) else 0
    except re.error:
        return 0


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


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10) -> None:
        self.url = dburl.parse(url).libpq()
        self.min_size, self.max_size = min_size, max_size
        self._pool: Any = None

    async def _get_pool(self) -> Any:
        import asyncpg

        if self._pool is None:
            try:
                self._pool = await asyncpg.create_pool(
                    self.url,
                    min_size=self.min_size,
                    max_size=self.max_size,
                    server_settings={"timezone": "UTC"},
                    init=_init_connection,
                    timeout=5,
                )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                raise unavailable(str(exc)) from None
        return self._pool

    @contextlib.asynccontextmanager
    async def transaction(self, readonly: bool = False) -> AsyncIterator[PgTx]:
        import asyncpg

        pool = await self._get_pool()
        try:
            async with pool.acquire(timeout=10) as conn:
                tx = PgTx(conn)
                try:
                    async with conn.transaction(readonly=readonly):
                        yield tx
                        if tx.rollback:  # Prefer: tx=rollback (or tx_end): answer as if committed, keep nothing
                            raise _RolledBack
                except _RolledBack:
                    pass
        except ApiError:
            raise
        except asyncpg.PostgresError as exc:
            if _connection_lost(exc):
                await self._reset()
                raise unavailable(str(exc)) from None
            raise _pg_error(exc) from None
        except (OSError, asyncpg.InterfaceError, TimeoutError, ConnectionError) as exc:
            await self._reset()
            raise unavailable(str(exc)) from None

    async def _reset(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _init_connection(conn: Any) -> None:
    import orjson

    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name,
            schema="pg_catalog",
            encoder=lambda v: v if isinstance(v, str) else orjson.dumps(v).decode(),
            decoder=orjson.loads,
            format="text",
        )


def _connection_lost(exc: Any) -> bool:
    """Class 08 (connection exception) and 57P0x (server shutting down / cannot connect now)."""
    code = getattr(exc, "sqlstate", None) or ""
    return code.startswith("08") or code.startswith("57P")


def _pg_error(exc: Any) -> ApiError:
    code = getattr(exc, "sqlstate", None) or "XX000"
    status = _PG_STATUS.get(code) or pg_status(code, getattr(exc, "message", "") or "")
    return ApiError(
        status, code, getattr(exc, "message", str(exc)), getattr(exc, "detail", None), getattr(exc, "hint", None)
    )


class _RolledBack(Exception):
    """Raised inside asyncpg's transaction block to make it roll back instead of committing."""


class PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.rollback = False  # set by the handler: end the transaction with ROLLBACK instead of COMMIT

    async def value(self, sql: str, params: list[Any]) -> Any:
        return await self.conn.fetchval(sql, *params)

    async def rows(self, sql: str, params: list[Any]) -> list[tuple]:
        return [tuple(r) for r in await self.conn.fetch(sql, *params)]
