"""PostgreSQL requests in one round trip: the caller's role and claims and the statement in one pipeline.

asyncpg waits for the answer to every statement before sending the next,
so a signed-in read was four round trips (``BEGIN READ ONLY``; the
``set_config`` of role and claims; the query; ``COMMIT``), each a wake-up
of docbase and of the PostgreSQL backend. libpq's pipeline mode (psycopg 3)
sends them all and waits once, as PostgREST does; on two cores that is most
of the request's cost. The statements go through the connection's libpq
handle (docbase.db.direct), each prepared on first use per connection: a
query shape is parsed and planned by the server once, then only bound. A
read of one round trip needs no BEGIN nor COMMIT at all: what is sent up
to one Sync is one implicit transaction (docbase.db.direct).

Role and claims stay transaction-scoped (``set_config(.., true)``) and every
transaction ends before its connection goes back to the pool: a connection
that is not idle after the pipeline (an error left the transaction open or
broken) is rolled back, and closed when even that fails, so nothing one
request set is seen by the next.

Only callers that ask for it (``transaction(pipelined=True)``) come here:
the REST read and a REST write of one statement (docbase.api.rest decides
it before it begins: nothing after the statement may need the database or
roll the write back). Writes that read between statements keep the asyncpg
pool.

Reads and writes use two pools because they want their rows decoded
differently: a read's body is JSON text PostgreSQL built, passed on as it
came; a write's ``RETURNING`` rows are Python values that docbase turns into
JSON (docbase.api.sql.write.rows_to_json), which must be the values asyncpg
gives. Where psycopg decodes differently the write pool's loaders follow
asyncpg: json and jsonb parsed (asyncpg's codec in docbase.db.drivers), the
infinite dates and timestamps as the largest and smallest Python has
(psycopg refuses them). psycopg keeps PostgreSQL's own text where asyncpg
has a class of its own (point, bit strings) and reads real as PostgreSQL
prints it (asyncpg widens the float4, ``0.1`` -> ``0.10000000149011612``):
there the written row's JSON now matches a read of it. Parameters need no
care: every compiled statement casts its parameters (``$1::JSONB``), and
psycopg sends text with no type for the server to infer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import AsyncIterator
from typing import Any

from .connections import libpq_options
from .direct import DirectTx
from .errors import DbError, unavailable
from .infinity import register_dumpers
from .pgstatus import PG_STATUS, pg_status

#: Connections per worker: PostgreSQL on the same machine gains nothing from more backends than cores can run.
POOL_SIZE = max(4, min(10, 4 * (os.cpu_count() or 1)))


def _decoded(adapters: Any) -> None:
    """Register the write pool's loaders: values as asyncpg decodes them (see the module docstring)."""
    import datetime as dt

    import orjson
    from psycopg.adapt import Dumper, Loader
    from psycopg.pq import Format

    class DecodedJson(Loader):
        def load(self, data: Any) -> Any:
            return orjson.loads(data)

    class JsonbDumper(Dumper):
        """A dict bound as a parameter: jsonb, as asyncpg's codec would have encoded it."""

        oid = adapters.types["jsonb"].oid

        def dump(self, obj: Any) -> bytes:
            return orjson.dumps(obj)

    for name in ("json", "jsonb"):
        adapters.register_loader(name, DecodedJson)
    adapters.register_dumper(dict, JsonbDumper)
    for name, high, low in (
        ("date", dt.date.max, dt.date.min),
        ("timestamp", dt.datetime.max, dt.datetime.min),
        ("timestamptz", dt.datetime.max, dt.datetime.min),  # naive, as asyncpg gives them
    ):
        adapters.register_loader(name, _infinite(adapters.get_loader(adapters.types[name].oid, Format.TEXT), high, low))


