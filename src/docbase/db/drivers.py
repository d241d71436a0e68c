"""The one driver layer: asyncpg for PostgreSQL, the stdlib sqlite3 module for SQLite, for every caller.

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

Every request's SQL has a time limit (the ``statement_timeout`` setting):
PostgreSQL enforces its own ``statement_timeout``, set on each pooled
connection; SQLite has none, so a progress handler interrupts the
transaction once it has used more than that much CPU time on its thread
(SQLite runs on the event loop, so this bounds how long one request can
hold the worker; CPU time rather than the clock, so a busy machine does
not cancel honest requests). Either way the answer is PostgreSQL's 57014
with the status PostgREST gives it, 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

from .. import dburl
from .connections import pg_pool, sqlite_connect, sqlite_synchronous, statement_timeout_ms
from .errors import DbError, unavailable
from .pgstatus import PG_STATUS, pg_status
from .pipelined import PipelinePool
from .pipelined import pipelined as _pipelined

_SQLITE_CODES = {
    "SQLITE_CONSTRAINT_UNIQUE": ("23505", 409),
    "SQLITE_CONSTRAINT_PRIMARYKEY": ("23505", 409),
    "SQLITE_CONSTRAINT_FOREIGNKEY": ("23503", 409),
    "SQLITE_CONSTRAINT_NOTNULL": ("23502", 400),
    "SQLITE_CONSTRAINT_CHECK": ("23514", 400),
    "SQLITE_CONSTRAINT_TRIGGER": ("P0001", 400),
}
#: Every this many SQLite VM steps (about a millisecond), the progress handler reads the thread's CPU clock.
PROGRESS_STEPS = 20_000


def timed_out() -> DbError:
    """PostgreSQL's query_canceled; PostgREST answers it with 500."""
    return DbError(500, "57014", "canceling statement due to statement timeout")


class Database:
    """Runs compiled statements; ``transaction()`` yields an object with ``value`` and ``rows``."""

    dialect: str

    def transaction(
        self, readonly: bool = False, pipelined: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Any]:
        """One transaction; ``readonly`` lets SQLite readers skip the write lock (WAL readers never wait);
        ``pipelined``: PostgreSQL sends the transaction's statements together (docbase.db.pipelined), and a
        statement run with ``last=True`` sends the COMMIT with it: the caller runs nothing after that one."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


def connect(url: str, statement_timeout: int | None = None) -> Database:
    """A Database for ``sqlite:///path`` or ``postgresql://...`` (read by docbase.dburl; DbUrlError otherwise);
    ``statement_timeout`` in milliseconds (default: the setting)."""
    if dburl.parse(url).dialect == "sqlite":
        return SqliteDatabase(url, statement_timeout=statement_timeout)
    return PostgresDatabase(url, statement_timeout=statement_timeout)


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, synchronous: str | None = None, statement_timeout: int | None = None) -> None:
        self.url = url
        self.path = dburl.parse(url).path
        self._conn: sqlite3.Connection | None = None
        self.synchronous = sqlite_synchronous(synchronous)
        self.timeout = statement_timeout_ms(statement_timeout) / 1000
        self.deadline: float | None = None  # thread CPU time the running transaction must end by
        # "t.a, t.b" as SQLite names a unique violation -> the constraint's name (the API fills it from its
        # MetaData), so the message quotes it as PostgreSQL does: duplicate key ... constraint "t_pkey"
        self.unique_names: dict[str, str] = {}

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite_connect(self.url, self.synchronous)
            if self.timeout:
                conn.set_progress_handler(self._past_deadline, PROGRESS_STEPS)
            self.prepare(conn)
            self._conn = conn
        return self._conn

    def prepare(self, conn: sqlite3.Connection) -> None:
        """Register what a caller's statements need on a new connection (the API's SQL functions)."""

    def refusal(self) -> DbError | None:
        """An error a registered function recorded before SQLite turned it into "user-defined function raised"."""
        return None

    def _past_deadline(self) -> int:
        """SQLite's progress handler: non-zero interrupts the running statement."""
        return 1 if self.deadline is not None and time.thread_time() > self.deadline else 0

    @contextlib.asynccontextmanager
    async def transaction(self, readonly: bool = False, pipelined: bool = False) -> AsyncIterator[SqliteTx]:
        conn = self._connection()
        try:
            # IMMEDIATE takes the write lock up front, so a write never fails half-way on a busy database.
            # A read begins with its first statement that is not also its last: one statement alone is
            # atomic already, and BEGIN plus COMMIT were two of a by-id read's three calls into SQLite.
            if not readonly:
                await _wait_for_writer(self.path)
                conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise unavailable(f"the database is busy: {exc}") from None
        self.deadline = time.thread_time() + self.timeout if self.timeout else None
        tx = SqliteTx(conn, self.refusal, self.unique_names, deferred=readonly)
        try:
            yield tx
        except BaseException:
            self.deadline = None
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self.deadline = None  # the work is done: never interrupt the commit that keeps it
        if tx.rollback and conn.in_transaction:  # Prefer: tx=rollback (or tx_end): answer as if committed
            conn.execute("ROLLBACK")
            return
        if not conn.in_transaction:  # a read of one statement never began one
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


