"""A reconnecting supabase-py client misses nothing: what committed while its socket was down comes on rejoin.

The client is the official one, unchanged: when its socket dies it reconnects and sends the same join again.
The test holds that reconnect back for a moment (a network outage) and writes meanwhile, through /rest/v1 and
through a connection of its own; after the rejoin the subscriber has every change it may read, once, in order.
"""

from __future__ import annotations

import asyncio

import pytest

from docbase import dburl

from .conftest import wait_for
from .test_python_client import listen, seen

pytestmark = pytest.mark.slow


async def _outage(client):
    """Close the client's socket under it and hold its automatic reconnect until the returned event is set."""
    rt = client.realtime
    back = asyncio.Event()
    reconnect = rt.connect

    async def later() -> None:
        await back.wait()
        await reconnect()

    rt.connect = later
    await rt._ws_connection.close()
    return back


async def test_a_rejoin_receives_what_committed_while_the_socket_was_down(world):
    alice, got = await listen(world, "alice", table="notes")
    statuses: list = []
    try:
        world.rest("POST", "/rest/v1/notes", json=world.note(1, world.org_a, "before"))
        await wait_for(lambda: len(got) >= 1)
        back = await _outage(alice)
        await asyncio.sleep(1.0)  # the server has seen the socket go
        world.rest("POST", "/rest/v1/notes", json=world.note(2, world.org_a, "while-down-rest"))
        world.direct("INSERT INTO notes (id, organization_id, title) VALUES (?, ?, ?)", (3, world.org_a, "direct"))
        world.rest("POST", "/rest/v1/notes", json=world.note(4, world.org_b, "other tenant"))
        world.rest("PATCH", "/rest/v1/notes?id=eq.2", json={"n": 9})
        await asyncio.sleep(0.5)
        back.set()
        channel = next(iter(alice.realtime.channels.values()))
        await wait_for(lambda: channel.is_joined and len(got) >= 4, state=lambda: seen(got))
        world.rest("POST", "/rest/v1/notes", json=world.note(5, world.org_a, "after"))
        await wait_for(lambda: len(got) >= 5, state=lambda: seen(got))
        await asyncio.sleep(0.5)  # nothing more (no duplicate) is on its way
        statuses.append(channel.is_joined)
    finally:
        await alice.realtime.close()
    assert seen(got) == [("INSERT", 1), ("INSERT", 2), ("INSERT", 3), ("UPDATE", 2), ("INSERT", 5)]
    assert got[3]["data"]["record"]["n"] == 9
    assert statuses == [True]


async def test_a_channel_left_on_purpose_is_not_caught_up(world):
    """phx_leave (unsubscribe) forgets the subscription: the same join later starts from that join.

    A guard against replaying too much (the old code replayed nothing, so it passes there too)."""
    first, _ = await listen(world, "alice", table="notes")
    channel = next(iter(first.realtime.channels.values()))
    await channel.unsubscribe()
    await first.realtime.close()
    world.rest("POST", "/rest/v1/notes", json=world.note(1, world.org_a, "while-away"))
    await asyncio.sleep(0.5)
    again, got = await listen(world, "alice", table="notes")  # the same token, topic and bindings
    try:
        world.rest("POST", "/rest/v1/notes", json=world.note(2, world.org_a, "after"))
        await wait_for(lambda: len(got) >= 1, state=lambda: seen(got))
        await asyncio.sleep(0.5)
    finally:
        await again.realtime.close()
    assert seen(got) == [("INSERT", 2)]


async def test_slow_transactions_reach_a_rejoined_subscriber_whenever_they_commit(world):
    """PostgreSQL takes a change's id before its transaction commits: two slow transactions hold ids below one
    the subscriber has already received when its socket drops. One commits while it is down (it comes with the
    catch-up), the other after the rejoin (it comes live): nothing is lost, nothing comes twice."""
    parsed = dburl.parse(world.url)
    if parsed.dialect != "postgresql":
        pytest.skip("SQLite takes ids in commit order (one writer): no change can show up late there")
    import psycopg

    alice, got = await listen(world, "alice", table="notes")
    slow = [psycopg.connect(parsed.libpq()), psycopg.connect(parsed.libpq())]
    try:
        for conn, (i, title) in zip(slow, ((1, "slow-1"), (2, "slow-2")), strict=True):
            conn.execute("INSERT INTO notes (id, organization_id, title) VALUES (%s, %s, %s)", (i, world.org_a, title))
        world.rest("POST", "/rest/v1/notes", json=world.note(3, world.org_a, "quick"))
        await wait_for(lambda: len(got) >= 1, state=lambda: seen(got))
        back = await _outage(alice)
        await asyncio.sleep(1.0)  # the server has seen the socket go
        slow[0].commit()
        await asyncio.sleep(0.3)
        back.set()
        channel = next(iter(alice.realtime.channels.values()))
        await wait_for(lambda: channel.is_joined and len(got) >= 2, state=lambda: seen(got))
        slow[1].commit()
        await wait_for(lambda: len(got) >= 3, state=lambda: seen(got))
        world.rest("POST", "/rest/v1/notes", json=world.note(4, world.org_a, "after"))
        await wait_for(lambda: len(got) >= 4, state=lambda: seen(got))
        await asyncio.sleep(0.5)  # nothing more (no duplicate) is on its way
    finally:
        for conn in slow:
            conn.close()
        await alice.realtime.close()
    assert seen(got) == [("INSERT", 3), ("INSERT", 1), ("INSERT", 2), ("INSERT", 4)]
