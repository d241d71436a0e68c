"""Profile docbase under one workload with py-spy: ``python -m bench.profile [WORKLOAD] [--rows N]``.

Starts docbase on a seeded SQLite file (or, with ``--pg URL``, a throwaway PostgreSQL database; 1 worker), drives it with wrk for
``--seconds`` while ``py-spy record`` samples the worker, and writes a flame
graph to bench/results/profile-<workload>.svg plus the top frames (own time) to stdout.
py-spy is installed into the venv at run time when missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .__main__ import _drop, _pg_database
from .contenders import docbase_serve
from .dataset import seed
from .http import wrk
from .workloads import WORKLOADS, postgrest, write

RESULTS = Path(__file__).resolve().parent / "results"


def py_spy() -> str:
    exe = Path(sys.executable).parent / "py-spy"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(exe)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", nargs="?", default="by_id", choices=WORKLOADS)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--pg", default="", help="profile on PostgreSQL: a server URL for a throwaway database")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="docbase-profile-"))
    pg_url = _pg_database(args.pg) if args.pg else None
    try:
        data = seed(pg_url or f"sqlite:///{workdir / 'profile.db'}", args.rows, 20)
        contender = docbase_serve.contender(data.kind, 1)
        server = contender.start(workdir, data)
        try:
            headers = contender.sign_in(server, data)
            requests, head = write(postgrest(data, args.workload), headers, workdir, args.workload)
            load = threading.Thread(
                target=wrk.run, args=(server.base_url, requests, head, args.seconds + 2, 2, 32), daemon=True
            )
            load.start()
            svg = RESULTS / f"profile-{args.workload}{'-postgresql' if pg_url else ''}.svg"
            record = [py_spy(), "record", "--pid", str(server.process.pid), "-d", str(args.seconds), "--nonblocking"]
            record += ["--subprocesses"]  # granian serves from a worker process under its main one
            raw = workdir / "profile.txt"
            spies = [
                subprocess.Popen(record + ["-o", str(svg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                subprocess.Popen(
                    record + ["-f", "raw", "-o", str(raw)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                ),
            ]
            for spy in spies:
                spy.wait()
            load.join()
            print(f"flame graph: {svg}")
            if raw.exists():
                _top(raw.read_text())
        finally:
            server.stop()
    finally:
        if pg_url:
            _drop(pg_url, args.pg)
        shutil.rmtree(workdir, ignore_errors=True)


def _top(collapsed: str, count: int = 25) -> None:
    """Own time and inclusive time per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in collapsed.splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        total += int(n)
        own[frames[-1]] = own.get(frames[-1], 0) + int(n)
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + int(n)
    print(f"\n{total} samples; top own time:")
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:count]:
        print(f"  {100 * n / total:5.1f}%  {frame}")
    print("\ntop inclusive time (docbase frames):")
    shown = [(f, n) for f, n in inclusive.items() if "docbase" in f]
    for frame, n in sorted(shown, key=lambda kv: -kv[1])[:count]:
        print(f"  {100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
