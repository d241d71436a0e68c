"""docbase itself: ``docbase serve bench/doc.md`` with 1 or N workers, the user signed in through /auth/v1."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from docbase.api.serve import FACTORY, event_loop, server_name
from docbase.auth import keys

from ..dataset import DOC, EMAIL, PASSWORD, Dataset, enrol
from ..http import procs
from ..workloads import postgrest
from . import Contender

SECRET = os.environ.get("BENCH_JWT_SECRET") or "bench-secret-" + os.urandom(24).hex()
# PocketBase runs SQLite with synchronous=NORMAL; docbase's default is FULL (an fsync per write). The bench
# compares like with like and says so in the notes; DOCBASE_SQLITE_SYNCHRONOUS=full measures the default.
SYNCHRONOUS = os.environ.get("DOCBASE_SQLITE_SYNCHRONOUS", "normal")
ENV = {"DOCBASE_JWT_SECRET": SECRET, "DOCBASE_SQLITE_SYNCHRONOUS": SYNCHRONOUS}


def _post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _get_status(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def server_command(target: str, port: int, workers: int = 1, factory: bool = False) -> list[str]:
    """The command `docbase serve` runs for ``target`` (docbase.api.serve): granian or uvicorn, no access log."""
    if server_name() == "granian":
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", event_loop()]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
        command += ["--no-access-log"]
        return command + (["--factory"] if factory else []) + [target]
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return command + (["--factory"] if factory else [])


def contender(database: str, workers: int, baseline: Path | None = None) -> Contender:
    """docbase with ``workers`` processes; ``baseline``: another checkout's src/ (``python -m bench --baseline``),
    named "baseline ..." so one run compares a change with what it changes."""
    label = "baseline" if baseline else "docbase"
    found = Contender(f"{label} {database} {workers}w", database, None, None, lambda d, w: postgrest(d, w))  # type: ignore[arg-type]
    if baseline:
        found.notes.append(f"docbase from {baseline}")
    if database == "sqlite":
        found.notes.append(f"SQLite synchronous={SYNCHRONOUS} (PocketBase: normal; docbase's default: full)")

    def start(workdir: Path, data: Dataset) -> procs.Server:
        # What `docbase serve --workers N` runs once it has migrated (the seed step migrated already): the
        # app factory under docbase's server (granian or uvicorn, the `server` setting). `docbase serve` itself
        # cannot restart on a SQLite database where someone signed up: its migration plans to drop the auth_*
        # tables and refuses (reported).
        port = procs.free_port()
        command = server_command(FACTORY, port, workers, factory=True)
        env = {**ENV, "DOCBASE_SERVE_DOCUMENT": str(DOC), "DOCBASE_DB_URL": data.url}
        if baseline:
            env["PYTHONPATH"] = str(baseline / "src")
        return procs.start(found.name, command, port, workdir, env, ready_path="/rest/v1/")

    def sign_in(server: procs.Server, data: Dataset) -> dict[str, str]:
        anon = keys.anon_key(SECRET)
        auth = server.base_url + "/auth/v1"
        status, body = _post(
            f"{auth}/token?grant_type=password", {"email": EMAIL, "password": PASSWORD}, {"apikey": anon}
        )
        if status != 200:
            status, body = _post(f"{auth}/signup", {"email": EMAIL, "password": PASSWORD}, {"apikey": anon})
        if status != 200 or "access_token" not in body:
            raise RuntimeError(f"docbase sign-up/sign-in failed ({status}): {body}")
        if data.user_id != body["user"]["id"]:
            enrol(data, body["user"]["id"])
        data.token = body["access_token"]
        headers = {"apikey": anon, "Authorization": f"Bearer {data.token}"}
        probe = f"{server.base_url}/rest/v1/tasks?id=eq.{data.task_ids[0]}"
        if _get_status(probe, headers) in (401, 403):
            # Row-level access is not wired into /rest/v1 in this build: measure with the service key, and say so.
            service = keys.service_key(SECRET)
            headers = {"apikey": service, "Authorization": f"Bearer {service}"}
            note = "signed-in user refused (403): row access not enforced by this build, measured with service_role"
            if note not in found.notes:
                found.notes.append(note)
        return {**headers, "Content-Type": "application/json", "Prefer": "return=representation"}

    found.start, found.sign_in = start, sign_in
    return found
