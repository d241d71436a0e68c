"""The stream of committed changes each worker reads from ``_docbase_changes`` (docbase.ddl.capture).

Every worker reads the whole table in id order and hands each row to the hub, so
N workers on one machine (SQLite) or on any number of hosts (PostgreSQL) each
deliver every change once to their own subscribers.

SQLite: polled on the worker's own connection every ``realtime_poll_ms`` while
anyone listens (WAL readers never wait for the writer).
PostgreSQL: ``LISTEN docbase_changes`` on one dedicated connection; a
notification only says "look" and the rows are read from the table. A bigserial
id is taken before commit, so a later id can commit first: ids skipped over are
remembered and looked for again for ``GAP_SECONDS`` before they count as rolled
back, so a slow transaction's change is still delivered, in the order it shows up.

The same table carries what workers tell each other: broadcasts (``op = 'BROADCAST'``),
catch-up marks (``RESUME``/``RESUMED``, docbase.realtime.resume, which a starting
worker reads from the past) and presence (``PRESENCE``, docbase.realtime.presence).
Rows older than ``realtime_retention_seconds`` are deleted now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from .. import dburl
from ..db.connections import pg_connect, sqlite_connect
from ..ddl import capture

log = logging.getLogger("docbase.realtime")
GAP_SECONDS = 10.0
BATCH = 500
PURGE_EVERY = 60.0
CONTROL = "('RESUME', 'RESUMED')"  # rows a starting worker reads from the past (presence asks: hello)


@dataclass
class Change:
    id: int
    table: str
    op: str  # INSERT UPDATE DELETE BROADCAST
    record: dict[str, Any] | None
    old: dict[str, Any] | None
    at: str  # commit_timestamp, ISO 8601 UTC
    soft: bool = False  # a DELETE or INSERT that was an UPDATE of the soft-delete mark (the row stays)


Handler = Callable[[Change], Awaitable[None]]


def _load(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        value = orjson.loads(value)
    return value if isinstance(value, dict) else None


def _iso(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value)


class Feed:
    """Reads changes in order and calls ``handler`` for each; ``publish`` appends a broadcast row."""

    def __init__(self, schema: Any, url: str, handler: Handler, poll_ms: int, retention_s: int) -> None:
        self.schema, self.url, self.handler = schema, url, handler
        self.poll = max(poll_ms, 5) / 1000
        self.retention = retention_s
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()
        self.wake = asyncio.Event()
        self.last = 0
        self.gaps: dict[int, float] = {}  # ids skipped over and not yet seen -> when first missed (PostgreSQL)

    @property
    def pending(self) -> set[int]:
        """Ids below ``last`` that may still commit (a slow transaction's), for catch-up to wait for."""
        return set(self.gaps)

    async def start(self) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.ready.wait(), 30)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
            self.task = None

    async def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def publish(self, topic: str, record: dict[str, Any]) -> None:
        await self.publish_control(topic, "BROADCAST", record)

    async def publish_control(self, tbl: str, op: str, record: dict[str, Any]) -> None:  # pragma: no cover
        """Append a row the workers tell each other through (BROADCAST, RESUME, RESUMED, PRESENCE)."""
        raise NotImplementedError

    async def read(self, low: int, high: int) -> list[Change]:  # pragma: no cover - overridden
        """Up to ``BATCH`` changes with ``low < id <= high``, in id order (a reconnecting client's catch-up)."""
        raise NotImplementedError

    async def read_ids(self, ids: list[int]) -> list[Change]:  # pragma: no cover - overridden
        """The changes among ``ids`` that have committed, in id order (late ones a dropped client waited for)."""
        raise NotImplementedError

    async def _deliver(self, changes: list[Change]) -> None:
        for change in changes:
            try:
                await self.handler(change)
            except Exception:  # one bad change must not stop the stream for everyone
                log.exception("realtime: delivering change %s failed", change.id)


class SqliteFeed(Feed):
    def _connect(self) -> sqlite3.Connection:
        return sqlite_connect(self.url)

    def install(self, conn: sqlite3.Connection) -> None:
        """Create the change table and bring every capture trigger up to the table's current columns."""
        wanted = capture.capture_statements(self.schema, "sqlite")
        have = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(wanted[0])
            for drop, create in capture.outdated_triggers(wanted, have):
                conn.execute(drop)
                conn.execute(create)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def _run(self) -> None:
        conn = self._connect()
        try:
            self.install(conn)
            self.last = conn.execute(f"SELECT coalesce(max(id), 0) FROM {capture.CHANGES}").fetchone()[0]
            rows = conn.execute(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} WHERE op IN {CONTROL} ORDER BY id"
            ).fetchall()
            await self._deliver([Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5]) for r in rows])
            self.ready.set()
            purged = time.monotonic()
            while True:
                rows = conn.execute(
                    f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} WHERE id > ? ORDER BY id LIMIT ?",
                    (self.last, BATCH),
                ).fetchall()
                if rows:
                    self.last = rows[-1][0]
                    await self._deliver([Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5]) for r in rows])
                    if len(rows) == BATCH:
                        continue
                if time.monotonic() - purged > PURGE_EVERY:
                    purged = time.monotonic()
                    self._purge(conn)
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll)
        finally:
            conn.close()

    def _purge(self, conn: sqlite3.Connection) -> None:
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute(
                f"DELETE FROM {capture.CHANGES} WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)",
                (f"-{self.retention} seconds",),
            )

    async def publish_control(self, tbl: str, op: str, record: dict[str, Any]) -> None:
        conn = self._writer()
        conn.execute(
            f"INSERT INTO {capture.CHANGES} (tbl, op, record) VALUES (?, ?, ?)",
            (tbl, op, orjson.dumps(record).decode()),
        )
        self.wake.set()

    async def read(self, low: int, high: int) -> list[Change]:
        rows = (
            self._writer()
            .execute(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} "
                "WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                (low, high, BATCH),
            )
            .fetchall()
        )
        return [Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5]) for r in rows]

    async def read_ids(self, ids: list[int]) -> list[Change]:
        marks = ", ".join("?" for _ in ids[:BATCH])
        rows = (
            self._writer()
            .execute(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} WHERE id IN ({marks}) ORDER BY id",
                ids[:BATCH],
            )
            .fetchall()
            if ids
            else []
        )
        return [Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5]) for r in rows]

    def _writer(self) -> sqlite3.Connection:
        if getattr(self, "_write_conn", None) is None:
            self._write_conn = self._connect()
        return self._write_conn


