"""The Phoenix protocol at the frame level: replies, error replies and closes in Supabase Realtime's shapes.

A raw websocket client (``websockets``) sends what the official clients send, and
what they never would: malformed frames, unknown topics, oversized frames, more
joins than a socket may hold, expired tokens. Every one gets a clean reply and
the socket keeps answering.
"""

from __future__ import annotations

import asyncio
import json
import time

import jwt
import pytest
import websockets

from ..api.test_serve import SECRET, Server

pytestmark = pytest.mark.slow

DOC = "```sql\nCREATE TABLE events (id integer PRIMARY KEY, body text NOT NULL, n integer NOT NULL);\n```\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("rt"), f"sqlite:///{tmp_path_factory.mktemp('db') / 'rt.db'}", document=DOC)
    s.start()
    yield s
    s.stop()


class Socket:
    def __init__(self, ws, vsn: str) -> None:
        self.ws, self.vsn, self.ref = ws, vsn, 0

    async def push(self, topic: str, event: str, payload=None, join_ref=None) -> str:
        self.ref += 1
        ref = str(self.ref)
        if self.vsn == "2.0.0":
            frame = [join_ref, ref, topic, event, payload if payload is not None else {}]
        else:
            frame = {"topic": topic, "event": event, "payload": payload or {}, "ref": ref, "join_ref": join_ref}
        await self.ws.send(json.dumps(frame))
        return ref

    async def recv(self, timeout: float = 5):
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        if isinstance(raw, bytes):
            return ("binary", raw)
        msg = json.loads(raw)
        if isinstance(msg, list):
            return {"join_ref": msg[0], "ref": msg[1], "topic": msg[2], "event": msg[3], "payload": msg[4]}
        return msg

    async def reply_to(self, ref: str, timeout: float = 5):
        while True:
            msg = await self.recv(timeout)
            if isinstance(msg, dict) and msg["event"] == "phx_reply" and msg["ref"] == ref:
                return msg["payload"]


def connect(server: Server, key: str | None = None, vsn: str = "1.0.0"):
    query = f"?vsn={vsn}" + (f"&apikey={key}" if key else "")
    return websockets.connect(f"ws://127.0.0.1:{server.port}/realtime/v1/websocket{query}", max_size=None)


def token(role: str = "authenticated", expires_in: float = 3600) -> str:
    claims = {"role": role, "sub": "00000000-0000-0000-0000-000000000001", "exp": int(time.time() + expires_in)}
    return jwt.encode(claims, SECRET, algorithm="HS256")


async def test_no_or_bad_key_refuses_the_upgrade(server):
    for key in (None, "not-a-jwt", token(expires_in=-10)):
        with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
            async with connect(server, key):
                pass
        assert caught.value.response.status_code == 403


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_heartbeat_join_leave(server, vsn):
    async with connect(server, server.service_key, vsn) as ws:
        s = Socket(ws, vsn)
        assert await s.reply_to(await s.push("phoenix", "heartbeat")) == {"status": "ok", "response": {}}
        ref = await s.push("realtime:room", "phx_join", {"config": {}}, join_ref="1")
        assert await s.reply_to(ref) == {"status": "ok", "response": {}}
        ref = await s.push("realtime:room", "phx_leave", {}, join_ref="1")
        assert await s.reply_to(ref) == {"status": "ok", "response": {}}
        close = await s.recv()
        assert close["event"] == "phx_close" and close["topic"] == "realtime:room"


