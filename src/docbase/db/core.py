"""SQLAlchemy Core statements (auth's and storage's) run on docbase.db's own drivers.

Auth and storage build their statements with SQLAlchemy Core, as the API
does, but they used to run them on a second driver stack (SQLAlchemy's async
engine over aiosqlite and its own asyncpg pool). This module runs them on
the drivers every other caller uses: the stdlib ``sqlite3`` module with the
shared pragmas, and asyncpg pools made by :mod:`docbase.db.connections`.

What SQLAlchemy's engine did and must still happen, done here with
SQLAlchemy's own dialect objects so values keep their types: a statement is
compiled for the dialect, its values pass the dialect's bind processors
(SQLite stores datetimes as text, booleans as integers, JSON as text) and
its result columns the result processors (and back). A driver error becomes
the SQLAlchemy exception the callers already catch (``IntegrityError`` for a
unique violation), with the driver's error as ``orig``.

Unlike the API, auth and storage await inside a transaction (a password
hash in a thread, an object store). On SQLite that rules out sharing one
connection: each transaction takes its own from a small pool, and writers
queue on the per-file writer lock of :func:`docbase.db.drivers.writer_lock`
(the API's writes take it too). Without it, a second writer on the event
loop's thread would wait out the busy timeout inside SQLite for a lock the
first writer, unable to run, never releases.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import TextClause

from .. import dburl
from .connections import engine as sync_engine
from .connections import pg_pool, sqlite_connect
from .drivers import init_pg_connection, writer_lock

_DIALECTS: dict[str, sa.Dialect] = {
    "sqlite": sqlite.pysqlite.dialect(),
    "postgresql": postgresql.asyncpg.dialect(),
}
_ROW_KEYWORDS = ("SELECT", "WITH", "VALUES", "PRAGMA", "SHOW", "TABLE")
#: Idle SQLite connections a worker keeps for auth and storage (more are opened while busy, then closed).
SQLITE_IDLE = 4


class Engine:
    """``begin()`` (commits unless it raises) and ``connect()`` (reads; always rolls back), as SQLAlchemy's."""

    def __init__(self, url: str, statement_timeout: int | None = None) -> None:
        parsed = dburl.parse(url)
        self.url = url
        self.dialect = _DIALECTS[parsed.dialect]
        if parsed.dialect == "sqlite":
            if parsed.path == ":memory:":
                raise ValueError("auth and storage need a database file, not sqlite:///:memory:")
            self._backend: _SqliteBackend | _PgBackend = _SqliteBackend(url)
        else:
            self._backend = _PgBackend(url, statement_timeout)

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[Connection]:
        async with self._backend.transaction(write=True) as raw:
            yield Connection(raw, self.dialect)

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        async with self._backend.transaction(write=False) as raw:
            yield Connection(raw, self.dialect)

    async def run_sync(self, fn: Callable[[sa.Connection], Any]) -> Any:
        """Run ``fn`` on a synchronous SQLAlchemy connection in one transaction, in a thread: for DDL
        (``create_all`` and the inspector), which compiles through SQLAlchemy's schema machinery."""
        made = sync_engine(self.url, statement_timeout=0, poolclass=sa.pool.NullPool)

        def run() -> Any:
            with made.begin() as conn:
                return fn(conn)

        try:
            if self.dialect.name == "sqlite":
                async with writer_lock(dburl.parse(self.url).path):
                    return await asyncio.to_thread(run)
            return await asyncio.to_thread(run)
        except sa.exc.OperationalError as exc:
            if self.dialect.name == "postgresql" and not getattr(exc.orig, "sqlstate", None):
                # psycopg could not connect (no SQLSTATE): an outage, as asyncpg's refused connection is
                raise sa.exc.OperationalError(
                    exc.statement, None, exc.orig, hide_parameters=True, connection_invalidated=True
                ) from exc
            raise
        finally:
            made.dispose()

    async def dispose(self) -> None:
        await self._backend.close()


