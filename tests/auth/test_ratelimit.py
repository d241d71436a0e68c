"""Sign-in failures are limited per email and per client address; the limit answers 429."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from docbase.auth import ratelimit
from docbase.auth.db import async_url
from docbase.auth.tables import auth_tables, create_auth_tables

from .conftest import make_harness


async def test_counters_count_within_a_window_and_reset_after(db_url):
    engine = create_async_engine(async_url(db_url))
    t = auth_tables(engine.dialect.name)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(create_auth_tables)
            assert [await ratelimit.hit(conn, t, "k", 300, 1_000.0) for _ in range(3)] == [1, 2, 3]
            assert await ratelimit.count(conn, t, "k", 300, 1_100.0) == 3
            assert await ratelimit.over(conn, t, ["other", "k"], 3, 300, 1_100.0)
            assert not await ratelimit.over(conn, t, ["k"], 4, 300, 1_100.0)
            assert await ratelimit.count(conn, t, "k", 300, 1_200.0) == 0
            assert await ratelimit.hit(conn, t, "k", 300, 1_200.0) == 1
            assert (await conn.execute(sa.select(sa.func.count()).select_from(t.rate_limits))).scalar() == 1
    finally:
        await engine.dispose()


async def test_too_many_failures_for_one_email_answer_429(db_url):
    h = await make_harness(db_url, rate_limit=3)
    try:
        await h.signup()
        for _ in range(3):
            assert (await h.login(password="wrong password")).status_code == 400
        r = await h.login()
        assert r.status_code == 429 and r.json()["error_code"] == "over_request_rate_limit"
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_failures_from_one_address_across_emails_answer_429(sqlite_url):
    h = await make_harness(sqlite_url, rate_limit=3)
    try:
        for i in range(3):
            assert (await h.login(email=f"guess{i}@example.com")).status_code == 400
        assert (await h.login(email="another@example.com")).status_code == 429
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_successful_sign_ins_are_not_counted(sqlite_url):
    h = await make_harness(sqlite_url, rate_limit=2)
    try:
        await h.signup()
        for _ in range(4):
            assert (await h.login()).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()
