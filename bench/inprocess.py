"""CPU time docbase spends per request, in process: ``python -m bench.inprocess [--rows N] [--pg URL] [--profile W]``.

wrk's requests per second on a shared two-core machine move with whatever else
runs there, and include the server and the load generator. The CPU time this
process spends answering one request through the ASGI app (no server, no socket,
the same app ``docbase serve`` builds, the bench's signed-in user and workloads)
moves much less, so it is the figure to compare before and after a change to the
request path; the database's own work is in it on SQLite (same process) and not
on PostgreSQL (another process). ``--profile by_id`` prints cProfile's top
functions for one workload, timed by this process's CPU clock as well. Every answer is checked: a non-2xx fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from docbase.api.serve import build_app
from docbase.auth import keys
from docbase.pipeline import load_schema

from .__main__ import _drop, _pg_database
from .dataset import DOC, EMAIL, PASSWORD, enrol, seed
from .workloads import WORKLOADS, postgrest

SECRET = "inprocess-bench-secret-" + "0" * 32


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.body = b""

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


async def call(app: Any, method: str, target: str, headers: dict[str, str], body: str = "") -> Answer:
    """One request straight into the ASGI app, as a server would hand it over."""
    parts = urlsplit(target)
    payload = body.encode()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "root_path": "",
        "query_string": parts.query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(payload)).encode()), (b"host", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    answer = Answer()
    await app(scope, receive, answer.send)
    return answer


async def sign_in(app: Any, data: Any) -> dict[str, str]:
    anon = keys.anon_key(SECRET)
    got = await call(
        app,
        "POST",
        "/auth/v1/signup",
        {"apikey": anon, "content-type": "application/json"},
        orjson.dumps({"email": EMAIL, "password": PASSWORD}).decode(),
    )
    if got.status != 200:
        raise SystemExit(f"bench.inprocess: sign-up failed ({got.status}): {got.body[:300]!r}")
    body = orjson.loads(got.body)
    enrol(data, body["user"]["id"])
    token = body["access_token"]
    return {
        "apikey": anon,
        "authorization": f"Bearer {token}",
        "content-type": "application/json",
        "prefer": "return=representation",
    }


async def measure(app: Any, lines: list, headers: dict[str, str], count: int) -> tuple[float, float]:
    """(CPU microseconds, wall microseconds) per request over ``count`` requests after a warm-up."""
    for method, path, body in lines[:100]:
        await call(app, method, path, headers, body)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        method, path, body = lines[n % len(lines)]
        got = await call(app, method, path, headers, body)
        if not 200 <= got.status < 300:
            raise SystemExit(f"bench.inprocess: {method} {path} answered {got.status}: {got.body[:300]!r}")
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


async def run(
    url: str, rows: int, count: int, profile: str | None, only: tuple[str, ...] = WORKLOADS
) -> dict[str, tuple[float, float]]:
    data = seed(url, rows, tenants=20)
    app = build_app(load_schema(DOC), url, SECRET)
    results: dict[str, tuple[float, float]] = {}
    async with app.router.lifespan_context(app):
        headers = await sign_in(app, data)
        for workload in only if profile is None else (profile,):
            lines = postgrest(data, workload)
            if profile is None:
                results[workload] = await measure(app, lines, headers, count)
                continue
            profiler = cProfile.Profile(time.process_time)  # CPU time: waits and other processes' load left out
            profiler.enable()
            await measure(app, lines, headers, count)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows per table (default 20,000)")
    parser.add_argument("--requests", type=int, default=3_000, help="timed requests per workload")
    parser.add_argument("--pg", default="", help="a PostgreSQL server for a throwaway database (default: SQLite)")
    parser.add_argument("--profile", choices=WORKLOADS, help="print cProfile's top functions for one workload")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads (default: all)")
    args = parser.parse_args(argv)
    only = tuple(w for w in args.only.split(",") if w in WORKLOADS)
    os.environ.setdefault("DOCBASE_SQLITE_SYNCHRONOUS", "normal")  # as the HTTP bench compares
    with tempfile.TemporaryDirectory(prefix="docbase-inprocess-") as work:
        url = _pg_database(args.pg) if args.pg else f"sqlite:///{Path(work) / 'bench.db'}"
        if url is None:
            raise SystemExit(2)
        try:
            results = asyncio.run(run(url, args.rows, args.requests, args.profile, only))
        finally:
            if args.pg:
                _drop(url, args.pg)
    if results:
        print(f"docbase in process, {'postgresql' if args.pg else 'sqlite'}, {args.rows:,} rows per table")
        print("| workload | CPU us / request | wall us / request |")
        print("|---|---|---|")
        for workload, (cpu, wall) in results.items():
            print(f"| {workload} | {cpu:,.0f} | {wall:,.0f} |")


if __name__ == "__main__":
    main()
