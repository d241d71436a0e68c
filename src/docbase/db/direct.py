"""A PostgreSQL transaction sent straight through libpq's pipeline: statements queued, one Sync, one wait.

psycopg's pipeline (docbase.db.pipelined) spent about a third of a signed-in
read's CPU in its own Python: a cursor, a generator and a flush per statement,
a wait per flush. A REST read needs none of that: its statements (BEGIN READ
ONLY, the caller's role and claims, the query, COMMIT) are all known before
the first is sent. Here they go out through the connection's libpq handle
(``psycopg.pq``, C), each prepared once per connection under a name of ours,
and the answers are read when the socket says they are there. Values are
dumped and loaded by psycopg's adapters of that connection, so the read
pool's raw-JSON loader and the infinity dumpers apply as before.

``configure`` never waits; ``rows(.., last=True)`` ends the transaction with
the statement, so a request of one statement is one round trip, and a read
of one round trip is sent as an implicit transaction (no BEGIN, no COMMIT:
see ``DirectTx._send``); a refusal is raised as DbError once
every answer up to the Sync is read. Writes take the same path (their pool's
loaders give values as asyncpg does). psycopg's own pipeline forgot its
prepared statements after a ROLLBACK (3.3), so rolled-back writes had to go
to asyncpg; the names here are docbase's and a ROLLBACK keeps them.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from .errors import DbError

_NAMES = itertools.count()
#: The one statement a read-only transaction of one round trip sends in place of BEGIN READ ONLY and COMMIT.
READ_ONLY = "SELECT set_config('transaction_read_only', 'on', true)"
#: Prepared statements kept per connection: past this, the connection is closed instead of returned.
PREPARED_MAX = 512


class DirectTx:
    """One read-only transaction on a psycopg connection (autocommit, idle), driven through its ``pgconn``."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pgconn = conn.pgconn
        self.rollback = False
        self.ended = False
        self.broken = False  # the connection must not be reused (a cancelled wait, a protocol failure)
        self.readonly = False
        self._begun = False  # the first batch went out: BEGIN (or the implicit transaction) is on the server
        self._queued: list[tuple[str, list[Any]]] = []  # (statement, dumped values) until the next Sync
        prepared = getattr(conn, "_docbase_prepared", None)
        if prepared is None:
            prepared = {}
            conn._docbase_prepared = prepared
        self._prepared: dict[str, bytes] = prepared

    async def open(self, readonly: bool) -> None:
        self.pgconn.enter_pipeline_mode()
        self.readonly = readonly

    async def configure(self, sql: str, params: list[Any]) -> None:
        self._open()
        self._query(sql, params)

    async def rows(self, sql: str, params: list[Any], last: bool = False) -> list[tuple]:
        self._open()
        wanted = self._query(sql, params)
        if last:
            self.ended = True
        results = await self._sync()
        return results[wanted]

    async def value(self, sql: str, params: list[Any], last: bool = False) -> Any:
        rows = await self.rows(sql, params, last)
        return rows[0][0] if rows else None

    async def end(self) -> None:
        if not self.ended:
            self.ended = True
            if self._begun or self._queued:  # a transaction that ran nothing has nothing to end
                await self._sync()

    async def close(self, error: BaseException | None = None) -> None:
        """Leave pipeline mode with every answer read; on an error, whatever is still queued is read and dropped."""
        if self.broken:
            return
        try:
            if self._queued and self._begun:
                await self._sync(raise_first=error is None)
            self._queued = []  # never sent: the transaction never began on the server
        finally:
            if not self.broken and self.pgconn.pipeline_status:
                self.pgconn.exit_pipeline_mode()
            if not self.broken and len(self._prepared) > PREPARED_MAX:
                self.broken = True  # past the bound, a new connection is cheaper than tracking its statements
                await self._discard()

    def _open(self) -> None:
        if self.ended:
            raise RuntimeError("a statement after the one sent as the transaction's last")

    def _query(self, sql: str, params: list[Any]) -> int:
        """Queue ``sql`` with its values dumped now; the index its rows will have in ``_sync``'s list."""
        from psycopg import DataError
        from psycopg.adapt import PyFormat, Transformer

        # text, with no type: the server types each parameter from the statement (every compiled statement
        # casts its own, ``$1::INTEGER``), so one prepared statement serves any Python value, None included
        try:
            values = Transformer(self.conn).dump_sequence(params, [PyFormat.TEXT] * len(params)) if params else []
        except DataError as exc:  # psycopg refuses a NUL in text before the server sees it; the server would, too
            raise DbError(400, "22021", 'invalid byte sequence for encoding "UTF8": 0x00', str(exc)) from None
        self._queued.append((sql, values))
        return len(self._queued) - 1

    def _send(self) -> list[tuple[str, Any]]:
        """Hand the queued statements to libpq, framed as the transaction needs; what each answer will be.

        The first batch opens the transaction. A read whose first batch is also its last (one round trip)
        needs no BEGIN nor COMMIT: statements up to a Sync are one implicit transaction, and
        ``set_config(.., true)`` lasts until its end, so the server runs one statement fewer; it stays
        read-only through ``transaction_read_only`` (as ``BEGIN READ ONLY`` would). Writes keep BEGIN and
        COMMIT/ROLLBACK (committed at the Sync instead, one-statement inserts measured about 10% slower over
        HTTP in three paired runs: bench/results/postgresql-request-cost.md), as does any transaction of
        several batches."""
        ops: list[tuple[str, Any]] = []
        implicit = not self._begun and self.ended and not self.rollback and self.readonly
        queued, self._queued = self._queued, []
        if not self._begun:
            self._begun = True
            if implicit:  # prepared like the rest: a SELECT planned per request costs more
                self._prepared_query(READ_ONLY, [], "setting", ops)
            else:
                self._plain(b"BEGIN READ ONLY" if self.readonly else b"BEGIN", ops)
        for sql, values in queued:
            self._prepared_query(sql, values, "query", ops)
        if self.ended and not implicit:
            self._plain(b"ROLLBACK" if self.rollback else b"COMMIT", ops)
        return ops

    def _prepared_query(self, sql: str, values: list[Any], kind: str, ops: list[tuple[str, Any]]) -> None:
        """Send ``sql`` under our name for it on this connection, preparing it first on its first use."""
        name = self._prepared.get(sql)
        if name is None:
            name = f"docbase_{next(_NAMES)}".encode()
            self.pgconn.send_prepare(name, sql.encode())
            ops.append(("prepare", (sql, name)))
        self.pgconn.send_query_prepared(name, values)
        ops.append((kind, None))

    def _plain(self, sql: bytes, ops: list[tuple[str, Any]]) -> None:
        self.pgconn.send_query_params(sql, None)
        ops.append(("plain", None))

    async def _sync(self, raise_first: bool = True) -> list[list[tuple]]:
        """Send a Sync, read every answer up to it; the rows of each query in order, or the first refusal."""
        from psycopg import errors
        from psycopg.adapt import Transformer
        from psycopg.pq import ExecStatus

        ops = self._send()
        pgconn = self.pgconn
        pgconn.pipeline_sync()
        try:
            while pgconn.flush():
                await self._ready(writing=True)
            got: list[Any] = []
            while True:
                if pgconn.is_busy():
                    await self._ready()
                    pgconn.consume_input()
                    continue
                result = pgconn.get_result()
                if result is None:
                    continue
                if result.status == ExecStatus.PIPELINE_SYNC:
                    break
                got.append(result)
        except BaseException:
            self.broken = True
            await self._discard()
            raise
        rows: list[list[tuple]] = []
        refusal: BaseException | None = None
        for (kind, what), result in zip(ops, got, strict=False):
            if result.status == ExecStatus.FATAL_ERROR and refusal is None:
                refusal = errors.error_from_result(result, encoding=self.conn.info.encoding)
            if kind == "prepare" and result.status == ExecStatus.COMMAND_OK:
                sql, name = what
                self._prepared[sql] = name
            elif kind == "query":
                if result.status == ExecStatus.TUPLES_OK and refusal is None:
                    loader = Transformer(self.conn)
                    loader.set_pgresult(result)
                    rows.append(loader.load_rows(0, result.ntuples, tuple))
                else:
                    rows.append([])
        if refusal is not None and raise_first:
            from .pipelined import translated

            raise translated(refusal)
        return rows

    async def _ready(self, writing: bool = False) -> None:
        """Wait until libpq's socket can be written (``writing``) or read, on the running loop."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = self.pgconn.socket
        watch, unwatch = (loop.add_writer, loop.remove_writer) if writing else (loop.add_reader, loop.remove_reader)
        watch(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            unwatch(fd)

    async def _discard(self) -> None:
        """A connection left mid-pipeline (a cancelled wait) or holding too much: closed, never pooled again."""
        try:
            await self.conn.close()
        except Exception:  # closing a broken connection: nothing more to do
            pass
