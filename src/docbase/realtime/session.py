"""One websocket: Phoenix's channel protocol as Supabase Realtime speaks it.

Frames in are decoded (``frames``), routed by topic and event, and answered with
``phx_reply`` in Phoenix's shape (``{"status": "ok"|"error", "response": ...}``).
Frames out go through a bounded queue drained by one writer task: a client that
stops reading is disconnected (close code 1013) rather than growing the
worker's memory. A socket holds at most ``realtime_max_channels`` channels and
frames up to ``realtime_max_message_bytes``; beyond, the client gets an error
reply and the socket stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .filters import SubscriptionError, parse_binding
from .frames import V1, VERSIONS, FrameError, Message, decode, encode
from .hub import Channel
from .resume import resume_key
from .tokens import Refused, claims_of, seconds_left

log = logging.getLogger("docbase.realtime")
QUEUE = 1000
PREFIX = "realtime:"


class Session:
    def __init__(self, ws: WebSocket, service: Any, vsn: str, claims: dict[str, Any], token: str = "") -> None:
        self.ws, self.service, self.hub = ws, service, service.hub
        self.vsn = vsn
        self.claims = claims
        self.token = token  # the socket's apikey: who a join without access_token is, for catch-up
        self.replays: set[asyncio.Task] = set()
        self.channels: dict[str, Channel] = {}
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue(QUEUE)
        self.closed = False

    # -- out ----------------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("realtime: a client stopped reading; closing its socket")
            self.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.get_nowait()
                self.queue.put_nowait(None)

    def reply(self, msg: Message, status: str, response: dict[str, Any], join_ref: str | None = None) -> None:
        payload = {"status": status, "response": response}
        self.send(Message(msg.topic, "phx_reply", payload, msg.ref, join_ref if join_ref is not None else msg.join_ref))

    def error(self, msg: Message, reason: str) -> None:
        self.reply(msg, "error", {"reason": reason})

    async def _writer(self) -> None:
        while True:
            message = await self.queue.get()
            if message is None:
                await self.ws.close(1013)
                return
            try:
                frame = encode(message, self.vsn)
            except FrameError as exc:
                log.warning("realtime: dropped an outgoing frame: %s", exc)
                continue
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_text(frame)
            if message.seq is not None:  # how far this subscription got, should the socket drop now
                channel = self.channels.get(message.topic)
                if channel is not None and message.seq > channel.position:
                    channel.position = message.seq

    # -- in -----------------------------------------------------------------------------------
    async def run(self) -> None:
        writer = asyncio.create_task(self._writer())
        try:
            while not self.closed and not writer.done():
                event = await self.ws.receive()
                if event["type"] == "websocket.disconnect":
                    break
                data = event.get("text")
                if data is None:
                    data = event.get("bytes") or b""
                await self.handle(data)
        except WebSocketDisconnect:
            pass
        finally:
            self.closed = True
            for task in self.replays:
                task.cancel()
            for channel in list(self.channels.values()):  # still joined: the socket dropped under them
                self.hub.dropped(channel)
                self.hub.remove(channel)
            self.channels.clear()
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    async def handle(self, data: str | bytes) -> None:
        if len(data) > self.service.max_message_bytes:
            self.send(
                Message(
                    "phoenix",
                    "phx_reply",
                    {
                        "status": "error",
                        "response": {"reason": f"message larger than {self.service.max_message_bytes} bytes"},
                    },
                )
            )
            return
        try:
            msg = decode(data, self.vsn)
        except FrameError as exc:
            self.send(
                Message(
                    "phoenix", "phx_reply", {"status": "error", "response": {"reason": f"malformed message: {exc}"}}
                )
            )
            return
        if msg.topic == "phoenix":
            if msg.event == "heartbeat":
                self.reply(msg, "ok", {})
            else:
                self.error(msg, "unmatched topic")
            return
        if msg.event == "phx_join":
            await self.join(msg)
            return
        channel = self.channels.get(msg.topic)
        if channel is None:
            self.error(msg, "unmatched topic")
            return
        if msg.event == "phx_leave":
            self.leave(channel, msg)
        elif msg.event == "access_token":
            await self.refresh(channel, msg)
        elif msg.event == "broadcast":
            await self.broadcast(channel, msg)
        elif msg.event == "presence":
            await self.presence(channel, msg)
        else:
            self.error(msg, f"unknown event {msg.event!r}")

    # -- join / leave -------------------------------------------------------------------------
    async def join(self, msg: Message) -> None:
        if not msg.topic.startswith(PREFIX) or len(msg.topic) == len(PREFIX):
            self.error(msg, "unmatched topic")
            return
        old = self.channels.pop(msg.topic, None)
        if old is not None:  # Phoenix: a second join closes the first
            self.hub.remove(old)
            self.send(Message(old.topic, "phx_close", {}, None, old.join_ref))
        if len(self.channels) >= self.service.max_channels:
            self.error(msg, "Too many channels")
            return
        payload = msg.payload
        config = payload.get("config") if isinstance(payload.get("config"), dict) else {}
        token = self.token
        try:
            claims = self.claims
            if payload.get("access_token"):
                token = str(payload["access_token"])
                claims = await claims_of(
                    payload["access_token"],
                    self.service.secret,
                    self.service.conventions,
                    self.service.db,
                    self.service.users,
                )
        except Refused as exc:
            self.error(msg, str(exc))
            return
        channel = Channel(self, msg.topic, msg.join_ref, claims, private=bool(config.get("private")))
        try:
            self._configure(channel, config)
        except SubscriptionError as exc:
            self.error(msg, f"Unable to subscribe to changes with given parameters: {exc}")
            return
        if channel.private:
            access = await self.service.private_access(channel.sub_topic, claims)
            if access is None:
                self.error(
                    msg,
                    f"Unauthorized: You do not have permissions to read from this Channel topic: {channel.sub_topic}",
                )
                return
            channel.may_send = access == "send"
        mark = None
        self.channels[msg.topic] = channel
        if channel.bindings:
            await self.hub.ensure_started()
            channel.resume_key = resume_key(token, claims, msg.topic, config.get("postgres_changes") or [])
            mark = self.hub.joined(channel)
        else:
            self.hub.add(channel)
        self._expire_at(channel)
        response = {"postgres_changes": [b.reply() for b in channel.bindings]} if channel.bindings else {}
        self.reply(msg, "ok", response)
        if channel.bindings:
            channel.push(
                "system",
                {
                    "channel": channel.sub_topic,
                    "extension": "postgres_changes",
                    "message": "Subscribed to PostgreSQL",
                    "status": "ok",
                },
            )
        if channel.presence_enabled:
            await self.hub.ensure_started()  # the other workers' presences come through the feed
            channel.push("presence_state", self.hub.presence_state(channel))
        if mark is not None:  # the same subscriber's socket dropped a moment ago: what it missed comes first
            task = asyncio.get_running_loop().create_task(self.hub.resume(channel, mark))
            self.replays.add(task)
            task.add_done_callback(self.replays.discard)

    def _configure(self, channel: Channel, config: dict[str, Any]) -> None:
        broadcast = config.get("broadcast") if isinstance(config.get("broadcast"), dict) else {}
        presence = config.get("presence") if isinstance(config.get("presence"), dict) else {}
        channel.broadcast_self = bool(broadcast.get("self"))
        channel.broadcast_ack = bool(broadcast.get("ack"))
        channel.presence_key = str(presence.get("key") or "") or self.hub.next_ref() + "-" + self.hub.worker[:8]
        channel.presence_enabled = bool(presence.get("enabled", False))
        raw = config.get("postgres_changes") or []
        if not isinstance(raw, list):
            raise SubscriptionError("postgres_changes must be a list")
        if len(raw) > self.service.max_channels:
            raise SubscriptionError(f"at most {self.service.max_channels} postgres_changes bindings per channel")
        tables = self.service.tables
        for entry in raw:
            binding = parse_binding(entry, tables)
            if binding.table not in (None, "*"):
                if not self.service.reader.may_read_table(binding.table, channel.claims):
                    raise SubscriptionError(f"permission denied for table {binding.table}")
                if binding.filter is not None and binding.filter.column not in self.service.readable_columns(
                    binding.table, channel.claims
                ):
                    raise SubscriptionError(
                        f"column {binding.filter.column!r} of {binding.table} cannot be filtered on"
                    )
            channel.bindings.append(binding)

    def _expire_at(self, channel: Channel) -> None:
        if channel.expiry is not None:
            channel.expiry.cancel()
            channel.expiry = None
        left = seconds_left(channel.claims)
        if left is not None:
            loop = asyncio.get_running_loop()
            channel.expiry = loop.call_later(max(left, 0), self._expired, channel)

    def _expired(self, channel: Channel) -> None:
        self.shut(channel, "Token has expired 0 seconds ago")

    def shut(self, channel: Channel, reason: str) -> None:
        """Supabase's way of ending a channel the server no longer trusts: a system error, then phx_close."""
        if self.channels.get(channel.topic) is not channel:
            return
        del self.channels[channel.topic]
        self.hub.remove(channel)
        channel.push(
            "system", {"channel": channel.sub_topic, "extension": "system", "message": reason, "status": "error"}
        )
        self.send(Message(channel.topic, "phx_close", {}, None, channel.join_ref))

    def leave(self, channel: Channel, msg: Message) -> None:
        del self.channels[channel.topic]
        self.hub.remove(channel)
        self.reply(msg, "ok", {}, channel.join_ref)
        self.send(Message(channel.topic, "phx_close", {}, None, channel.join_ref))

    async def refresh(self, channel: Channel, msg: Message) -> None:
        token = msg.payload.get("access_token")
        try:
            claims = await claims_of(
                token, self.service.secret, self.service.conventions, self.service.db, self.service.users
            )
        except Refused as exc:
            self.shut(channel, str(exc))
            return
        channel.claims = claims
        self._expire_at(channel)

    # -- broadcast / presence -----------------------------------------------------------------
    async def broadcast(self, channel: Channel, msg: Message) -> None:
        event = msg.payload.get("event")
        if not isinstance(event, str) or not event:
            self.error(msg, "a broadcast needs an event name")
            return
        if not channel.may_send:
            self.error(
                msg, f"Unauthorized: You do not have permissions to write to this Channel topic: {channel.sub_topic}"
            )
            return
        await self.hub.broadcast(
            channel.topic, channel.private, event, msg.payload.get("payload", {}), channel, msg.binary
        )
        if channel.broadcast_ack:
            self.reply(msg, "ok", {}, channel.join_ref)

    async def presence(self, channel: Channel, msg: Message) -> None:
        event = msg.payload.get("event")
        if event == "track":
            body = msg.payload.get("payload", {})
            if not isinstance(body, dict):
                self.error(msg, "presence payload must be an object")
                return
            await self.hub.track(channel, body)
        elif event == "untrack":
            self.hub.untrack(channel)
        else:
            self.error(msg, f"unknown presence event {event!r}")
            return
        self.reply(msg, "ok", {}, channel.join_ref)


def version_of(ws: WebSocket) -> str | None:
    vsn = ws.query_params.get("vsn") or V1
    return vsn if vsn in VERSIONS else None
