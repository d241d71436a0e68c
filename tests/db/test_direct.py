"""Reads straight through libpq's pipeline (docbase.db.direct): the same answers, refusals and clean connections.

A pool of one connection makes every request below reuse the connection the
one before it left: a refusal, a cancelled wait or a statement prepared on
the connection must leave nothing the next transaction sees.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import psycopg
import pytest

from docbase.db.direct import DirectTx
from docbase.db.errors import DbError
from docbase.db.infinity import infinite_datetime
from docbase.db.pipelined import PipelinePool, pipelined

pytestmark = pytest.mark.pg

CLAIMS = "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)"


@pytest.fixture
async def pool(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body jsonb, at timestamptz)")
        conn.execute("""INSERT INTO notes VALUES (1, '{"a": 1.50}', '2024-01-02 03:04:05+00'), (2, NULL, 'infinity')""")
    one = PipelinePool(pg_url, 5000, size=1)
    yield one
    await one.close()


async def _read(pool: PipelinePool, sql: str, params: list) -> list[tuple]:
    async with pipelined(pool, readonly=True) as tx:
        assert isinstance(tx, DirectTx)
        await tx.configure(CLAIMS, ["postgres", '{"sub": "x"}'])
        return await tx.rows(sql, params, last=True)


async def test_a_read_answers_with_the_values_psycopg_gives(pool):
    sql = (
        "SELECT id, body, CASE WHEN id = 1 THEN at END, isfinite(at), current_setting('request.jwt.claims') FROM notes"
    )
    rows = await _read(pool, sql + " ORDER BY id", [])
    assert rows == [
        (1, '{"a": 1.50}', dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), True, '{"sub": "x"}'),
        (2, None, None, False, '{"sub": "x"}'),
    ]  # jsonb as the text PostgreSQL sent (the read pool's loader), the rest as psycopg loads them
    # parameters of every kind the API binds, the infinity among them
    found = await _read(pool, "SELECT id FROM notes WHERE at = $1 OR id = $2", [infinite_datetime(1, True), 1])
    assert sorted(found) == [(1,), (2,)]


async def test_settings_are_the_transaction_s_only_and_statements_are_prepared_once(pool):
    for _ in range(3):
        assert await _read(pool, "SELECT id FROM notes WHERE id = $1", [1]) == [(1,)]
    async with pool.connection() as conn:
        assert (await (await conn.execute("SELECT current_setting('request.jwt.claims', true)")).fetchone()) in (
            (None,),
            ("",),
        )
        prepared = await (
            await conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'docbase%'")
        ).fetchone()
        assert prepared == (3,)  # read-only, the claims and the read, each once on this one connection


async def test_a_read_of_one_round_trip_still_cannot_write(pool):
    # sent without BEGIN READ ONLY (an implicit transaction up to the Sync): read-only all the same
    with pytest.raises(DbError) as refused:
        await _read(pool, "INSERT INTO notes (id) VALUES ($1) RETURNING id", [3])
    assert refused.value.code == "25006"
    assert await _read(pool, "SELECT count(*) FROM notes", []) == [(2,)]


async def _write(pool: PipelinePool, sql: str, params: list, rollback: bool = False) -> list[tuple]:
    async with pipelined(pool, readonly=False) as tx:
        tx.rollback = rollback
        await tx.configure(CLAIMS, ["postgres", '{"sub": "w"}'])
        return await tx.rows(sql, params, last=True)


async def test_a_write_of_one_round_trip_commits_or_rolls_back_as_asked(pool):
    claims = "current_setting('request.jwt.claims')"
    assert await _write(pool, f"INSERT INTO notes (id, body) VALUES ($1, to_jsonb({claims})) RETURNING id", [3]) == [
        (3,)
    ]
    assert await _write(pool, "INSERT INTO notes (id) VALUES ($1) RETURNING id", [4], rollback=True) == [(4,)]
    with pytest.raises(DbError) as duplicate:  # a refused write of one round trip leaves nothing half-done
        await _write(pool, "INSERT INTO notes (id) VALUES ($1), ($2) RETURNING id", [5, 1])
    assert duplicate.value.code == "23505"
    assert await _read(pool, "SELECT id, body FROM notes WHERE id > 2 ORDER BY id", []) == [
        (3, '"{\\"sub\\": \\"w\\"}"')
    ]
    async with pool.connection() as conn:  # the claims ended with the write's transaction
        setting = await (await conn.execute("SELECT current_setting('request.jwt.claims', true)")).fetchone()
        assert setting in ((None,), ("",))


async def test_a_refusal_is_raised_and_leaves_the_connection_clean(pool):
    with pytest.raises(DbError) as refused:
        await _read(pool, "SELECT id FROM notes WHERE id = $1::int", ["not a number"])
    assert refused.value.code == "22P02"
    with pytest.raises(DbError) as missing:
        await _read(pool, "SELECT * FROM nowhere", [])
    assert missing.value.code == "42P01"
    assert await _read(pool, "SELECT count(*) FROM notes", []) == [(2,)]
    assert len(pool) == 1  # the same connection, back in the pool idle


async def test_a_cancelled_read_never_returns_its_connection_to_the_pool(pool):
    task = asyncio.create_task(_read(pool, "SELECT pg_sleep(5), $1::text", [str(uuid.uuid4())]))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = asyncio.get_running_loop().time()
    assert await _read(pool, "SELECT id FROM notes ORDER BY id", []) == [(1,), (2,)]
    assert asyncio.get_running_loop().time() - started < 3  # a fresh connection, not the one still sleeping


async def test_a_connection_past_its_prepared_bound_finishes_its_transaction_first(pool, monkeypatch):
    """The bound on prepared statements retires a connection after its transaction, never in the middle."""
    monkeypatch.setattr("docbase.db.direct.PREPARED_MAX", 2)
    async with pipelined(pool, readonly=True) as tx:
        await tx.configure(CLAIMS, ["postgres", "{}"])
        assert await tx.rows("SELECT 1", []) == [(1,)]
        assert await tx.rows("SELECT 2", []) == [(2,)]  # the third statement prepared: past the bound
        assert await tx.rows("SELECT 3", [], last=True) == [(3,)]
    assert len(pool) == 0  # retired, not pooled
    assert await _read(pool, "SELECT count(*) FROM notes", []) == [(2,)]


async def test_a_nul_in_a_text_value_is_the_caller_s_error_and_the_connection_stays(pool):
    # psycopg refuses it while dumping, before anything is sent; the server refuses it the same way (asyncpg)
    with pytest.raises(DbError) as refused:
        await _read(pool, "SELECT id FROM notes WHERE body->>'a' = $1::text", ["a\x00b"])
    assert (refused.value.status, refused.value.code) == (400, "22021")
    assert await _read(pool, "SELECT count(*) FROM notes", []) == [(2,)]
    assert len(pool) == 1