async def test_bad_input_gets_error_replies_and_the_socket_lives_on(server):
    async with connect(server, server.service_key) as ws:
        s = Socket(ws, "1.0.0")
        for frame in ("not json", "[1,2]", '{"topic": "x"}', '{"topic": "realtime:a", "event": "e", "payload": 3}'):
            await ws.send(frame)
            msg = await s.recv()
            assert msg["event"] == "phx_reply" and msg["payload"]["status"] == "error"
            assert msg["payload"]["response"]["reason"].startswith("malformed message")
        await ws.send(b"\x07garbage")
        assert (await s.recv())["payload"]["response"]["reason"].startswith("malformed message")
        await ws.send(json.dumps({"topic": "realtime:a", "event": "x", "payload": {"b": "x" * 1_100_000}}))
        assert "larger than" in (await s.recv())["payload"]["response"]["reason"]
        cases = [
            ("nonsense", "phx_join", {}, "unmatched topic"),
            ("realtime:never-joined", "broadcast", {"event": "e"}, "unmatched topic"),
            ("realtime:t1", "phx_join", {"config": {"postgres_changes": [{"event": "*", "table": "nope"}]}}, "nope"),
            (
                "realtime:t2",
                "phx_join",
                {"config": {"postgres_changes": [{"event": "*", "table": "events", "filter": "n=like.3"}]}},
                "invalid filter",
            ),
            (
                "realtime:t3",
                "phx_join",
                {"config": {"postgres_changes": [{"event": "TRUNCATE", "table": "events"}]}},
                "unknown event",
            ),
            ("realtime:t4", "phx_join", {"access_token": "bad"}, "Invalid JWT Token"),
            ("realtime:t5", "phx_join", {"config": {"private": True}, "access_token": token()}, "Unauthorized"),
        ]
        for topic, event, payload, reason in cases:
            reply = await s.reply_to(await s.push(topic, event, payload))
            assert reply["status"] == "error" and reason in reply["response"]["reason"], reply
        assert (await s.reply_to(await s.push("phoenix", "heartbeat")))["status"] == "ok"


async def test_ten_thousand_joins_on_one_socket(server):
    async with connect(server, server.service_key, "2.0.0") as ws:
        s = Socket(ws, "2.0.0")
        for i in range(10_000):
            await s.push(f"realtime:room{i}", "phx_join", {"config": {}}, join_ref=str(i))
        statuses = {"ok": 0, "error": 0}
        reasons = set()
        while sum(statuses.values()) < 10_000:
            msg = await s.recv(20)
            if msg["event"] == "phx_reply":
                statuses[msg["payload"]["status"]] += 1
                if msg["payload"]["status"] == "error":
                    reasons.add(msg["payload"]["response"]["reason"])
        assert statuses == {"ok": 100, "error": 9_900} and reasons == {"Too many channels"}
        assert (await s.reply_to(await s.push("phoenix", "heartbeat")))["status"] == "ok"


async def test_expired_and_refused_tokens_close_the_channel(server):
    async with connect(server, server.anon_key) as ws:
        s = Socket(ws, "1.0.0")
        ref = await s.push("realtime:soon", "phx_join", {"config": {}, "access_token": token(expires_in=1.5)}, "1")
        assert (await s.reply_to(ref))["status"] == "ok"
        ref = await s.push("realtime:other", "phx_join", {"config": {}, "access_token": token()}, "2")
        assert (await s.reply_to(ref))["status"] == "ok"
        system = await s.recv(5)
        assert system["event"] == "system" and system["topic"] == "realtime:soon"
        assert system["payload"]["status"] == "error" and "expired" in system["payload"]["message"]
        close = await s.recv()
        assert close["event"] == "phx_close" and close["topic"] == "realtime:soon"
        await s.push("realtime:other", "access_token", {"access_token": "forged"}, "2")
        system = await s.recv()
        assert system["event"] == "system" and system["payload"]["message"] == "Invalid JWT Token"
        assert (await s.recv())["event"] == "phx_close"
        reply = await s.reply_to(await s.push("realtime:other", "broadcast", {"event": "e"}))
        assert reply["response"]["reason"] == "unmatched topic"


async def test_binary_broadcast_v2_with_self_and_ack(server):
    async with connect(server, server.service_key, "2.0.0") as ws:
        s = Socket(ws, "2.0.0")
        config = {"config": {"broadcast": {"self": True, "ack": True}}}
        assert (await s.reply_to(await s.push("realtime:bin", "phx_join", config, "1")))["status"] == "ok"
        topic, event, body = b"realtime:bin", b"ping", b"\x01\x02\x03"
        frame = bytes([3, 1, 1, len(topic), len(event), 0, 0]) + b"19" + topic + event + body
        await ws.send(frame)
        got = [await s.recv(), await s.recv()]
        ack = next(m for m in got if isinstance(m, dict))
        assert ack["event"] == "phx_reply" and ack["ref"] == "9" and ack["payload"]["status"] == "ok"
        kind, raw = next(m for m in got if isinstance(m, tuple))
        assert raw[0] == 4 and raw[1] == len(topic) and raw[2] == len(event) and raw.endswith(topic + event + body)
