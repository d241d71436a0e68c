"""A soft delete is a delete to realtime subscribers: marking a row sends DELETE, clearing the mark INSERT.

``tasks.deleted_at`` gives ``tasks`` the soft-delete convention, so /rest/v1's DELETE marks the row; a
subscriber must hear that as a DELETE (never the marked row's contents) and the row coming back as an INSERT,
whether the mark is written through /rest/v1 or straight into the database.
"""

from __future__ import annotations

import asyncio

import pytest

from .conftest import wait_for
from .test_python_client import listen, seen

pytestmark = pytest.mark.slow
STAMP = "2026-01-02T03:04:05+00:00"


async def test_marking_is_a_delete_and_unmarking_an_insert(world):
    alice, got_a = await listen(world, "alice", table="tasks")
    bob, got_b = await listen(world, "bob", table="tasks")
    admin, got_s = await listen(world, None, table="tasks")
    try:
        for i in (1, 2):
            world.rest("POST", "/rest/v1/tasks", json={"id": i, "organization_id": world.org_a, "title": f"t{i}"})
        world.rest("DELETE", "/rest/v1/tasks?id=eq.1")  # the convention turns this into an UPDATE
        world.direct("UPDATE tasks SET deleted_at = ? WHERE id = ?", (STAMP, 2))
        world.direct("UPDATE tasks SET title = ? WHERE id = ?", ("ghost", 2))  # a marked row changes: unseen
        world.direct("UPDATE tasks SET deleted_at = NULL WHERE id = ?", (2,))
        await wait_for(
            lambda: len(got_a) >= 5 and len(got_s) >= 5,
            state=lambda: {"alice": seen(got_a), "service": seen(got_s)},
        )
        await asyncio.sleep(0.5)  # nothing more is on its way
    finally:
        for c in (alice, bob, admin):
            await c.realtime.close()
    expected = [("INSERT", 1), ("INSERT", 2), ("DELETE", 1), ("DELETE", 2), ("INSERT", 2)]
    assert seen(got_a) == expected
    assert seen(got_s) == expected
    assert got_b == []  # another tenant hears neither the rows nor their deletion
    for payload in got_a[2:4]:
        assert payload["data"]["old_record"] == {"id": payload["data"]["old_record"]["id"]}
        assert "record" not in payload["data"]  # the marked row's contents are never sent
    back = got_a[4]["data"]
    assert back["record"]["title"] == "ghost" and back["record"]["deleted_at"] is None
    assert "old_record" not in back


async def test_a_row_marked_before_its_insert_is_judged_still_reaches_its_readers(world):
    """Inserted and marked deleted in one commit: the INSERT is judged on the row as captured (alive), so the
    tenant hears the row come and go rather than only a DELETE for a row it never saw."""
    alice, got_a = await listen(world, "alice", table="tasks")
    bob, got_b = await listen(world, "bob", table="tasks")
    try:
        world.direct_transaction(
            [
                ("INSERT INTO tasks (id, organization_id, title) VALUES (?, ?, ?)", (9, world.org_a, "brief")),
                ("UPDATE tasks SET deleted_at = ? WHERE id = ?", (STAMP, 9)),
            ]
        )
        await wait_for(lambda: len(got_a) >= 2, state=lambda: {"alice": seen(got_a), "bob": seen(got_b)})
        await asyncio.sleep(0.3)
    finally:
        for c in (alice, bob):
            await c.realtime.close()
    assert seen(got_a) == [("INSERT", 9), ("DELETE", 9)]
    assert got_a[0]["data"]["record"]["title"] == "brief" and got_a[0]["data"]["record"]["deleted_at"] is None
    assert got_b == []
