"""What one REST read's transaction costs on PostgreSQL, client and server: ``python -m bench.pg_request --pg URL``.

wrk's figures on a two-core machine mix docbase, PostgreSQL and wrk on the
same cores. This takes docbase's database layer alone (docbase.db.direct:
the read-only transaction, the caller's role and claims, one prepared read
of one row as JSON, as a signed-in GET by id sends it) and reports, per
request, the CPU this process spent, the CPU the PostgreSQL backend spent
(its /proc counters) and the wall time, on uvloop as ``docbase serve`` runs.
``--baseline CHECKOUT`` runs the same loop with another checkout's src/ in
a second process, blocks alternated, so a change to the framing is measured
side by side: ``python -m bench.pg_request --pg URL --baseline /work/base``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

READ = "SELECT coalesce(json_agg(t), '[]')::text FROM (SELECT $1::int AS id, 'a row' AS name) t"
CLAIMS = "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)"


def _ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def _measure(url: str, count: int) -> dict[str, float]:
    import time

    import psycopg

    from docbase.db.direct import DirectTx

    conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    hz = os.sysconf("SC_CLK_TCK")

    async def once(n: int) -> None:
        tx = DirectTx(conn)
        await tx.open(True)
        await tx.configure(CLAIMS, ["authenticated", '{"role": "authenticated", "sub": "bench"}'])
        await tx.rows(READ, [n], last=True)
        await tx.close()

    for n in range(300):
        await once(n)
    pid = conn.info.backend_pid
    server, cpu, wall = _ticks(pid), time.process_time(), time.perf_counter()
    for n in range(count):
        await once(n)
    result = {
        "client_us": (time.process_time() - cpu) * 1e6 / count,
        "server_us": (_ticks(pid) - server) / hz * 1e6 / count,
        "wall_us": (time.perf_counter() - wall) * 1e6 / count,
    }
    await conn.close()
    return result


def _child(url: str, count: int) -> None:
    import uvloop

    print(json.dumps(uvloop.run(_measure(url, count))))


def _run(src: Path, url: str, count: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{Path(__file__).resolve().parent.parent}"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.pg_request", "--child", "--pg", url, "--requests", str(count)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_request", description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="a PostgreSQL server URL (nothing is written to it)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per block")
    parser.add_argument("--blocks", type=int, default=5, help="blocks per contender, alternated")
    parser.add_argument("--baseline", type=Path, help="another docbase checkout, measured beside this one")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.pg, args.requests)
        return
    here = Path(__file__).resolve().parent.parent / "src"
    contenders = {"docbase": here} | ({"baseline": args.baseline / "src"} if args.baseline else {})
    sums: dict[str, dict[str, float]] = {name: {} for name in contenders}
    for _ in range(args.blocks):
        for name, src in contenders.items():
            for key, value in _run(src, args.pg, args.requests).items():
                sums[name][key] = sums[name].get(key, 0.0) + value / args.blocks
    print(f"one signed-in read's transaction on PostgreSQL, {args.blocks} x {args.requests:,} requests, uvloop")
    print("| contender | client CPU us | server CPU us | wall us | vs docbase (wall) |")
    print("|---|---|---|---|---|")
    for name, got in sums.items():
        ratio = got["wall_us"] / sums["docbase"]["wall_us"]
        print(f"| {name} | {got['client_us']:.0f} | {got['server_us']:.0f} | {got['wall_us']:.0f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