def _infinite(base: type, high: Any, low: Any) -> type:
    """``base`` (psycopg's loader, C where built) with ``infinity`` and ``-infinity`` read as asyncpg reads them."""
    from psycopg.adapt import Loader

    class Infinite(Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = base(oid, context).load

        def load(self, data: Any) -> Any:
            first = data[0]
            if first == 105:  # i: infinity (a date or timestamp otherwise starts with a digit)
                return high
            if first == 45:  # -: -infinity
                return low
            return self._load(data)

    return Infinite


def _raw_json() -> type:
    from psycopg.adapt import Loader

    class RawJson(Loader):
        """json/jsonb as the text PostgreSQL sent: the API passes the body on, so parsing it would be waste."""

        def load(self, data: Any) -> str:
            return bytes(data).decode()

    return RawJson


class PipelinePool:
    """Idle psycopg connections, at most ``size`` open; one that is not idle when returned is never reused."""

    def __init__(self, url: str, timeout_ms: int, size: int = POOL_SIZE, decoded: bool = False) -> None:
        """``decoded``: rows as Python values as asyncpg gives them (writes), else JSON as text (reads)."""
        self.url, self.timeout_ms, self.size, self.decoded = url, timeout_ms, size, decoded
        self._idle: list[Any] = []
        self._slots: asyncio.Semaphore | None = None

    async def _connect(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,  # the pipeline says BEGIN and COMMIT itself
            prepare_threshold=0,
            options=libpq_options(self.timeout_ms),
            cursor_factory=psycopg.AsyncRawCursor,  # $1 placeholders, as the compiled statements have
            connect_timeout=5,
        )
        conn.prepared_max = 512
        register_dumpers(conn.adapters)
        if self.decoded:
            _decoded(conn.adapters)
        else:
            for name in ("json", "jsonb"):
                conn.adapters.register_loader(name, _raw_json())
        return conn

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        conn = await self.take()
        try:
            yield conn
        finally:
            await self.give_back(conn)

    async def take(self) -> Any:
        """An idle connection (or a new one) and its slot; every take is followed by one :meth:`give_back`."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        if self._slots.locked():  # every connection busy: wait, at most 10 s
            try:
                await asyncio.wait_for(self._slots.acquire(), 10)
            except TimeoutError:
                raise unavailable("no database connection free within 10 s") from None
        else:  # a free slot is taken at once: no timer and no task (wait_for's cost on every request)
            await self._slots.acquire()
        try:
            return self._idle.pop() if self._idle else await self._connect()
        except BaseException:
            self._slots.release()
            raise

    async def give_back(self, conn: Any) -> None:
        """The connection back to the idle ones when it is clean, else closed; its slot freed either way."""
        try:
            await self._put_back(conn)
        finally:
            assert self._slots is not None
            self._slots.release()

    async def _put_back(self, conn: Any) -> None:
        from psycopg.pq import ConnStatus, TransactionStatus

        if not conn.closed and conn.pgconn.status != ConnStatus.OK:  # the server ended it (a protocol error)
            await conn.close()
            return
        if not conn.closed and conn.pgconn.transaction_status != TransactionStatus.IDLE:
            try:
                await conn.rollback()
            except Exception:  # a broken connection: closed below, never reused
                pass
        if conn.closed or conn.pgconn.transaction_status != TransactionStatus.IDLE:
            await conn.close()
            return
        self._idle.append(conn)

    def __len__(self) -> int:
        """Idle connections, ready for the next transaction."""
        return len(self._idle)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


class Pipelined:
    """``async with pipelined(pool, readonly) as tx``: one transaction in pipeline mode (docbase.db.direct); errors
    come back as DbError (the caller maps connection loss). A class rather than a generator-based context
    manager: it is entered on every request, and the generator's machinery was a few percent of a read."""

    __slots__ = ("conn", "pool", "readonly", "tx")

    def __init__(self, pool: PipelinePool, readonly: bool) -> None:
        self.pool, self.readonly = pool, readonly

    async def __aenter__(self) -> DirectTx:
        try:
            self.conn = await self.pool.take()
        except DbError:
            raise
        except _connection_errors() as exc:
            raise translated(exc) from None
        self.tx = DirectTx(self.conn)  # straight through libpq (docbase.db.direct)
        try:
            await self.tx.open(self.readonly)
        except BaseException as exc:
            await self.pool.give_back(self.conn)
            raise translated(exc) from None
        return self.tx

    async def __aexit__(self, kind: Any, exc: BaseException | None, traceback: Any) -> bool:
        try:
            if exc is None:
                await self.tx.end()
                await self.tx.close()
            else:
                await self.tx.close(exc)
        except DbError:
            raise
        except _connection_errors() as failure:
            raise translated(failure) from None
        finally:
            await self.pool.give_back(self.conn)
        if isinstance(exc, _connection_errors()):
            raise translated(exc) from None
        return False


def pipelined(pool: PipelinePool, readonly: bool) -> Pipelined:
    """One transaction in pipeline mode on a connection of ``pool`` (see :class:`Pipelined`)."""
    return Pipelined(pool, readonly)


@functools.cache
def _connection_errors() -> tuple[type[BaseException], ...]:
    import psycopg  # imported on first use: a SQLite-only process never loads it

    return (OSError, psycopg.Error, TimeoutError, ConnectionError)


def translated(exc: BaseException) -> BaseException:
    """A psycopg or connection error as DbError (503 when the connection, not the statement, failed);
    anything else as it is."""
    import psycopg

    if isinstance(exc, psycopg.errors.DatabaseError) and exc.sqlstate is not None:  # the server refused a statement
        if exc.sqlstate.startswith(("08", "57P")):
            return unavailable(str(exc))
        return _error(exc)
    if isinstance(exc, OSError | psycopg.Error | TimeoutError | ConnectionError):
        return unavailable(str(exc))
    return exc


def _error(exc: Any) -> DbError:
    code = exc.sqlstate or "XX000"
    message = exc.diag.message_primary or str(exc)
    status = PG_STATUS.get(code) or pg_status(code, message)
    return DbError(status, code, message, exc.diag.message_detail, exc.diag.message_hint)
