"""``python -m bench`` (``make bench``): docbase against what users would pick instead, over HTTP, in one run.

One document (bench/doc.md), one dataset per database (seeded once by
``docbase seed``), each contender started as its own process on a free
loopback port and driven by wrk with bench/lua/rotate.lua, as a signed-in
user with access rules on. Prints requests/s, p50/p99 latency and peak RSS
per contender and workload with ratios to docbase, and writes
bench/results/results.{json,md} and chart.png. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from . import chart, report
from .contenders import Contender, docbase_serve, floor_driver, pg_ceiling, python_apps
from .dataset import Dataset, seed, with_database
from .http import wrk
from .workloads import WORKLOADS, write

RESULTS = Path(__file__).resolve().parent / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _capture(server_url: str, contender: Contender, data: Dataset, headers: dict[str, str]) -> dict:
    """docbase's own answer to the first request of each workload: the HTTP floor serves these bytes."""
    canned = {}
    for workload in WORKLOADS:
        method, path, body = contender.lines(data, workload)[0]
        request = urllib.request.Request(server_url + path, data=body.encode() or None, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                canned[workload] = (answer.status, answer.read().decode())
        except urllib.error.HTTPError as exc:
            canned[workload] = (exc.code, exc.read().decode())
    return canned


def _check_reads(server_url: str, contender: Contender, data: Dataset, headers: dict[str, str]) -> None:
    """A contender answering reads with nothing (access denied as an empty list) would look fast: refuse it."""
    for workload in ("by_id", "list", "embed"):
        method, path, _ = contender.lines(data, workload)[0]
        request = urllib.request.Request(server_url + path, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as answer:
            if b'"id"' not in answer.read():
                raise RuntimeError(f"{contender.name}: {workload} answered without rows for the signed-in user")


def run_http(contender: Contender, data: Dataset, args, workdir: Path) -> tuple[dict, dict | None]:
    """Start, sign in, run every workload, stop; the contender's results and (for docbase) canned answers."""
    entry: dict = {"name": contender.name, "database": contender.database, "workloads": {}, "notes": contender.notes}
    print(f"\n== {contender.name}", flush=True)
    server = contender.start(workdir, data)
    canned = None
    try:
        headers = contender.sign_in(server, data)
        if contender.name.startswith("docbase"):
            canned = _capture(server.base_url, contender, data, headers)
        _check_reads(server.base_url, contender, data, headers)
        folder = workdir / contender.name.replace(" ", "_")
        for workload in WORKLOADS:
            requests, head = write(contender.lines(data, workload), headers, folder, workload)
            try:
                result = wrk.run(server.base_url, requests, head, args.seconds, args.threads, args.connections)
                entry["workloads"][workload] = result.as_dict()
                print(f"   {workload:7} {result.requests_per_second:>9,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
                      f"p99 {result.p99_ms:7.2f} ms  non-2xx {result.non_2xx}", flush=True)  # fmt: skip
            except (RuntimeError, ValueError) as exc:
                entry["workloads"][workload] = {"error": str(exc)}
                print(f"   {workload:7} error: {exc}", flush=True)
            server.sample()
        process, tree = server.peak_rss_mb()
        entry["peak_rss_mb"] = {"process": round(process, 1), "tree": round(tree, 1)}
    finally:
        server.stop()
    return entry, canned


def run_driver(data: Dataset, args) -> dict:
    name = f"driver floor {data.kind}"
    print(f"\n== {name}", flush=True)
    entry: dict = {"name": name, "database": data.kind, "workloads": {}, "notes": ["one connection, no HTTP"]}
    for workload in WORKLOADS:
        result = floor_driver.run(data, workload, min(args.seconds, 5))
        entry["workloads"][workload] = result
        print(
            f"   {workload:7} {result['requests_per_second']:>9,.0f} q/s    p50 {result['p50_ms']:7.2f} ms", flush=True
        )
    return entry


def _pg_database(server_url: str) -> str | None:
    """A throwaway database on the server, or None when PostgreSQL is not reachable."""
    try:
        import psycopg

        name = f"docbase_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return with_database(server_url, name)
    except Exception as exc:  # any failure to reach the server means: no PostgreSQL contenders
        print(f"bench: PostgreSQL at {server_url} not usable ({exc}); skipping PostgreSQL contenders", file=sys.stderr)
        return None


def _drop(url: str, server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per table (default 100,000)")
    parser.add_argument("--tenants", type=int, default=20, help="organizations (default 20)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per workload (default 5)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server for a throwaway database ('' to skip)")
    parser.add_argument("--only", default="", help="comma-separated name parts: run only those contenders")
    parser.add_argument("--scale", action="store_true", help="also run the scale curve (bench/scale.py)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another docbase checkout: also run its src/ as 'baseline <db> 1w' (before/after)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (databases, logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wrk.ensure_wrk()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="docbase-bench-"))
    results: dict = {
        "machine": report.machine(),
        "config": {
            k: v for k, v in vars(args).items() if k in ("rows", "tenants", "seconds", "threads", "connections")
        },
        "contenders": [],
        "missing": [],
    }
    pg_url = _pg_database(args.pg) if args.pg else None
    try:
        datasets = {"sqlite": seed(f"sqlite:///{workdir / 'bench.db'}", args.rows, args.tenants)}
        print(f"seeded sqlite: {args.rows:,} rows per table in {datasets['sqlite'].seconds:.1f} s", flush=True)
        if pg_url:
            datasets["postgresql"] = seed(pg_url, args.rows, args.tenants)
            print(f"seeded postgresql in {datasets['postgresql'].seconds:.1f} s", flush=True)
        plan = _plan(datasets, args.baseline)
        canned: dict | None = None
        for contender, data in plan:
            if args.only and not any(part in contender.name for part in args.only.split(",")):
                continue
            if contender.name == "asgi floor" and canned is None:
                results["missing"].append({"name": contender.name, "reason": "needs docbase's answers (run docbase)"})
                continue
            if contender.name == "asgi floor":
                contender = python_apps.asgi_floor(canned)
            try:
                entry, got = run_http(contender, data, args, workdir)
            except Exception as exc:  # one contender failing must not lose the others' numbers
                print(f"   {contender.name} could not run: {exc}", file=sys.stderr, flush=True)
                results["missing"].append({"name": contender.name, "reason": str(exc).splitlines()[0]})
                continue
            canned = canned or got
            results["contenders"].append(entry)
        for data in datasets.values():
            if data.user_id and (not args.only or "driver" in args.only.split(",")):
                results["contenders"].append(run_driver(data, args))
        if "postgresql" in datasets and datasets["postgresql"].user_id and (not args.only or "pgbench" in args.only):
            print("\n== PostgreSQL ceiling (pgbench)", flush=True)
            try:
                ceilings = pg_ceiling.run(args.pg, datasets["postgresql"], args.seconds, args.connections, args.threads)
                results["contenders"] += ceilings
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                results["missing"].append({"name": "pgbench", "reason": str(exc).splitlines()[0]})
        if args.scale:
            from . import scale

            results["scale"] = scale.run(args.pg if pg_url else "")
    finally:
        if pg_url:
            _drop(pg_url, args.pg)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["config"]["total_seconds"] = round(time.monotonic() - started)
    report.write(results, args.out)
    png = chart.draw(results, args.out / "chart.png")
    print("\n" + report.markdown_table(results))
    if report.baseline_table(results):
        print(report.baseline_table(results))
    if report.ceiling_table(results):
        print(report.ceiling_table(results))
    print(f"wrote {args.out / 'results.json'}, {args.out / 'results.md'}" + (f", {png}" if png else ""))
    print(json.dumps({"total_seconds": results["config"]["total_seconds"]}))


def _plan(datasets: dict[str, Dataset], baseline: Path | None = None) -> list[tuple[Contender, Dataset]]:
    """Contenders in running order: docbase first on each database (it signs the user up and enrols them)."""
    plan: list[tuple[Contender, Dataset]] = []
    for database, data in datasets.items():
        plan.append((docbase_serve.contender(database, 1), data))
        if baseline:
            plan.append((docbase_serve.contender(database, 1, baseline.resolve()), data))
        plan.append((docbase_serve.contender(database, 2), data))
        if database == "postgresql":  # stateless workers over one server: does a third and fourth add more?
            plan.append((docbase_serve.contender(database, 4), data))
        plan.append((python_apps.fastapi_orm(database), data))
    try:
        from .contenders import pocketbase

        plan.append((pocketbase.contender(), datasets["sqlite"]))
    except ImportError:
        pass
    plan.append((python_apps.asgi_floor({}), datasets["sqlite"]))
    return plan


if __name__ == "__main__":
    main()