def writer_lock(path: str) -> asyncio.Lock:
    """The lock a worker's SQLite writers of ``path`` queue on, one per event loop.

    SQLite allows one writer per file, and every docbase connection to it runs on the event loop's
    thread: a writer that finds the file locked by another connection of the same worker waits in
    SQLite's busy handler, on the loop thread, for a transaction that cannot finish until the loop
    runs again. Auth and storage hold this lock for their write transactions (they await inside);
    the API's writes, which never await between BEGIN and COMMIT, only wait until it is free.
    """
    loop = asyncio.get_running_loop()
    locks = _WRITERS.get(loop)
    if locks is None:
        locks = _WRITERS[loop] = {}
    return locks.setdefault(path, asyncio.Lock())


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


async def _wait_for_writer(path: str) -> None:
    lock = writer_lock(path)
    if lock.locked():
        async with lock:
            pass


class SqliteTx:
    def __init__(
        self,
        conn: sqlite3.Connection,
        refusal: Callable[[], DbError | None] = lambda: None,
        unique_names: dict[str, str] | None = None,
        deferred: bool = False,
    ) -> None:
        self.conn = conn
        self.refusal = refusal
        self.unique_names = unique_names or {}
        self.rollback = False  # set by the handler: end the transaction with ROLLBACK instead of COMMIT
        self.deferred = deferred  # a read: BEGIN before the first statement that is not the last

    async def configure(self, sql: str, params: list[Any]) -> None:
        """A statement run for its effect on the transaction (PostgreSQL pipelines these unanswered)."""
        self._execute(sql, params, one=True)

    async def value(self, sql: str, params: list[Any], last: bool = False) -> Any:
        rows = self._execute(sql, params, one=True, last=last)
        return rows[0][0] if rows else None

    async def rows(self, sql: str, params: list[Any], last: bool = False) -> list[tuple]:
        """``last``: the transaction's final statement (lets a pipelined PostgreSQL send COMMIT with it, and a
        SQLite read of one statement run without BEGIN and COMMIT)."""
        return self._execute(sql, params, last=last)

    def _execute(self, sql: str, params: list[Any], one: bool = False, last: bool = False) -> list[tuple]:
        """Run and fetch in one place: SQLite does most of a query's work while rows are fetched."""
        try:
            if self.deferred:
                self.deferred = False
                if not last:
                    self.conn.execute("BEGIN")
            cursor = self.conn.execute(sql, params)
            if one:
                row = cursor.fetchone()
                return [row] if row is not None else []
            return cursor.fetchall()
        except sqlite3.IntegrityError as exc:
            code, status = _SQLITE_CODES.get(getattr(exc, "sqlite_errorname", ""), ("23000", 409))
            raise DbError(status, code, _sqlite_message(str(exc), code, self.unique_names)) from None
        except sqlite3.OperationalError as exc:
            raise self._operational(exc) from None

    def _operational(self, exc: sqlite3.OperationalError) -> DbError:
        refused = self.refusal()
        if refused is not None:
            return refused
        text = str(exc)
        if text == "interrupted":
            return timed_out()
        if "locked" in text or "busy" in text:
            return unavailable(text)
        if text.startswith(("too many arguments on function", "too many columns")):
            return DbError(400, "54011", f"too many columns: {text}", None, "Select fewer columns.")
        if text == "parser stack overflow":  # SQLite parses about five levels of embedding, PostgreSQL many more
            return DbError(400, "54001", "statement too complex for SQLite: parser stack overflow", None,
                            "Embed fewer levels (about five work on SQLite).")  # fmt: skip
        return DbError(400, "XX000", text)


