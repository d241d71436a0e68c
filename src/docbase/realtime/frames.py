"""Phoenix channel frames as Supabase's clients send and read them, both serializer versions.

``vsn=1.0.0`` (supabase-py, older supabase-js): text frames holding a JSON object
``{"join_ref", "ref", "topic", "event", "payload"}``.
``vsn=2.0.0`` (supabase-js 2.x default): text frames holding a JSON array
``[join_ref, ref, topic, event, payload]``; a client's broadcast may instead come
as a binary frame (kind 3, "user broadcast push": a header of lengths, the
strings, then the user payload, JSON- or raw-encoded), and a broadcast whose
payload was binary goes out as kind 4 ("user broadcast").

Decoding never raises anything but ``FrameError``: a malformed frame gets a
clean error reply, never a dropped socket or a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

V1 = "1.0.0"
V2 = "2.0.0"
VERSIONS = (V1, V2)
PUSH = 3  # client -> server binary broadcast
BROADCAST = 4  # server -> client binary broadcast
JSON_ENCODING = 1
BINARY_ENCODING = 0


class FrameError(ValueError):
    """A frame that is not a Phoenix message."""


@dataclass
class Message:
    topic: str
    event: str
    payload: Any
    ref: str | None = None
    join_ref: str | None = None
    binary: bytes | None = field(default=None, repr=False)  # a binary broadcast's raw user payload
    seq: int | None = field(default=None, compare=False)  # the change id a postgres_changes event carries
    frames: dict[str, str | bytes] = field(default_factory=dict, repr=False, compare=False)  # encoded, per vsn


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise FrameError(f"{what} must be a string")


def decode(data: str | bytes, vsn: str) -> Message:
    """One frame -> Message; FrameError for anything else."""
    if isinstance(data, bytes):
        return _decode_push(data)
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FrameError(f"frame is not JSON: {exc}") from None
    if vsn == V2:
        if not isinstance(raw, list) or len(raw) != 5:
            raise FrameError("frame must be [join_ref, ref, topic, event, payload]")
        join_ref, ref, topic, event, payload = raw
    else:
        if not isinstance(raw, dict):
            raise FrameError('frame must be an object {"topic", "event", "payload", "ref"}')
        join_ref, ref = raw.get("join_ref"), raw.get("ref")
        topic, event, payload = raw.get("topic"), raw.get("event"), raw.get("payload")
    if not isinstance(topic, str) or not topic or not isinstance(event, str) or not event:
        raise FrameError("frame needs a topic and an event")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise FrameError("payload must be an object")
    return Message(topic, event, payload, _text(ref, "ref"), _text(join_ref, "join_ref"))


def _decode_push(data: bytes) -> Message:
    if len(data) < 7 or data[0] != PUSH:
        raise FrameError("binary frame is not a broadcast push")
    sizes = data[1:6]
    encoding = data[6]
    offset = 7
    parts = []
    for size in sizes:
        if offset + size > len(data):
            raise FrameError("binary frame is shorter than its header says")
        try:
            parts.append(data[offset : offset + size].decode())
        except UnicodeDecodeError:
            raise FrameError("binary frame header is not UTF-8") from None
        offset += size
    join_ref, ref, topic, event, meta = parts
    body = data[offset:]
    payload: dict[str, Any] = {"type": "broadcast", "event": event}
    binary = None
    if encoding == JSON_ENCODING:
        try:
            payload["payload"] = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            raise FrameError("broadcast payload is not JSON") from None
    else:
        binary = bytes(body)
    if meta:
        try:
            extra = orjson.loads(meta)
        except orjson.JSONDecodeError:
            raise FrameError("broadcast metadata is not JSON") from None
        if isinstance(extra, dict):
            payload = {**extra, **payload}
    if not topic or not event:
        raise FrameError("frame needs a topic and an event")
    return Message(topic, "broadcast", payload, ref or None, join_ref or None, binary)


def encode(message: Message, vsn: str) -> str | bytes:
    """Message -> one frame in the client's serializer version; one message sent to many sockets is encoded once."""
    frame = message.frames.get(vsn)
    if frame is None:
        frame = message.frames[vsn] = _encode(message, vsn)
    return frame


def _encode(message: Message, vsn: str) -> str | bytes:
    if message.binary is not None and vsn == V2:
        return _encode_broadcast(message)
    if vsn == V2:
        frame: Any = [message.join_ref, message.ref, message.topic, message.event, message.payload]
    else:
        frame = {
            "join_ref": message.join_ref,
            "ref": message.ref,
            "topic": message.topic,
            "event": message.event,
            "payload": message.payload,
        }
    return orjson.dumps(frame).decode()


def _encode_broadcast(message: Message) -> bytes:
    topic = message.topic.encode()
    event = str(message.payload.get("event", "")).encode()
    if len(topic) > 255 or len(event) > 255:
        raise FrameError("topic and event must be at most 255 bytes")
    header = bytes([BROADCAST, len(topic), len(event), 0, BINARY_ENCODING])
    return header + topic + event + (message.binary or b"")
