"""One worker's channels: who listens to which topic, and delivering changes, broadcasts and presence to them.

The hub is the only place a change meets a subscriber, so access is decided here,
on every event: the row is read through /rest/v1's own read path as each
subscriber (``docbase.api.row_reader``), once per distinct set of claims, and a
subscriber who may not read it gets nothing. The record sent is the row as that
read returns it (hidden columns gone, secret columns masked, soft-deleted rows
absent). ``old_record`` carries the primary key only, as Supabase does for a
table with the default replica identity, so a delete says which row went and
nothing more; a delete reaches only those who could read the row just before it went.
On a table with the soft-delete convention, an UPDATE that marks the row is sent
as that DELETE (judged on the row as it was before the mark), and one that
clears the mark as an INSERT: to a subscriber a soft delete is a delete.

Broadcasts go to this worker's subscribers at once and through the change table
to every other worker's; so does presence (docbase.realtime.presence).

A channel joined again after its socket dropped is first sent what it missed
(``resume``): its changes since the position remembered for it, then the live
ones held back meanwhile, so it sees each change once and in order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .feed import Change, make_feed
from .filters import Binding
from .frames import Message
from .presence import HEARTBEAT, Presence
from .resume import Mark, Marks

log = logging.getLogger("docbase.realtime")

PG_TYPES = {
    "uuid": "uuid",
    "text": "text",
    "varchar": "varchar",
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "numeric": "numeric",
    "float": "float8",
    "boolean": "bool",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "date": "date",
    "time": "time",
    "interval": "interval",
    "json": "json",
    "jsonb": "jsonb",
    "bytes": "bytea",
    "inet": "inet",
    "array": "_text",
    "vector": "vector",
    "enum": "text",
}


@dataclass(eq=False)
class Channel:
    """One joined topic on one socket."""

    session: Any  # realtime.session.Session
    topic: str
    join_ref: str | None
    claims: dict[str, Any]
    private: bool = False
    may_send: bool = True  # a private channel whose rule says send = false: join and listen only
    bindings: list[Binding] = field(default_factory=list)
    broadcast_self: bool = False
    broadcast_ack: bool = False
    presence_key: str = ""
    presence_enabled: bool = False
    expiry: asyncio.TimerHandle | None = None
    resume_key: str | None = None  # who joined what: where a dropped socket's subscription is remembered
    position: int = 0  # the change id this channel has been sent up to (or its join's)
    floor: int = 0  # changes up to here come by replay, not live
    late: set[int] = field(default_factory=set)  # ids at or below floor not committed yet: they come live
    delivered_late: set[int] = field(default_factory=set)  # late ids sent live (a replay skips them)
    backlog: list[Message] | None = None  # live events held while a replay runs

    @property
    def sub_topic(self) -> str:
        return self.topic.split(":", 1)[1] if ":" in self.topic else self.topic

    @property
    def key(self) -> tuple[str, bool]:
        return (self.topic, self.private)

    def push(self, event: str, payload: Any, binary: bytes | None = None) -> None:
        self.session.send(Message(self.topic, event, payload, None, None, binary))

    def send(self, message: Message, replay: bool = False) -> None:
        """A message built once for every channel of this topic (encoded once per serializer version)."""
        if self.backlog is not None and not replay:
            self.backlog.append(message)
            return
        self.session.send(message)


class Hub:
    def __init__(self, schema: Any, url: str, reader: Any, poll_ms: int = 50, retention_s: int = 600) -> None:
        self.schema = schema
        self.reader = reader
        self.worker = uuid.uuid4().hex
        self.topics: dict[tuple[str, bool], set[Channel]] = {}
        self.listening: set[Channel] = set()  # channels with postgres_changes bindings
        self.presence = Presence(self.worker)
        self._presence_task: asyncio.Task | None = None
        self.feed = make_feed(schema, url, self.on_change, poll_ms, retention_s)
        self.marks = Marks(retention_s)
        self._starting: asyncio.Lock | None = None
        self.started = False
        self.columns = {
            t.name: [{"name": c.name, "type": PG_TYPES.get(c.type, "text")} for c in t.columns] for t in schema.tables
        }
        self._ref = 0
        self._pending: set[asyncio.Task] = set()

    async def ensure_started(self) -> None:
        if self.started:
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if not self.started:
                await self.feed.start()
                self.started = True
                self._presence_task = asyncio.get_running_loop().create_task(self._presence_loop())

    async def close(self) -> None:
        if self._presence_task is not None:
            self._presence_task.cancel()
            self._presence_task = None
        await self.feed.stop()
        self.started = False

    def next_ref(self) -> str:
        self._ref += 1
        return str(self._ref)

    # -- membership ---------------------------------------------------------------------------
    def add(self, channel: Channel) -> None:
        self.topics.setdefault(channel.key, set()).add(channel)
        if channel.bindings:
            self.listening.add(channel)

    def remove(self, channel: Channel) -> None:
        if channel.expiry is not None:
            channel.expiry.cancel()
        members = self.topics.get(channel.key)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.topics[channel.key]
        self.listening.discard(channel)
        self.untrack(channel)

    # -- postgres changes ---------------------------------------------------------------------
    async def on_change(self, change: Change) -> None:
        record = change.record or {}
        if change.op == "BROADCAST":
            if record.get("worker") != self.worker:
                self._fanout(change.table, bool(record.get("private")), record, None)
            return
        if change.op == "PRESENCE":
            self._heard(change)
            return
        if change.op in ("RESUME", "RESUMED"):
            if record.get("worker") != self.worker and isinstance(record.get("position"), int):
                if change.op == "RESUME":
                    late = tuple(i for i in record.get("late") or () if isinstance(i, int))
                    self.marks.add(change.table, Mark(record["position"], late))
                else:
                    self.marks.drop(change.table, record["position"])
            return
        await self._dispatch(change, [c for c in self.listening if change.id > c.floor or self._late(c, change.id)])

    @staticmethod
    def _late(channel: Channel, change_id: int) -> bool:
        """A change a rejoined channel waited for (committed after its ids were passed): sent live, once."""
        if change_id not in channel.late:
            return False
        channel.late.discard(change_id)
        channel.delivered_late.add(change_id)
        return True

    async def _dispatch(self, change: Change, channels: list[Channel], replay: bool = False) -> None:
        """Judge ``change`` once per distinct set of claims among ``channels`` and send it to those who may see it."""
        change = self._as_seen(change)
        if change is None:
            return
        targets = []
        for channel in channels:
            wanted = [b for b in channel.bindings if b.wants(change.table, change.op)]
            if wanted:
                targets.append((channel, wanted))
        if not targets:
            return
        seen: dict[bytes, Any] = {}
        built: dict[tuple, Message] = {}  # one message per (claims, topic, ids): encoded once for all its sockets
        for channel, wanted in targets:
            who = orjson.dumps(channel.claims, option=orjson.OPT_SORT_KEYS)
            if who not in seen:
                seen[who] = await self._judge(change, channel.claims)
            row = seen[who]
            if row is None:
                continue
            filtered = change.old or {} if change.op == "DELETE" else row
            ids = [b.id for b in wanted if b.filter is None or b.filter.matches(filtered)]
            if ids and channel in self.listening:
                key = (who, channel.topic, tuple(ids))
                if key not in built:
                    payload = {"ids": ids, "data": self._data(change, row)}
                    built[key] = Message(channel.topic, "postgres_changes", payload, seq=change.id)
                channel.send(built[key], replay)

    def _as_seen(self, change: Change) -> Change | None:
        """An UPDATE setting the soft-delete mark is a DELETE to subscribers; one clearing it, an INSERT;
        a marked row written or changed is nobody's event (None), whatever the row has become since."""
        if change.op not in ("INSERT", "UPDATE"):
            return change
        after = self.reader.soft_deleted(change.table, change.record)
        if after is None:
            return change
        if change.op == "INSERT":
            return None if after else change
        before = self.reader.soft_deleted(change.table, change.old)
        if before and after:
            return None
        if before == after:
            return change
        if after:
            return dataclasses.replace(change, op="DELETE", record=None, soft=True)
        return dataclasses.replace(change, op="INSERT", old=None, soft=True)

    async def _judge(self, change: Change, claims: dict[str, Any]) -> Any:
        """The row as ``claims`` may see it (INSERT/UPDATE), True for a delete they could see, else None."""
        if change.op == "DELETE":
            seen = await self.reader.was_visible(change.table, change.old or {}, claims, still_there=change.soft)
            return True if seen else None
        return await self.reader.visible(change.table, change.record or {}, claims)

    def _data(self, change: Change, row: Any) -> dict[str, Any]:
        table = self.schema.table(change.table)
        keys = table.primary_key if table is not None else ()
        data: dict[str, Any] = {
            "schema": "public",
            "table": change.table,
            "commit_timestamp": change.at,
            "type": change.op,
            "columns": self.columns.get(change.table, []),
            "errors": None,
        }
        if change.op in ("INSERT", "UPDATE"):
            data["record"] = row
        if change.op in ("UPDATE", "DELETE"):
            source = change.old if change.op == "DELETE" else (change.old or change.record or {})
            data["old_record"] = {
                k: (row.get(k) if isinstance(row, dict) and k in row else (source or {}).get(k)) for k in keys
            }
        return data

    # -- catching up after a reconnect --------------------------------------------------------------
    def joined(self, channel: Channel) -> Mark | None:
        """Add a channel with bindings; the mark it resumes from when its key has one, else None."""
        mark = self.marks.take(channel.resume_key) if channel.resume_key else None
        channel.position = self.feed.last
        if mark is not None and (mark.position < self.feed.last or mark.late):
            channel.floor, channel.backlog = self.feed.last, []
            outstanding = {i for i in self.feed.pending if mark.position < i <= channel.floor}
            channel.late = set(mark.late) | outstanding
        else:
            mark = None
        self.add(channel)
        return mark

    async def resume(self, channel: Channel, mark: Mark) -> None:
        """Send ``channel`` the late ids of its mark that committed meanwhile and the changes in (position, floor],
        then what arrived live meanwhile, then go live."""
        record = {"worker": self.worker, "position": mark.position}
        try:
            await self.feed.publish_control(channel.resume_key or "", "RESUMED", record)
            await self._replay(channel, await self.feed.read_ids(sorted(mark.late)))
            low = mark.position
            while low < channel.floor and channel in self.listening:
                changes = await self.feed.read(low, channel.floor)
                if not changes:
                    break
                await self._replay(channel, changes)
                low = changes[-1].id
        finally:
            held, channel.backlog = channel.backlog or [], None
            for message in held:
                channel.send(message)

    async def _replay(self, channel: Channel, changes: list[Change]) -> None:
        for change in changes:
            if change.op not in ("INSERT", "UPDATE", "DELETE") or change.id in channel.delivered_late:
                continue
            channel.late.discard(change.id)
            await self._dispatch(change, [channel], replay=True)

    def dropped(self, channel: Channel) -> None:
        """The socket went away under a subscription: remember where it stood, here and for the other workers."""
        if not channel.resume_key or not channel.bindings:
            return
        late = sorted({i for i in self.feed.pending if i < channel.position} | channel.late)
        self.marks.add(channel.resume_key, Mark(channel.position, tuple(late)))
        record = {"worker": self.worker, "position": channel.position, "late": late}
        self._spawn(self.feed.publish_control(channel.resume_key, "RESUME", record))

    # -- broadcast ----------------------------------------------------------------------------
    async def broadcast(
        self, topic: str, private: bool, event: str, payload: Any, sender: Channel | None, binary: bytes | None = None
    ) -> None:
        record = {"event": event, "payload": payload, "private": private, "worker": self.worker}
        if binary is not None:
            record["binary"] = binary.hex()
        self._fanout(topic, private, record, sender)
        await self.ensure_started()
        await self.feed.publish(topic, record)

    def _fanout(self, topic: str, private: bool, record: dict[str, Any], sender: Channel | None) -> None:
        binary = bytes.fromhex(record["binary"]) if record.get("binary") else None
        body = {"type": "broadcast", "event": record.get("event"), "payload": record.get("payload")}
        if binary is not None:
            body.pop("payload")
        message = Message(topic, "broadcast", body, None, None, binary)
        for channel in list(self.topics.get((topic, private), ())):
            if channel is sender and not channel.broadcast_self:
                continue
            channel.send(message)

    # -- presence (docbase.realtime.presence: shared with every worker through the change table) ---------
    def presence_state(self, channel: Channel) -> dict[str, Any]:
        return self.presence.state(channel.key)

    async def track(self, channel: Channel, payload: dict[str, Any]) -> None:
        channel.presence_enabled = True  # tracking without listening still tells the others
        joins, leaves, row = self.presence.track(channel.key, channel.presence_key, channel, payload)
        self._diff(channel.key, joins, leaves)
        await self.ensure_started()
        await self.feed.publish_control(channel.topic, "PRESENCE", row)

    def untrack(self, channel: Channel) -> None:
        leaves, row = self.presence.untrack(channel.key, channel.presence_key, channel)
        if row is not None:
            self._diff(channel.key, {}, leaves)
            self._spawn(self.feed.publish_control(channel.topic, "PRESENCE", row))

    def _heard(self, change: Change) -> None:
        record = change.record or {}
        if record.get("worker") == self.worker:
            return
        if record.get("kind") == "hello":
            for row in self.presence.rows():
                self._spawn(self.feed.publish_control(row["topic"], "PRESENCE", row))
        for key, joins, leaves in self.presence.heard(record, change.at):
            self._diff(key, joins, leaves)

    async def _presence_loop(self) -> None:
        """Say this worker is alive while it tracks anyone; drop the presences of workers gone silent."""
        await self.feed.publish_control("", "PRESENCE", {"kind": "hello", "worker": self.worker})
        while True:
            if self.presence.tracking():
                await self.feed.publish_control("", "PRESENCE", {"kind": "alive", "worker": self.worker})
            for key, joins, leaves in self.presence.reap():
                self._diff(key, joins, leaves)
            await asyncio.sleep(HEARTBEAT)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _diff(self, key: tuple[str, bool], joins: dict, leaves: dict) -> None:
        for channel in self._members(key):
            channel.push("presence_diff", {"joins": joins, "leaves": leaves})

    def _members(self, key: tuple[str, bool]) -> Iterable[Channel]:
        return [c for c in self.topics.get(key, ()) if c.presence_enabled]
