"""Presence across processes: two ``docbase serve`` on one database (one SQLite file, or one PostgreSQL).

Alice's socket is on the first process, Vera's on the second; each sees the other's track and untrack as
join and leave diffs through supabase-py, and when the first process dies without a word, Vera sees Alice
leave once the worker's heartbeat is overdue.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from supabase import acreate_client

from ..api.test_serve import Server
from .conftest import DOC, TOML, make_world, wait_for

pytestmark = pytest.mark.slow


async def _client(server, token):
    client = await acreate_client(server.base, server.anon_key)
    await client.realtime.set_auth(token)
    return client


async def _lobby(client, key: str, joins: list, leaves: list):
    channel = client.channel("lobby", {"config": {"presence": {"key": key}}})
    channel.on_presence_join(lambda k, current, new: joins.append(k))
    channel.on_presence_leave(lambda k, current, left: leaves.append(k))
    done = asyncio.Event()
    await channel.subscribe(lambda s, e: done.set() if s.value == "SUBSCRIBED" else None)
    await asyncio.wait_for(done.wait(), 10)
    return channel


async def test_presence_is_shared_between_processes_and_a_dead_one_times_out(tmp_path, db_url):
    servers = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "docbase.toml").write_text(TOML)
        server = Server(tmp_path / name, db_url, document=DOC)
        server.start()
        servers.append(server)
    first, second = servers
    clients = []
    try:
        world = make_world(first, db_url)
        alice = await _client(first, world.tokens["alice"])
        vera = await _client(second, world.tokens["vera"])
        clients = [alice, vera]
        a_joins, a_leaves, v_joins, v_leaves = [], [], [], []
        a = await _lobby(alice, "alice", a_joins, a_leaves)
        v = await _lobby(vera, "vera", v_joins, v_leaves)
        await a.track({"status": "online"})
        await wait_for(lambda: "alice" in v.presence_state(), state=lambda: v.presence_state())
        assert v.presence_state()["alice"][0]["status"] == "online"
        await v.track({"status": "away"})
        await wait_for(lambda: "vera" in a.presence_state(), state=lambda: a.presence_state())
        await a.untrack()
        await wait_for(lambda: "alice" not in v.presence_state())
        await a.track({"status": "back"})
        await wait_for(lambda: "alice" in v.presence_state())
        os.killpg(first.proc.pid, signal.SIGKILL)  # no leave row, no goodbye: only the heartbeat stops
        first.proc.wait(timeout=10)
        await wait_for(lambda: "alice" not in v.presence_state(), timeout=60, state=lambda: v.presence_state())
    finally:
        for client in clients:
            await client.realtime.close()
        for server in servers:
            server.stop()
    others = lambda seen, me: [k for k in seen if k != me]  # noqa: E731 - each also sees its own track
    assert others(v_joins, "vera") == ["alice", "alice"] and v_leaves == ["alice", "alice"]
    assert others(a_joins, "alice") == ["vera"]
