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

``configure`` never waits; ``rows(.., last=True)`` sends the COMMIT (or,
for ``Prefer: tx=rollback``, the ROLLBACK) with the statement, so a request
of one statement is one round trip; a refusal is raised as DbError once
every answer up to the Sync is read. Writes take the same path (their pool's
loaders give values as asyncpg does). psycopg's own pipeline forgot its
prepared statements after a ROLLBACK (3.3), so rolled-back writes had to go
to asyncpg; the names here are docbase's and a ROLLBACK keeps them.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

_NAMES = itertools.count()
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
        self._ops: list[tuple[str, Any]] = []  # what each result to come answers: (kind, statement or name)
        prepared = getattr(conn, "_docbase_prepared", None)
        if prepared is None:
            prepared = {}
            conn._docbase_prepared = prepared
        self._prepared: dict[str, bytes] = prepared

    async def open(self, readonly: bool) -> None:
        self.pgconn.enter_pipeline_mode()
        self._plain(b"BEGIN READ ONLY" if readonly else b"BEGIN")

    async def configure(self, sql: str, params: list[Any]) -> None:
        self._open()
        self._query(sql, params)

    async def rows(self, sql: str, params: list[Any], last: bool = False) -> list[tuple]:
        self._open()
        wanted = self._query(sql, params)
        if last:
            self.ended = True
            self._plain(b"ROLLBACK" if self.rollback else b"COMMIT")
        results = await self._sync()
        return results[wanted]

    async def value(self, sql: str, params: list[Any], last: bool = False) -> Any:
        rows = await self.rows(sql, params, last)
        return rows[0][0] if rows else None

    async def end(self) -> None:
        if not self.ended:
            self.ended = True
            self._plain(b"ROLLBACK" if self.rollback else b"COMMIT")
            await self._sync()

    async def close(self, error: BaseException | None = None) -> None:
        """Leave pipeline mode with every answer read; on an error, whatever is still queued is read and dropped."""
        if self.broken:
            return
        try:
            if self._ops:
                await self._sync(raise_first=error is None)
        finally:
            if not self.broken and self.pgconn.pipeline_status:
                self.pgconn.exit_pipeline_mode()
            if not self.broken and len(self._prepared) > PREPARED_MAX:
                self.broken = True  # past the bound, a new connection is cheaper than tracking its statements
                await self._discard()

    def _open(self) -> None:
        if self.ended:
            raise RuntimeError("a statement after the one sent as the transaction's last")

    def _plain(self, sql: bytes) -> None:
        self.pgconn.send_query_params(sql, None)
        self._ops.append(("plain", None))

    def _query(self, sql: str, params: list[Any]) -> int:
        """Queue ``sql`` (prepared under our name on first use); the index its rows will have in ``_sync``'s list."""
        from psycopg.adapt import PyFormat, Transformer

        # text, with no type: the server types each parameter from the statement (every compiled statement
        # casts its own, ``$1::INTEGER``), so one prepared statement serves any Python value, None included
        values = Transformer(self.conn).dump_sequence(params, [PyFormat.TEXT] * len(params)) if params else []
        name = self._prepared.get(sql)
        if name is None:
            name = f"docbase_{next(_NAMES)}".encode()
            self.pgconn.send_prepare(name, sql.encode())
            self._ops.append(("prepare", (sql, name)))
        self.pgconn.send_query_prepared(name, values)
        self._ops.append(("query", None))
        return sum(1 for kind, _ in self._ops if kind == "query") - 1

    async def _sync(self, raise_first: bool = True) -> list[list[tuple]]:
        """Send a Sync, read every answer up to it; the rows of each query in order, or the first refusal."""
        from psycopg import errors
        from psycopg.adapt import Transformer
        from psycopg.pq import ExecStatus

        ops, self._ops = self._ops, []
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
