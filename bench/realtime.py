"""``python -m bench.realtime``: Realtime delivery latency and memory on one worker.

Starts ``docbase serve`` (one worker) on SQLite or PostgreSQL, opens N raw
websockets (serializer 2.0.0) each subscribed to INSERTs on one table as the
service role, then inserts rows at R rows/s through a database connection of its
own. Each row carries the time it was written; latency is the time the
subscriber read the event minus that. Prints delivered/expected, p50/p99 latency
and the server's peak RSS. It measures; it asserts nothing. The PocketBase SSE
comparison the issue asks for is not in this run yet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


async def measure(db: str, subscribers: int, rate: int, seconds: float) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-rt-"))
    if db == "sqlite":
        db = f"sqlite:///{workdir / 'bench.db'}"
    proc, key = start(workdir, db)
    try:
        url = proc.base_url.replace("http", "ws") + f"/realtime/v1/websocket?apikey={key}&vsn=2.0.0"
        joined: list = []
        latencies: list[float] = []
        stop, ready = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(subscriber(url, ready, joined, latencies, stop)) for _ in range(subscribers)]
        while len(joined) < subscribers:
            await asyncio.sleep(0.1)
            if any(t.done() for t in tasks):
                raise RuntimeError(next(t for t in tasks if t.done()).exception())
        await asyncio.sleep(0.5)
        sent = await asyncio.to_thread(writer, db, rate, seconds)
        deadline = time.time() + 15
        while len(latencies) < sent * subscribers and time.time() < deadline:
            proc.sample()
            await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        one, tree = proc.peak_rss_mb()
    finally:
        proc.stop()
    ordered = sorted(latencies) or [float("nan")]
    return {
        "database": db.split(":")[0],
        "subscribers": subscribers,
        "changes_per_s": rate,
        "delivered": len(latencies),
        "expected": sent * subscribers,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "peak_rss_mb": round(tree, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL of an empty database")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rate", type=int, default=100, help="inserts per second")
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.db, args.subscribers, args.rate, args.seconds))))


if __name__ == "__main__":
    main()
