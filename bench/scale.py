"""The scale curve: by-id read and filtered list latency through docbase at 10k, 100k and 1M tasks (SQLite).

It should stay flat: both are index lookups. The tasks table is grown by
copying its own rows (new ids, same organizations, statuses and dates), which
takes seconds where seeding every table to a million rows would take minutes.
The query plans printed are SQLite's EXPLAIN QUERY PLAN for the same
statements with the membership check the workloads use.
Run alone: ``python -m bench.scale`` (or ``python -m bench --scale``).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from .contenders import docbase_serve, floor_driver
from .dataset import seed
from .http import wrk
from .workloads import postgrest, write

SIZES = (10_000, 100_000, 1_000_000)


def _grow(path: str, target: int) -> None:
    with sqlite3.connect(path) as conn:
        have = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
        while have < target:
            batch = min(have, target - have)
            conn.execute(
                "INSERT INTO tasks (id, organization_id, project_id, title, status, priority, created_at, updated_at) "
                "SELECT lower(hex(randomblob(16))), organization_id, project_id, title, status, priority, "
                "created_at, updated_at FROM tasks LIMIT ?",
                (batch,),
            )
            have += batch
        conn.commit()


def _plans(path: str, data) -> list[str]:
    out = []
    with sqlite3.connect(path) as conn:
        for workload, params in (
            ("by_id", (data.task_ids[0], data.user_id)),
            ("list", (data.org_id, "todo", data.user_id)),
        ):
            sql = floor_driver.QUERIES[workload][0]
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            out.append(f"{workload}: " + "; ".join(r[-1] for r in rows))
    return out


def run(pg_url: str = "", seconds: int = 3) -> str:
    """Markdown: a latency table per size and the query plans. (PostgreSQL is not part of the curve yet.)"""
    workdir = Path(tempfile.mkdtemp(prefix="docbase-scale-"))
    lines = [
        "## Scale curve (docbase on SQLite, 1 worker)\n",
        "| tasks | workload | req/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    plans: list[str] = []
    try:
        data = seed(f"sqlite:///{workdir / 'scale.db'}", SIZES[0], 20)
        contender = docbase_serve.contender("sqlite", 1)
        for size in SIZES:
            _grow(data.sqlite_path, size)
            print(f"\n== scale: {size:,} tasks", flush=True)
            server = contender.start(workdir, data)
            try:
                headers = contender.sign_in(server, data)
                for workload in ("by_id", "list"):
                    requests, head = write(postgrest(data, workload), headers, workdir / "scale", workload)
                    r = wrk.run(server.base_url, requests, head, seconds, 2, 32)
                    print(f"   {workload:6} {r.requests_per_second:>8,.0f} req/s  p50 {r.p50_ms:.2f} ms", flush=True)
                    lines.append(
                        f"| {size:,} | {workload} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} |"
                    )
            finally:
                server.stop()
            plans = _plans(data.sqlite_path, data)
        lines += ["", "Query plans at 1M tasks (EXPLAIN QUERY PLAN):", ""] + [f"- `{p}`" for p in plans]
        for p in plans:
            print("   plan", p)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