def _sqlite_message(text: str, code: str, names: dict[str, str] | None = None) -> str:
    if code == "23505":
        columns = text.split(": ", 1)[-1]
        name = (names or {}).get(columns)
        if name:
            return f'duplicate key value violates unique constraint "{name}"'
        return f"duplicate key value violates unique constraint ({columns})"
    if code == "23503":
        return "insert or update violates foreign key constraint"
    if code == "23502":
        column = text.split(": ", 1)[-1].split(".")[-1]
        return f'null value in column "{column}" violates not-null constraint'
    if code == "23514" and text.startswith("CHECK constraint failed: "):
        name = text.split(": ", 1)[1]
        table = (names or {}).get(f"check {name}")
        if table:  # PostgreSQL's wording, which PostgREST passes on
            return f'new row for relation "{table}" violates check constraint "{name}"'
    return text


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10, statement_timeout: int | None = None) -> None:
        self.url = dburl.parse(url).libpq()
        self.min_size, self.max_size = min_size, max_size
        self.timeout_ms = statement_timeout_ms(statement_timeout)
        self._pool: Any = None
        self.pipeline = PipelinePool(self.url, self.timeout_ms)  # reads: JSON text as PostgreSQL built it
        self.write_pipeline = PipelinePool(self.url, self.timeout_ms, decoded=True)  # writes: values as asyncpg's
        self.pipelined_writes = True  # False: every write on asyncpg (tests compare the two paths' answers)

    async def _get_pool(self) -> Any:
        import asyncpg

        if self._pool is None:
            try:
                self._pool = await pg_pool(
                    self.url,
                    # every statement on the API's connections, whatever role a request switches to
                    self.timeout_ms,
                    min_size=self.min_size,
                    max_size=self.max_size,
                    init=init_pg_connection,
                    connection_class=_transaction_scoped(),
                    timeout=5,
                )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                raise unavailable(str(exc)) from None
        return self._pool

    def transaction(
        self, readonly: bool = False, pipelined: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Any]:
        if pipelined and (readonly or self.pipelined_writes):
            return _pipelined(self.pipeline if readonly else self.write_pipeline, readonly)
        return self._asyncpg_transaction(readonly)

    @contextlib.asynccontextmanager
    async def _asyncpg_transaction(self, readonly: bool) -> AsyncIterator[Any]:
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
        except DbError:
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
        await self.pipeline.close()
        await self.write_pipeline.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _transaction_scoped() -> type:
    import asyncpg

    class TransactionScoped(asyncpg.Connection):
        """A pooled connection returned without asyncpg's reset statement (one round trip per request saved).

        Safe because nothing a request does outlives its transaction: role and
        claims are set with ``set_config(.., true)``, the API never LISTENs or
        takes session advisory locks, and the session settings (timezone,
        statement_timeout) are the connection's own startup parameters; the same
        reasoning PostgREST's pool follows.
        """

        def get_reset_query(self) -> str:
            return ""

    return TransactionScoped


async def init_pg_connection(conn: Any) -> None:
    """JSON in and out as Python values, the same on every docbase pool."""
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


def _pg_error(exc: Any) -> DbError:
    code = getattr(exc, "sqlstate", None) or "XX000"
    status = PG_STATUS.get(code) or pg_status(code, getattr(exc, "message", "") or "")
    return DbError(
        status,
        code,
        getattr(exc, "message", None) or str(exc),
        getattr(exc, "detail", None),
        getattr(exc, "hint", None),
    )


class _RolledBack(Exception):
    """Raised inside asyncpg's transaction block to make it roll back instead of committing."""


class PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.rollback = False  # set by the handler: end the transaction with ROLLBACK instead of COMMIT

    async def configure(self, sql: str, params: list[Any]) -> None:
        await self.conn.fetchval(sql, *params)

    async def value(self, sql: str, params: list[Any], last: bool = False) -> Any:
        return await self.conn.fetchval(sql, *params)

    async def rows(self, sql: str, params: list[Any], last: bool = False) -> list[tuple]:
        return [tuple(r) for r in await self.conn.fetch(sql, *params)]