class PgFeed(Feed):
    async def _connect(self) -> Any:
        return await pg_connect(self.url)

    async def install(self, conn: Any) -> None:
        """Create the change table, the trigger function and any missing trigger, one worker at a time."""
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('docbase_capture'))")
            have = {
                r[0]
                for r in await conn.fetch(
                    "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                )
            }
            statements = capture.capture_statements(self.schema, "postgresql")
            for sql in statements[:3]:
                await conn.execute(sql)
            for table in self.schema.tables:
                if capture.trigger_names(table.name)[0] not in have:
                    for sql in capture.pg_trigger(table):
                        await conn.execute(sql)

    async def _run(self) -> None:
        conn = await self._connect()
        self._conn = conn
        self._lock = asyncio.Lock()
        try:
            await self.install(conn)
            await conn.add_listener(capture.CHANNEL, lambda *_: self.wake.set())
            self.last = await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {capture.CHANGES}")
            rows = await conn.fetch(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} "
                f"WHERE op IN {CONTROL} AND id <= $1 ORDER BY id",
                self.last,
            )
            await self._deliver([Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), _iso(r[5])) for r in rows])
            self.ready.set()
            gaps = self.gaps
            purged = time.monotonic()
            while True:
                self.wake.clear()
                low = min(gaps) - 1 if gaps else self.last
                async with self._lock:
                    rows = await conn.fetch(
                        f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} "
                        "WHERE id > $1 ORDER BY id LIMIT $2",
                        low,
                        BATCH,
                    )
                fresh = []
                for r in rows:
                    rid = r[0]
                    if rid <= self.last and rid not in gaps:
                        continue
                    gaps.pop(rid, None)
                    if rid > self.last:
                        now = time.monotonic()
                        gaps.update({g: now for g in range(self.last + 1, rid) if rid - self.last < 10_000})
                        self.last = rid
                    fresh.append(Change(rid, r[1], r[2], _load(r[3]), _load(r[4]), _iso(r[5])))
                await self._deliver(fresh)
                now = time.monotonic()
                for g in [g for g, t in gaps.items() if now - t > GAP_SECONDS]:
                    del gaps[g]
                if len(rows) == BATCH:
                    continue
                if now - purged > PURGE_EVERY:
                    purged = now
                    async with self._lock:
                        await conn.execute(
                            f"DELETE FROM {capture.CHANGES} WHERE at < now() - make_interval(secs => $1)",
                            float(self.retention),
                        )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), 1.0 if gaps else 5.0)
        finally:
            await conn.close()

    async def publish_control(self, tbl: str, op: str, record: dict[str, Any]) -> None:
        async with self._lock:
            await self._conn.execute(
                f"WITH c AS (INSERT INTO {capture.CHANGES} (tbl, op, record) VALUES ($1, $2, $3::jsonb) "
                f"RETURNING id) SELECT pg_notify('{capture.CHANNEL}', id::text) FROM c",
                tbl,
                op,
                orjson.dumps(record).decode(),
            )

    async def read(self, low: int, high: int) -> list[Change]:
        async with self._lock:
            rows = await self._conn.fetch(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} "
                "WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
                low,
                high,
                BATCH,
            )
        return [Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), _iso(r[5])) for r in rows]

    async def read_ids(self, ids: list[int]) -> list[Change]:
        if not ids:
            return []
        async with self._lock:
            rows = await self._conn.fetch(
                f"SELECT id, tbl, op, record, old_record, at FROM {capture.CHANGES} "
                "WHERE id = ANY($1::bigint[]) ORDER BY id",
                ids[:BATCH],
            )
        return [Change(r[0], r[1], r[2], _load(r[3]), _load(r[4]), _iso(r[5])) for r in rows]


def make_feed(schema: Any, url: str, handler: Handler, poll_ms: int, retention_s: int) -> Feed:
    kind = PgFeed if dburl.parse(url).dialect == "postgresql" else SqliteFeed
    return kind(schema, url, handler, poll_ms, retention_s)
