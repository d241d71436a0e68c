"""supabase-py's async realtime client against ``docbase serve``, on both databases.

Every change is made through /rest/v1 or through a database connection of our
own, and each subscriber gets exactly the rows they may read through /rest/v1,
shaped as Supabase Realtime sends them.
"""

from __future__ import annotations

import asyncio

import pytest
from supabase import acreate_client

from .conftest import wait_for

pytestmark = pytest.mark.slow


async def listen(world, name: str | None, **binding):
    """A signed-in client subscribed to postgres_changes; returns (client, received payloads)."""
    client = await acreate_client(world.server.base, world.server.anon_key if name else world.server.service_key)
    if name:
        await client.realtime.set_auth(world.tokens[name])
    got: list = []
    subscribed = asyncio.Event()
    errors: list = []
    channel = client.channel(f"db-{name}")
    channel.on_postgres_changes(binding.pop("event", "*"), schema="public", callback=got.append, **binding)

    def on_status(status, err):
        if status.value == "SUBSCRIBED":
            subscribed.set()
        elif err is not None:
            errors.append(err)

    await channel.subscribe(on_status)
    await asyncio.wait_for(subscribed.wait(), 10)
    return client, got


def seen(got):
    return [(p["data"]["type"], (p["data"].get("record") or p["data"].get("old_record"))["id"]) for p in got]


async def test_changes_reach_only_readers_with_supabase_shapes(world):
    alice, got_a = await listen(world, "alice", table="notes")
    vera, got_v = await listen(world, "vera", table="notes")
    bob, got_b = await listen(world, "bob", table="notes")
    admin, got_s = await listen(world, None, table="notes")
    try:
        world.rest("POST", "/rest/v1/notes", json=world.note(1, world.org_a, "a1", 1, "sk-secret-aaaa-1234"))
        world.rest("POST", "/rest/v1/notes", json=world.note(2, world.org_b, "b1", 1))
        world.direct(
            "INSERT INTO notes (id, organization_id, title, n) VALUES (?, ?, ?, ?)", (3, world.org_a, "a-direct", 5)
        )
        world.rest("PATCH", "/rest/v1/notes?id=eq.1", json={"n": 2})
        world.direct("DELETE FROM notes WHERE id = ?", (3,))
        world.rest("DELETE", "/rest/v1/notes?id=eq.2")
        await wait_for(
            lambda: len(got_a) >= 4 and len(got_b) >= 2 and len(got_s) >= 6,
            state=lambda: {"alice": seen(got_a), "bob": seen(got_b), "service": seen(got_s)},
        )
        await asyncio.sleep(0.3)  # nothing more is on its way
    finally:
        for c in (alice, vera, bob, admin):
            await c.realtime.close()

    assert seen(got_a) == [("INSERT", 1), ("INSERT", 3), ("UPDATE", 1), ("DELETE", 3)]
    assert seen(got_v) == seen(got_a)  # a viewer reads everything in org A
    assert seen(got_b) == [("INSERT", 2), ("DELETE", 2)]
    assert seen(got_s) == [("INSERT", 1), ("INSERT", 2), ("INSERT", 3), ("UPDATE", 1), ("DELETE", 3), ("DELETE", 2)]

    insert = got_a[0]["data"]
    shown = world.rest("GET", "/rest/v1/notes?id=eq.1", token=world.tokens["alice"]).json()
    assert insert["schema"] == "public" and insert["table"] == "notes" and insert["errors"] is None
    assert insert["commit_timestamp"].endswith("Z")
    assert {c["name"]: c["type"] for c in insert["columns"]}["n"] == "int4"
    assert set(insert["record"]) == set(shown[0])  # the columns /rest/v1 shows alice, no more
    assert insert["record"].get("api_key") == shown[0].get("api_key") != "sk-secret-aaaa-1234"
    assert got_a[2]["data"]["record"]["n"] == 2 and got_a[2]["data"]["old_record"] == {"id": 1}
    assert got_a[3]["data"]["old_record"] == {"id": 3} and "record" not in got_a[3]["data"]
    assert got_s[0]["data"]["record"]["api_key"] == "sk-secret-aaaa-1234"  # service_role reads it in clear
    assert all(p["ids"] for p in got_a)


async def test_a_row_gone_before_its_event_is_judged_still_reaches_its_readers(world):
    """Written, changed and deleted in one commit: every event is judged on the row as captured, not lost."""
    alice, got_a = await listen(world, "alice", table="notes")
    bob, got_b = await listen(world, "bob", table="notes")
    try:
        world.direct_transaction(
            [
                ("INSERT INTO notes (id, organization_id, title, n) VALUES (?, ?, ?, ?)", (7, world.org_a, "brief", 1)),
                ("UPDATE notes SET n = ? WHERE id = ?", (2, 7)),
                ("DELETE FROM notes WHERE id = ?", (7,)),
            ]
        )
        await wait_for(lambda: len(got_a) >= 3, state=lambda: {"alice": seen(got_a), "bob": seen(got_b)})
        await asyncio.sleep(0.3)
    finally:
        for c in (alice, bob):
            await c.realtime.close()
    assert seen(got_a) == [("INSERT", 7), ("UPDATE", 7), ("DELETE", 7)]
    assert [p["data"].get("record", {}).get("n") for p in got_a[:2]] == [1, 2]  # each as it was captured
    assert got_b == []  # the other tenant hears nothing of it


FILTERS = {
    "n=eq.3": [3],
    "n=neq.3": [1, 5, 7],
    "n=lt.5": [1, 3],
    "n=lte.5": [1, 3, 5],
    "n=gt.3": [5, 7],
    "n=gte.3": [3, 5, 7],
    "title=in.(one,seven)": [1, 7],
}


async def test_filters(world):
    client = await acreate_client(world.server.base, world.server.anon_key)
    await client.realtime.set_auth(world.tokens["alice"])
    got: dict[str, list] = {f: [] for f in FILTERS}
    ready: list = []
    for i, flt in enumerate(FILTERS):
        channel = client.channel(f"f{i}")
        channel.on_postgres_changes("INSERT", schema="public", table="notes", filter=flt, callback=got[flt].append)
        await channel.subscribe(
            lambda status, err: ready.append(status.value) if status.value == "SUBSCRIBED" else None
        )
    try:
        await wait_for(lambda: len(ready) == len(FILTERS))
        names = {1: "one", 3: "three", 5: "five", 7: "seven"}
        for n, title in names.items():
            world.rest("POST", "/rest/v1/notes", json=world.note(n, world.org_a, title, n))
        world.rest("POST", "/rest/v1/notes", json=world.note(100, world.org_b, "one", 3))  # other tenant
        world.rest("PATCH", "/rest/v1/notes?id=eq.1", json={"n": 3})  # an UPDATE: not subscribed
        await wait_for(lambda: all(len(got[f]) >= len(e) for f, e in FILTERS.items()))
        await asyncio.sleep(0.5)
    finally:
        await client.realtime.close()
    assert {f: sorted(p["data"]["record"]["n"] for p in got[f]) for f in FILTERS} == FILTERS
