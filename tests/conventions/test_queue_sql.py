"""Job queue RPCs against real databases: claim order, exactly-once under 8 workers, retries with backoff."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from docbase.api.db import connect
from docbase.api.errors import ApiError
from docbase.conventions import job_queue, queue_sql, rpc
from docbase.conventions.errors import ConventionError
from docbase.conventions.runtime import Conventions
from docbase.conventions.sqltext import as_datetime

from .helpers import QUEUE_DOC, migrated


async def _insert(db, rows):
    for payload, priority in rows:  # one transaction each, so created_at tells them apart
        async with db.transaction() as tx:
            sql = "INSERT INTO jobs (payload, priority) VALUES (?, ?)"
            if db.dialect == "postgresql":
                sql = "INSERT INTO jobs (payload, priority) VALUES ($1, $2)"
            await tx.rows(sql, [payload, priority])


def _conv(schema, db):
    return Conventions(schema, db.dialect)


async def test_claim_takes_highest_priority_then_oldest_and_marks_running(db_url):
    schema = migrated(QUEUE_DOC, db_url)
    db = connect(db_url)
    await _insert(db, [("low", 0), ("high", 5), ("low2", 0)])
    conv = _conv(schema, db)
    first = await rpc.call(conv, db, "claim_jobs", {}, "service_role")
    second = await rpc.call(conv, db, "claim_jobs", {}, "service_role")
    assert (first["payload"], first["status"]) == ("high", "running")
    assert first["started_at"] is not None
    assert second["payload"] == "low"
    await rpc.call(conv, db, "claim_jobs", {}, "service_role")
    assert await rpc.call(conv, db, "claim_jobs", {}, "service_role") is None
    await db.close()


async def test_fail_backs_off_then_gives_up_at_max_retries(db_url):
    schema = migrated(QUEUE_DOC, db_url)
    db = connect(db_url)
    await _insert(db, [("flaky", 0)])
    conv = _conv(schema, db)
    job = await rpc.call(conv, db, "claim_jobs", {}, "service_role")
    failed = await rpc.call(conv, db, "fail_jobs", {"id": str(job["id"]), "error": "boom"}, "service_role")
    assert failed["status"] == "queued" and failed["retries"] == 1 and failed["error_message"] == "boom"
    assert as_datetime(failed["backoff_until"]) > datetime.now(UTC)
    # Backing off: nothing is due yet.
    assert await rpc.call(conv, db, "claim_jobs", {}, "service_role") is None
    for attempt in (2, 3):
        await _make_due(db)
        job = await rpc.call(conv, db, "claim_jobs", {}, "service_role")
        failed = await rpc.call(conv, db, "fail_jobs", {"id": str(job["id"])}, "service_role")
        assert failed["retries"] == attempt
    assert failed["status"] == "failed"
    await db.close()


async def _make_due(db):
    async with db.transaction() as tx:
        await tx.rows("UPDATE jobs SET backoff_until = NULL", [])


async def test_complete_and_bad_calls(db_url):
    schema = migrated(QUEUE_DOC, db_url)
    db = connect(db_url)
    await _insert(db, [("a", 0)])
    conv = _conv(schema, db)
    job = await rpc.call(conv, db, "claim_jobs", {}, "service_role")
    done = await rpc.call(conv, db, "complete_jobs", {"id": str(job["id"])}, "service_role")
    assert done["status"] == "completed" and done["finished_at"] is not None
    cases = [
        ("complete_jobs", {"id": str(job["id"])}, 409),  # replayed: no longer running
        ("complete_jobs", {"id": "00000000-0000-4000-8000-000000000000"}, 404),
        ("complete_jobs", {"id": "not-a-uuid"}, 400),
        ("fail_jobs", {"id": [1]}, 400),
        ("fail_jobs", {}, 400),
        ("claim_nothing", {}, 404),
    ]
    for name, body, status in cases:
        with pytest.raises(ConventionError) as info:
            await rpc.call(conv, db, name, body, "service_role")
        assert info.value.status == status, (name, body, info.value.message)
    with pytest.raises(ConventionError) as info:
        await rpc.call(conv, db, "claim_jobs", {}, "anon")
    assert info.value.status == 401
    await db.close()


def test_backoff_grows_exponentially_with_bounded_jitter():
    import random

    rng = random.Random(1)
    delays = [queue_sql.backoff(n, rng) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        base = 2.0 * 2 ** (n - 1)
        assert base <= delay <= base * 1.2
    assert queue_sql.backoff(40, rng) <= 3600 * 1.2


JOBS = 2000
WORKERS = 8


async def _drain(url: str, schema, claimed: list, pool_db=None) -> None:
    db = pool_db or connect(url)
    conv = Conventions(schema, db.dialect)
    while True:
        job = await _retrying(rpc.call, conv, db, "claim_jobs", {}, "service_role")
        if job is None:
            break
        claimed.append(str(job["id"]))
        await _retrying(rpc.call, conv, db, "complete_jobs", {"id": str(job["id"])}, "service_role")
    if pool_db is None:
        await db.close()


async def _retrying(fn, *args):
    """What a worker does on 503 / SQLITE_BUSY: wait a moment and try again (the transaction rolled back).

    No retry budget: how often a worker meets a busy database depends on the machine's speed, not on
    correctness; that every job is claimed exactly once is what the test asserts.
    """
    while True:
        try:
            return await fn(*args)
        except (sqlite3.OperationalError, ApiError) as exc:
            if "locked" not in str(exc) and getattr(exc, "status", 0) != 503:
                raise
            await asyncio.sleep(0.01)


async def _fill(url: str) -> None:
    db = connect(url)
    async with db.transaction() as tx:
        sql = "INSERT INTO jobs (payload, priority) VALUES (?, ?)"
        if db.dialect == "postgresql":
            sql = sql.replace("?, ?", "$1, $2")
        for i in range(JOBS):
            await tx.rows(sql, [f"job {i}", i % 7])
    await db.close()


def test_eight_workers_drain_two_thousand_jobs_each_exactly_once(db_url):
    schema = migrated(QUEUE_DOC, db_url)
    asyncio.run(_fill(db_url))
    claimed: list[str] = []
    if db_url.startswith("sqlite"):
        # Separate connections in separate threads: SQLite's locking, not the event loop, keeps them apart.
        threads = [
            threading.Thread(target=lambda: asyncio.run(_drain(db_url, schema, claimed))) for _ in range(WORKERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        # One pool, eight concurrent tasks: eight connections racing for rows (SKIP LOCKED).
        async def race():
            db = connect(db_url)
            await asyncio.gather(*(_drain(db_url, schema, claimed, db) for _ in range(WORKERS)))
            await db.close()

        asyncio.run(race())
    assert len(claimed) == JOBS
    assert len(set(claimed)) == JOBS

    async def statuses():
        db = connect(db_url)
        async with db.transaction() as tx:
            rows = await tx.rows("SELECT status, count(*) FROM jobs GROUP BY status", [])
        await db.close()
        return {str(s): n for s, n in rows}

    assert asyncio.run(statuses()) == {"completed": JOBS}


def test_detected_roles_match_the_seed_shapes():
    from docbase.pipeline import build_schema

    schema = build_schema(QUEUE_DOC)
    (applied,) = job_queue.detect(schema)
    assert applied.role("waiting") == "queued" and applied.role("due") == "backoff_until"
