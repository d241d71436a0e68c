"""Broadcast, presence and private channels with supabase-py, and two docbase processes sharing one stream."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from supabase import acreate_client

from ..api.test_serve import Server
from .conftest import wait_for

pytestmark = pytest.mark.slow


async def subscribe(channel, done, seen):
    """Subscribe and wait for the first status: (status, error)."""
    await channel.subscribe(lambda s, e: (seen.append((s.value, e)), done.set()))
    await asyncio.wait_for(done.wait(), 10)
    return seen[-1]


async def as_user(world, name: str):
    client = await acreate_client(world.server.base, world.server.anon_key)
    await client.realtime.set_auth(world.tokens[name])
    return client


async def test_private_channels_admit_only_the_tenants_members(world):
    alice, bob, bob2 = await as_user(world, "alice"), await as_user(world, "bob"), await as_user(world, "bob")
    try:
        got_alice, got_public = [], []
        a = alice.channel(world.org_a, {"config": {"private": True, "broadcast": {"self": True}}})
        a.on_broadcast("msg", got_alice.append)
        status, _ = await subscribe(a, asyncio.Event(), [])
        assert status == "SUBSCRIBED"
        public = bob.channel(world.org_a)  # the same name, not private: another channel
        public.on_broadcast("msg", got_public.append)
        assert (await subscribe(public, asyncio.Event(), []))[0] == "SUBSCRIBED"
        b = bob2.channel(world.org_a, {"config": {"private": True}})
        status, err = await subscribe(b, asyncio.Event(), [])
        assert status == "CHANNEL_ERROR" and "Unauthorized" in str(err)
        await a.send_broadcast("msg", {"secret": 1})
        r = httpx.post(
            f"{world.server.base}/realtime/v1/api/broadcast",
            headers={"apikey": world.server.anon_key, "Authorization": f"Bearer {world.tokens['bob']}"},
            json={"messages": [{"topic": world.org_a, "event": "msg", "payload": {"x": 1}, "private": True}]},
        )
        assert r.status_code == 403 and "Unauthorized" in r.json()["message"]
        r = httpx.post(
            f"{world.server.base}/realtime/v1/api/broadcast",
            headers={"apikey": world.server.service_key},
            json={"messages": [{"topic": world.org_a, "event": "msg", "payload": {"from": "server"}, "private": True}]},
        )
        assert r.status_code == 202
        await wait_for(lambda: len(got_alice) >= 2)
        await asyncio.sleep(0.3)
    finally:
        for client in (alice, bob, bob2):
            await client.realtime.close()
    assert [m["payload"] for m in got_alice] == [{"secret": 1}, {"from": "server"}]
    assert got_public == []


async def test_presence_sync_join_leave(world):
    alice, vera = await as_user(world, "alice"), await as_user(world, "vera")
    try:
        joins, leaves = [], []
        a = alice.channel("lobby", {"config": {"presence": {"key": "alice"}}})
        v = vera.channel("lobby", {"config": {"presence": {"key": "vera"}}})
        v.on_presence_join(lambda key, current, new: joins.append(key))
        v.on_presence_leave(lambda key, current, left: leaves.append(key))
        assert (await subscribe(v, asyncio.Event(), []))[0] == "SUBSCRIBED"
        assert (await subscribe(a, asyncio.Event(), []))[0] == "SUBSCRIBED"
        await a.track({"status": "online"})
        await wait_for(lambda: "alice" in v.presence_state())
        assert v.presence_state()["alice"][0]["status"] == "online"
        await a.untrack()
        await wait_for(lambda: "alice" not in v.presence_state())
    finally:
        await alice.realtime.close()
        await vera.realtime.close()
    assert joins == ["alice"] and leaves == ["alice"]


async def test_two_processes_on_one_postgresql_deliver_each_change_once(tmp_path, pg_url):
    from .conftest import DOC, TOML, make_world

    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "docbase.toml").write_text(TOML)
    (tmp_path / "two" / "docbase.toml").write_text(TOML)
    first = Server(tmp_path / "one", pg_url, document=DOC)
    first.start()
    second = Server(tmp_path / "two", pg_url, document=DOC)
    second.start()
    try:
        world = make_world(first, pg_url)
        got: dict[str, list] = {"one": [], "two": []}
        heard: list = []
        clients = []
        for name, server in (("one", first), ("two", second)):
            client = await acreate_client(server.base, server.anon_key)
            await client.realtime.set_auth(world.tokens["alice"])
            clients.append(client)
            channel = client.channel("notes")
            channel.on_postgres_changes("INSERT", schema="public", table="notes", callback=got[name].append)
            if name == "two":
                channel.on_broadcast("hello", heard.append)
            assert (await subscribe(channel, asyncio.Event(), []))[0] == "SUBSCRIBED"
        for i in range(1, 6):
            world.rest("POST", "/rest/v1/notes", json=world.note(i, world.org_a, f"n{i}", i))
        r = httpx.post(
            f"{first.base}/realtime/v1/api/broadcast",
            headers={"apikey": first.service_key},
            json={"messages": [{"topic": "notes", "event": "hello", "payload": {"via": "one"}}]},
        )
        assert r.status_code == 202
        await wait_for(lambda: len(got["one"]) >= 5 and len(got["two"]) >= 5 and heard)
        await asyncio.sleep(0.5)
        for client in clients:
            await client.realtime.close()
    finally:
        first.stop()
        second.stop()
    for name in ("one", "two"):
        assert [p["data"]["record"]["id"] for p in got[name]] == [1, 2, 3, 4, 5]
    assert [m["payload"] for m in heard] == [{"via": "one"}]
