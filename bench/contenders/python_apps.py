"""Launchers for the Python contenders that are not docbase: the FastAPI app and the bare ASGI floor.

The FastAPI app runs on uvicorn (with httptools and uvloop, which uvicorn picks when installed), as a
developer would deploy it. The floor runs on docbase's own server (granian or uvicorn, as `docbase serve`),
so what it measures is the HTTP stack docbase itself pays for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..dataset import Dataset
from ..http import procs
from ..workloads import WORKLOADS, floor, plain_rest
from . import Contender
from .docbase_serve import SECRET, server_command

ROOT = Path(__file__).resolve().parents[2]


def ensure_fastapi() -> None:
    """FastAPI is a bench-time tool, not a docbase dependency: install it into this venv when missing."""
    try:
        import fastapi  # noqa: F401
    except ImportError:
        print("bench: installing fastapi into the venv for the hand-written contender ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "fastapi"], check=True)


def _uvicorn(name: str, target: str, port: int, workdir: Path, env: dict[str, str], ready: str) -> procs.Server:
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    return procs.start(name, command, port, workdir, {"PYTHONPATH": str(ROOT), **env}, ready_path=ready)


def fastapi_orm(database: str) -> Contender:
    def start(workdir: Path, data: Dataset) -> procs.Server:
        ensure_fastapi()
        env = {"BENCH_DB_URL": data.url, "BENCH_JWT_SECRET": SECRET}
        return _uvicorn(
            f"fastapi-orm {database}", "bench.contenders.fastapi_orm:app", procs.free_port(), workdir, env, "/docs"
        )

    def sign_in(server: procs.Server, data: Dataset) -> dict[str, str]:
        # The same docbase-issued token the docbase run used: an app behind Supabase Auth verifies it with the secret.
        return {"Authorization": f"Bearer {data.token}", "Content-Type": "application/json"}

    return Contender(f"fastapi-orm {database}", database, start, sign_in, plain_rest)


def asgi_floor(canned: dict[str, tuple[int, str]]) -> Contender:
    """The HTTP floor: a bare ASGI callable answering each workload with docbase's own response body."""

    def start(workdir: Path, data: Dataset) -> procs.Server:
        path = workdir / "canned.json"
        path.write_text(json.dumps({w: canned[w] for w in WORKLOADS if w in canned}))
        env = {"BENCH_CANNED": str(path)}
        port = procs.free_port()
        command = server_command("bench.contenders.floor_asgi:app", port)
        return procs.start("asgi floor", command, port, workdir, {"PYTHONPATH": str(ROOT), **env}, ready_path="/by_id")

    def sign_in(server: procs.Server, data: Dataset) -> dict[str, str]:
        return {"Authorization": f"Bearer {data.token}", "Content-Type": "application/json"}

    return Contender("asgi floor", "none", start, sign_in, floor)