class Connection:
    """One transaction's statements, with SQLAlchemy's ``execute`` and ``begin_nested``."""

    def __init__(self, raw: _SqliteTx | _PgTx, dialect: sa.Dialect) -> None:
        self._raw = raw
        self.dialect = dialect
        self._savepoints = 0

    async def execute(self, statement: sa.Executable, params: dict[str, Any] | None = None) -> Result:
        compiled = statement.compile(dialect=self.dialect)
        sql, values = _bind_values(compiled, params)
        returns_rows = _returns_rows(statement, compiled)
        try:
            keys, rows, rowcount = await self._raw.execute(sql, values, returns_rows)
        except Exception as exc:
            raise _translated(exc, sql) from exc
        return Result(keys, _processed(compiled, self.dialect, keys, rows), rowcount)

    @contextlib.asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        """A savepoint: an error inside rolls back to it and propagates; the transaction goes on."""
        self._savepoints += 1
        name = f"docbase_sp_{self._savepoints}"
        await self.execute(sa.text(f"SAVEPOINT {name}"))
        try:
            yield
        except BaseException:
            await self.execute(sa.text(f"ROLLBACK TO SAVEPOINT {name}"))
            await self.execute(sa.text(f"RELEASE SAVEPOINT {name}"))
            raise
        await self.execute(sa.text(f"RELEASE SAVEPOINT {name}"))

    async def has_table(self, name: str, schema: str | None = None) -> bool:
        if self.dialect.name == "sqlite":
            found = sa.text("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = :name")
            return (await self.execute(found, {"name": name})).first() is not None
        qualified = f"{schema}.{name}" if schema else name
        ask = sa.text("SELECT to_regclass(:name) IS NOT NULL")
        return bool((await self.execute(ask, {"name": _quoted(qualified)})).scalar_one())


def _quoted(qualified: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in qualified.split("."))


class Row:
    """A result row: by position, by column name as an attribute (``row.count`` too, which a tuple would
    shadow), or as ``_mapping``."""

    __slots__ = ("_values",)
    _index: dict[str, int] = {}

    def __init__(self, values: tuple) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[type(self)._index[name]]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, i: int | slice) -> Any:
        return self._values[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return tuple(self._values) == (tuple(other) if isinstance(other, Row | tuple) else other)

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return repr(self._values)

    @property
    def _mapping(self) -> dict[str, Any]:
        return {key: self._values[i] for key, i in type(self)._index.items()}

    def _asdict(self) -> dict[str, Any]:
        return self._mapping


def _row_type(keys: Sequence[str]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {k: i for i, k in enumerate(keys)}})


class Result:
    """The rows of one statement, read the ways auth and storage read SQLAlchemy's results."""

    def __init__(self, keys: Sequence[str], rows: list[tuple], rowcount: int) -> None:
        made = _row_type(keys)
        self._keys = list(keys)
        self._rows = [made(r) for r in rows]
        self.rowcount = rowcount

    def keys(self) -> list[str]:
        return self._keys

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def all(self) -> list[Row]:
        return list(self._rows)

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def one_or_none(self) -> Row | None:
        if len(self._rows) > 1:
            raise sa.exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return self.first()

    def one(self) -> Row:
        row = self.one_or_none()
        if row is None:
            raise sa.exc.NoResultFound("No row was found when one was required")
        return row

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> list[Any]:
        return [r[0] for r in self._rows]

    def mappings(self) -> Mappings:
        return Mappings([r._mapping for r in self._rows])


