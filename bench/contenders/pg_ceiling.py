"""PostgreSQL's own ceiling: what the server answers at the bench's concurrency with no docbase in front.

Two figures, both from ``pgbench`` run with the same number of clients as
wrk's connections and prepared statements (``-M prepared``):

- ``pgbench -S``: the built-in select-only benchmark on its own table (scale
  10, in a throwaway database): the fastest point read the server does here.
- ``request``: the transaction docbase sends for a signed-in by-id or list
  request on the bench dataset (``BEGIN READ ONLY``, the role and claims with
  ``set_config``, the query under row-level security, ``COMMIT``): the most
  docbase could reach on this machine if it cost nothing itself.

docbase's PostgreSQL figures are reported as a ratio to these (bench/report.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

from ..dataset import STATUSES, Dataset, with_database

_TPS = re.compile(r"tps = ([0-9.]+) \(without initial connection time\)")
_LATENCY = re.compile(r"latency average = ([0-9.]+) ms")


def _pgbench(url: str, args: list[str], seconds: int, clients: int, threads: int) -> dict:
    command = ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", str(threads), "-T", str(seconds)]
    done = subprocess.run(command + args + [url], capture_output=True, text=True, timeout=seconds + 120)
    tps, latency = _TPS.search(done.stdout), _LATENCY.search(done.stdout)
    if done.returncode != 0 or not tps:
        raise RuntimeError(f"pgbench failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return {
        "requests_per_second": float(tps.group(1)),
        "p50_ms": float(latency.group(1)) if latency else None,  # pgbench reports the mean, not the median
        "p99_ms": None,
        "non_2xx": 0,
        "socket_errors": 0,
    }


def _select_only(server_url: str, seconds: int, clients: int, threads: int) -> dict:
    import psycopg

    name = f"docbase_pgbench_{uuid.uuid4().hex[:8]}"
    url = with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(["pgbench", "-i", "-q", "-s", "10", url], check=True, capture_output=True, timeout=300)
        return _pgbench(url, ["-S"], seconds, clients, threads)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _request_scripts(data: Dataset, folder: Path) -> dict[str, Path]:
    """pgbench scripts for the by-id and list requests of the signed-in bench user."""
    import psycopg

    with psycopg.connect(data.url, autocommit=True) as conn:  # ids pgbench can draw by number
        conn.execute("DROP TABLE IF EXISTS bench_ids")
        conn.execute("CREATE TABLE bench_ids (n integer PRIMARY KEY, id uuid NOT NULL)")
        with conn.cursor().copy("COPY bench_ids (n, id) FROM STDIN") as copy:
            for n, task in enumerate(data.task_ids, 1):
                copy.write_row((n, task))
        conn.execute("GRANT SELECT ON bench_ids TO authenticated")
    claims = json.dumps({"sub": data.user_id, "role": "authenticated", "aud": "authenticated"}).replace("'", "''")
    prelude = (
        "BEGIN READ ONLY;\n"
        f"SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', '{claims}', true);\n"
    )
    queries = {
        "by_id": (
            f"\\set n random(1, {len(data.task_ids)})\n" + prelude + "SELECT * FROM tasks "
            "WHERE id = (SELECT id FROM bench_ids WHERE n = :n);\nCOMMIT;\n"
        ),
        "list": (
            prelude + f"SELECT * FROM tasks WHERE organization_id = '{data.org_id}' AND status = '{STATUSES[0]}' "
            "ORDER BY created_at DESC LIMIT 20;\nCOMMIT;\n"
        ),
    }
    scripts = {}
    for workload, text in queries.items():
        scripts[workload] = folder / f"{workload}.sql"
        scripts[workload].write_text(text)
        lines = text.splitlines()  # the same statements in one round trip (libpq pipeline mode)
        first = 1 if lines[0].startswith("\\set") else 0
        pipelined = lines[:first] + ["\\startpipeline"] + lines[first:] + ["\\endpipeline"]
        scripts[f"{workload} pipelined"] = folder / f"{workload}-pipelined.sql"
        scripts[f"{workload} pipelined"].write_text("\n".join(pipelined) + "\n")
    return scripts


def run(server_url: str, data: Dataset, seconds: int, clients: int, threads: int) -> list[dict]:
    """Both ceilings as contender entries (database ``postgresql``)."""
    select_only = {
        "name": "pgbench -S",
        "database": "postgresql",
        "workloads": {"by_id": _select_only(server_url, seconds, clients, threads)},
        "notes": ["PostgreSQL's built-in select-only benchmark (scale 10), prepared; p50 column is the mean"],
    }
    with tempfile.TemporaryDirectory() as folder:
        scripts = _request_scripts(data, Path(folder))
        measured = {w: _pgbench(data.url, ["-f", str(p)], seconds, clients, threads) for w, p in scripts.items()}
    request = {
        "name": "pgbench request",
        "database": "postgresql",
        "workloads": {w: m for w, m in measured.items() if not w.endswith("pipelined")},
        "notes": ["docbase's per-request transaction (role, claims, query under RLS), prepared; p50 is the mean"],
    }
    pipelined = {
        "name": "pgbench request pipelined",
        "database": "postgresql",
        "workloads": {w.split()[0]: m for w, m in measured.items() if w.endswith("pipelined")},
        "notes": ["the same transaction sent in one round trip (pipeline mode), as PostgREST sends it"],
    }
    return [select_only, request, pipelined]
