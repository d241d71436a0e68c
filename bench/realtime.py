"""``python -m bench.realtime``: Realtime delivery latency and memory on one worker.

Starts ``docbase serve`` (one worker) on SQLite or PostgreSQL, opens N raw
websockets (serializer 2.0.0) each subscribed to INSERTs on one table as the
service role, then inserts rows at R rows/s through a database connection of its
own. Each row carries the time it was written; latency is the time the
subscriber read the event minus that. Prints delivered/expected, p50/p99 latency
and the server's peak RSS. It measures; it asserts nothing.

At full size (1,000 subscribers) one Python client process cannot parse every
frame, so ``--measured`` of the subscribers (default 50) decode and time their
events; the others are raw sockets that read and discard the stream, so the
server still writes every event to every subscriber. Then, in the same run,
PocketBase's SSE subscriptions get the same subscribers and rate
(bench.realtime_pocketbase; its rows go through its record API, since it
publishes nothing else) and the ratios are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets

from .http.procs import Server as Proc
from .http.procs import free_port

DOC = "```sql\nCREATE TABLE ticks (id integer PRIMARY KEY, sent double precision NOT NULL);\n```\n"
SECRET = "bench-realtime-secret-0123456789-abcdef"


def start(workdir: Path, db: str) -> tuple[Proc, str]:
    import os
    import subprocess

    doc = workdir / "design.md"
    doc.write_text(DOC)
    port = free_port()
    log = workdir / "serve.log"
    env = {**os.environ, "DOCBASE_JWT_SECRET": SECRET}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("docbase")),
            "serve",
            str(doc),
            "--db",
            db,
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=workdir,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from docbase.auth import keys

    base = f"127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            import urllib.error
            import urllib.request

            urllib.request.urlopen(f"http://{base}/rest/v1/", timeout=1)
            break
        except urllib.error.HTTPError:  # answering at all is up
            break
        except OSError:
            time.sleep(0.2)
    return Proc("docbase", process, f"http://{base}", log), keys.service_key(SECRET)


async def subscriber(url: str, ready: asyncio.Event, counter: list, latencies: list, stop: asyncio.Event) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        binding = {"event": "INSERT", "schema": "public", "table": "ticks"}
        await ws.send(json.dumps(["1", "1", "realtime:ticks", "phx_join", {"config": {"postgres_changes": [binding]}}]))
        while True:
            msg = json.loads(await ws.recv())
            if msg[3] == "phx_reply":
                break
        counter.append(1)
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            msg = json.loads(raw)
            if msg[3] == "postgres_changes":
                latencies.append(time.time() - msg[4]["data"]["record"]["sent"])


async def drain(url: str, joined: list, stop: asyncio.Event) -> None:
    """A subscriber that joins like the others, then reads and discards: load on the server, none on the client."""
    rest = url.removeprefix("ws://")
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
    )  # fmt: skip
    await reader.readuntil(b"\r\n\r\n")
    binding = {"event": "INSERT", "schema": "public", "table": "ticks"}
    body = json.dumps(["1", "1", "realtime:ticks", "phx_join", {"config": {"postgres_changes": [binding]}}]).encode()
    mask = os.urandom(4)
    header = (
        bytes([0x81, 0x80 | 126]) + len(body).to_bytes(2, "big")
        if len(body) >= 126
        else bytes([0x81, 0x80 | len(body)])
    )
    writer.write(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(body)))
    await writer.drain()
    await reader.read(1 << 16)  # the join's reply
    joined.append(1)
    try:
        while not stop.is_set():
            try:
                if not await asyncio.wait_for(reader.read(1 << 16), 0.5):
                    return
            except TimeoutError:
                continue
    finally:
        writer.close()


def writer(db: str, rate: int, seconds: float) -> int:
    from docbase import dburl

    parsed = dburl.parse(db)
    n = int(rate * seconds)
    if parsed.dialect == "sqlite":
        conn = sqlite3.connect(parsed.path, timeout=10)
        run = lambda i: (conn.execute("INSERT INTO ticks (id, sent) VALUES (?, ?)", (i, time.time())), conn.commit())  # noqa: E731
    else:
        import psycopg

        conn = psycopg.connect(parsed.libpq(), autocommit=True)
        run = lambda i: conn.execute("INSERT INTO ticks (id, sent) VALUES (%s, %s)", (i, time.time()))  # noqa: E731
    start = time.perf_counter()
    for i in range(n):
        target = start + i / rate
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        run(i + 1)
    conn.close()
    return n


async def measure(db: str, subscribers: int, rate: int, seconds: float, measured: int = 50) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-rt-"))
    if db == "sqlite":
        db = f"sqlite:///{workdir / 'bench.db'}"
    proc, key = start(workdir, db)
    try:
        url = proc.base_url.replace("http", "ws") + f"/realtime/v1/websocket?apikey={key}&vsn=2.0.0"
        joined: list = []
        latencies: list[float] = []
        stop, ready = asyncio.Event(), asyncio.Event()
        timed = min(measured, subscribers)
        tasks = [asyncio.create_task(subscriber(url, ready, joined, latencies, stop)) for _ in range(timed)]
        tasks += [asyncio.create_task(drain(url, joined, stop)) for _ in range(subscribers - timed)]
        sent, tree, started = await _drive(
            proc, tasks, joined, subscribers, latencies, timed, stop, writer, db, rate, seconds
        )
    finally:
        proc.stop()
    return _figures("docbase " + db.split(":")[0], subscribers, rate, sent, timed, latencies, tree, started)


async def _drive(
    proc, tasks: list, joined: list, subscribers: int, latencies: list, timed: int, stop, write, *args
) -> tuple[int, float, float]:
    """The same run for every server: wait for all joins, write, wait up to 15 s for the timed subscribers
    (sampling memory), stop. Returns (changes sent, peak RSS of the server's process tree in MB, when the
    writing started)."""
    await _joined(joined, subscribers, tasks)
    started = time.time()
    sent = await asyncio.to_thread(write, *args)
    deadline = time.time() + 15
    while len(latencies) < sent * timed and time.time() < deadline:
        proc.sample()
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return sent, proc.peak_rss_mb()[1], started


async def _joined(joined: list, subscribers: int, tasks: list) -> None:
    while len(joined) < subscribers:
        await asyncio.sleep(0.1)
        if any(t.done() for t in tasks):
            raise RuntimeError(next(t for t in tasks if t.done()).exception())
    await asyncio.sleep(0.5)


def _figures(name: str, subscribers: int, rate: int, sent: int, timed: int, latencies: list, rss: float, t0: float):
    ordered = sorted(latencies) or [float("nan")]
    return {
        "server": name,
        "subscribers": subscribers,
        "changes_per_s": rate,
        "sent": sent,
        "timed_subscribers": timed,
        "delivered_to_timed": len(latencies),
        "expected_to_timed": sent * timed,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "peak_rss_mb": round(rss, 1),
        "wall_s": round(time.time() - t0, 1),
    }


async def measure_pocketbase(subscribers: int, rate: int, seconds: float, measured: int = 50) -> dict:
    from . import realtime_pocketbase as pb

    workdir = Path(tempfile.mkdtemp(prefix="bench-rt-pb-"))
    proc, _ = pb.start(workdir)
    try:
        joined: list = []
        latencies: list[float] = []
        stop = asyncio.Event()
        timed = min(measured, subscribers)
        tasks = [
            asyncio.create_task(pb.subscriber(proc.base_url, i < timed, joined, latencies, stop))
            for i in range(subscribers)
        ]
        sent, tree, started = await _drive(
            proc, tasks, joined, subscribers, latencies, timed, stop, pb.writer, proc.base_url, rate, seconds
        )
    finally:
        proc.stop()
    return _figures("pocketbase sqlite", subscribers, rate, sent, timed, latencies, tree, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL of an empty database")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rate", type=int, default=100, help="inserts per second")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--measured", type=int, default=50, help="subscribers that decode and time every event")
    parser.add_argument("--no-pocketbase", action="store_true", help="skip PocketBase's SSE run")
    args = parser.parse_args()
    ours = asyncio.run(measure(args.db, args.subscribers, args.rate, args.seconds, args.measured))
    print(json.dumps(ours))
    if not args.no_pocketbase:
        theirs = asyncio.run(measure_pocketbase(args.subscribers, args.rate, args.seconds, args.measured))
        print(json.dumps(theirs))
        ratio = {k: round(ours[k] / theirs[k], 2) if theirs[k] else None for k in ("p50_ms", "p99_ms", "peak_rss_mb")}
        print(json.dumps({"docbase_over_pocketbase": ratio}))


if __name__ == "__main__":
    main()