class Mappings:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows)

    def all(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def first(self) -> dict[str, Any] | None:
        return self._rows[0] if self._rows else None

    def one_or_none(self) -> dict[str, Any] | None:
        if len(self._rows) > 1:
            raise sa.exc.MultipleResultsFound("Multiple rows were found when one or none was required")
        return self.first()

    def one(self) -> dict[str, Any]:
        row = self.one_or_none()
        if row is None:
            raise sa.exc.NoResultFound("No row was found when one was required")
        return row


def _bind_values(compiled: sa.engine.Compiled, params: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """The SQL text and its values in positional order, as SQLAlchemy's execution context makes them:
    Python-side defaults filled in, ``IN`` lists expanded, each value through the dialect's bind processor."""
    values = compiled.construct_params(params)
    if compiled.insert_prefetch or compiled.update_prefetch:
        key = compiled._within_exec_param_key_getter  # noqa: SLF001 - the names SQLAlchemy's own execution uses
        for column in compiled.insert_prefetch:
            values[key(column)] = _python_default(column.default)
        for column in compiled.update_prefetch:
            values[key(column)] = _python_default(column.onupdate)
    processors = dict(compiled._bind_processors)  # noqa: SLF001
    sql, names = compiled.string, compiled.positiontup or []
    if compiled.literal_execute_params or compiled.post_compile_params:
        expanded = compiled._process_parameters_for_postcompile(values)  # noqa: SLF001
        sql, names, values = expanded.statement, expanded.positiontup or [], expanded.parameters
        processors.update(expanded.processors)
    out = []
    for name in names:
        value = values[name]
        process = processors.get(name)
        out.append(process(value) if process is not None else value)
    return sql, out


def _python_default(default: Any) -> Any:
    """A column's Python-side default (a constant, or a function taking no argument or the context)."""
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    raise ValueError(f"docbase.db.core cannot compute the default {default!r} before the statement")


def _returns_rows(statement: sa.Executable, compiled: sa.engine.Compiled) -> bool:
    if isinstance(statement, TextClause):
        text = compiled.string.lstrip().upper()
        return text.startswith(_ROW_KEYWORDS) or " RETURNING " in text
    return bool(compiled._result_columns)  # noqa: SLF001 - SELECT columns or RETURNING


def _processed(compiled: sa.engine.Compiled, dialect: sa.Dialect, keys: Sequence[str], rows: list[tuple]) -> list:
    columns = compiled._result_columns  # noqa: SLF001
    if not rows or not columns or len(columns) != len(keys):
        return rows
    processors = [_result_processor(entry.type, dialect) for entry in columns]
    if not any(processors):
        return rows
    return [tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True)) for row in rows]


def _result_processor(type_: sa.types.TypeEngine, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """The dialect's processor for a result column; on asyncpg, numbers are converted here, since
    SQLAlchemy picks their processor by the column's type OID, which only its own cursor knows."""
    if dialect.name == "postgresql" and isinstance(type_, sa.Numeric | sa.Float):
        if type_.asdecimal:
            return lambda v: v if v is None or isinstance(v, Decimal) else Decimal(str(v))
        return lambda v: v if v is None or isinstance(v, float) else float(v)
    return type_._cached_result_processor(dialect, None)  # noqa: SLF001


def _translated(exc: Exception, statement: str) -> Exception:
    """The SQLAlchemy exception a caller catches for this driver error (``orig`` is the driver's)."""
    if isinstance(exc, sa.exc.SQLAlchemyError):
        return exc
    if isinstance(exc, sqlite3.IntegrityError):
        return sa.exc.IntegrityError(statement, None, exc, hide_parameters=True)
    if isinstance(exc, sqlite3.OperationalError):
        return sa.exc.OperationalError(statement, None, exc, hide_parameters=True)
    if isinstance(exc, sqlite3.Error):
        return sa.exc.DBAPIError(statement, None, exc, hide_parameters=True)
    code = getattr(exc, "sqlstate", None)
    if isinstance(code, str) and code:
        if code.startswith("23"):
            return sa.exc.IntegrityError(statement, None, exc, hide_parameters=True)
        if code.startswith(("08", "57P", "53")):
            return sa.exc.OperationalError(statement, None, exc, hide_parameters=True)
        return sa.exc.DBAPIError(statement, None, exc, hide_parameters=True)
    if type(exc).__module__.startswith("asyncpg"):
        if isinstance(exc, ValueError):  # asyncpg's DataError: a value the column's type cannot take
            return sa.exc.DBAPIError(statement, None, exc, hide_parameters=True)
        # the rest of asyncpg's InterfaceError family carries no SQLSTATE: the connection is gone
        return sa.exc.OperationalError(statement, None, exc, hide_parameters=True, connection_invalidated=True)
    return exc  # OSError, TimeoutError: an outage, which callers recognise unwrapped


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, values: list[Any], returns_rows: bool) -> tuple[list[str], list[tuple], int]:
        cursor = self.conn.execute(sql, values)
        rows = cursor.fetchall() if cursor.description else []
        keys = [d[0] for d in cursor.description] if cursor.description else []
        return keys, rows, cursor.rowcount if cursor.rowcount >= 0 else len(rows)


