"""The database floor: the same queries, with the same membership check, in a loop on one connection, no HTTP.

This is what the workloads cost the database itself (sqlite3 or psycopg,
statements prepared by the driver's cache); an HTTP contender can only add
to it. It runs in the bench process, one connection, so its requests/s is
per connection, not the server's capacity under 32 clients.
"""

from __future__ import annotations

import statistics
import time
import uuid

from ..dataset import STATUSES, Dataset

ORGS = "organization_id IN (SELECT organization_id FROM members WHERE user_id = ?)"
QUERIES = {
    "by_id": [f"SELECT * FROM tasks WHERE id = ? AND {ORGS}"],
    "list": [
        f"SELECT * FROM tasks WHERE organization_id = ? AND status = ? AND {ORGS} ORDER BY created_at DESC LIMIT 20"
    ],
    "embed": [f"SELECT * FROM tasks WHERE id = ? AND {ORGS}", f"SELECT * FROM comments WHERE task_id = ? AND {ORGS}"],
    "insert": [
        "INSERT INTO tasks (id, organization_id, project_id, title, status, priority) "
        "SELECT ?, ?, ?, ?, 'todo', ? WHERE ? IN (SELECT organization_id FROM members WHERE user_id = ?) RETURNING *"
    ],
    "update": [f"UPDATE tasks SET priority = ? WHERE id = ? AND {ORGS} RETURNING *"],
}


def _params(data: Dataset, workload: str, n: int) -> list[tuple]:
    task = data.task_ids[n % len(data.task_ids)]
    user = data.user_id
    if workload in ("by_id", "embed"):
        return [(task, user)] * len(QUERIES[workload])
    if workload == "list":
        return [(data.org_id, STATUSES[n % 3], user)]
    if workload == "insert":
        project = data.project_ids[n % len(data.project_ids)]
        return [(str(uuid.uuid4()), data.org_id, project, f"floor task {n}", n % 5, data.org_id, user)]
    return [(n % 5, task, user)]


def run(data: Dataset, workload: str, seconds: float) -> dict:
    """Loop ``workload``'s statements for ``seconds``; requests/s and p50/p99 latency in ms."""
    statements = [data.sql(q) for q in QUERIES[workload]]
    latencies: list[float] = []
    conn = data.connect()
    try:
        cur = conn.cursor()
        deadline = time.perf_counter() + seconds
        n = 0
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            begin = time.perf_counter()
            for sql, params in zip(statements, _params(data, workload, n), strict=True):
                cur.execute(sql, params)
                rows = cur.fetchall()
                if workload != "embed" and not rows:
                    raise RuntimeError(f"database floor: {workload} returned no row (access check or ids wrong)")
            conn.commit()
            latencies.append((time.perf_counter() - begin) * 1000)
            n += 1
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests_per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "requests": len(latencies),
        "non_2xx": 0,
        "socket_errors": 0,
    }