class _SqliteBackend:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = dburl.parse(url).path
        self._idle: list[sqlite3.Connection] = []

    @contextlib.asynccontextmanager
    async def transaction(self, write: bool) -> AsyncIterator[_SqliteTx]:
        if write:
            async with writer_lock(self.path):
                async with self._run("BEGIN IMMEDIATE", commit=True) as tx:
                    yield tx
        else:
            async with self._run("BEGIN", commit=False) as tx:
                yield tx

    @contextlib.asynccontextmanager
    async def _run(self, begin: str, commit: bool) -> AsyncIterator[_SqliteTx]:
        conn = self._idle.pop() if self._idle else sqlite_connect(self.url)
        try:
            conn.execute(begin)
            try:
                yield _SqliteTx(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if conn.in_transaction:
                conn.execute("COMMIT" if commit else "ROLLBACK")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _translated(exc, begin) from exc
        finally:
            if len(self._idle) < SQLITE_IDLE and not conn.in_transaction:
                self._idle.append(conn)
            else:
                conn.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def execute(self, sql: str, values: list[Any], returns_rows: bool) -> tuple[list[str], list[tuple], int]:
        if returns_rows:
            records = await self.conn.fetch(sql, *values)
            keys = list(records[0].keys()) if records else await self._keys(sql)
            return keys, [tuple(r) for r in records], len(records)
        status = await self.conn.execute(sql, *values)
        tail = status.rsplit(" ", 1)[-1] if status else ""
        return [], [], int(tail) if tail.isdigit() else -1

    async def _keys(self, sql: str) -> list[str]:
        """Column names of a statement that returned no rows (asyncpg's cached prepared statement)."""
        prepared = await self.conn.prepare(sql)
        return [a.name for a in prepared.get_attributes()]


async def _translating(step: Awaitable[Any], statement: str) -> None:
    try:
        await step
    except Exception as exc:
        raise _translated(exc, statement) from exc


def _lost(exc: BaseException) -> bool:
    code = getattr(exc, "sqlstate", None) or ""
    return code.startswith(("08", "57P"))


class _PgBackend:
    def __init__(self, url: str, statement_timeout: int | None) -> None:
        self.url = url
        self.statement_timeout = statement_timeout
        self._pool: Any = None
        self._making = asyncio.Lock()

    async def _get_pool(self) -> Any:
        if self._pool is None:
            async with self._making:
                if self._pool is None:
                    self._pool = await pg_pool(
                        self.url, self.statement_timeout, min_size=1, max_size=10, init=init_pg_connection, timeout=5
                    )
        return self._pool

    @contextlib.asynccontextmanager
    async def transaction(self, write: bool) -> AsyncIterator[_PgTx]:
        import asyncpg

        try:
            pool = await self._get_pool()
            async with pool.acquire(timeout=10) as conn:
                tx = conn.transaction()
                await _translating(tx.start(), "BEGIN")
                try:
                    yield _PgTx(conn)
                except BaseException:
                    with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                        await tx.rollback()
                    raise
                await _translating(tx.commit() if write else tx.rollback(), "COMMIT" if write else "ROLLBACK")
        except sa.exc.OperationalError as exc:
            if exc.connection_invalidated or _lost(exc.orig):
                await self._reset()
            raise
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:  # making the pool, acquiring
            await self._reset()
            raise _translated(exc, "CONNECT") from exc
        except (OSError, TimeoutError):
            await self._reset()
            raise

    async def _reset(self) -> None:
        """Drop a pool whose connections failed, so the next transaction connects afresh."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
