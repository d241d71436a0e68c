"""``docbase serve`` as a user runs it: a real process, real sockets, SIGKILL in the middle of writes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from docbase.auth import keys

pytestmark = pytest.mark.slow

DOC = "```sql\nCREATE TABLE events (id integer PRIMARY KEY, body text NOT NULL, n integer NOT NULL);\n```\n"
DOCBASE = str(Path(sys.executable).with_name("docbase"))
SECRET = "serve-test-secret-0123456789-abcdefgh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, url: str, workers: int = 1, document: str = DOC) -> None:
        self.tmp, self.url, self.workers, self.document = tmp, url, workers, document
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.service_key = ""
        self.anon_key = ""
        self.output = ""

    def start(self) -> None:
        doc = self.tmp / "design.md"
        doc.write_text(self.document)
        env = {**os.environ, "DOCBASE_JWT_SECRET": SECRET}
        self.proc = subprocess.Popen(
            [DOCBASE, "serve", str(doc), "--db", self.url, "--port", str(self.port), "--workers", str(self.workers)],
            cwd=self.tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        deadline = time.time() + 30
        lines = []
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            lines.append(line)
            if line.startswith("anon key:"):
                self.anon_key = line.split(":", 1)[1].strip()
            if line.startswith("service_role key:"):
                self.service_key = keys.service_key(SECRET)  # never printed: serve's output lands in logs
                break
            if not line and self.proc.poll() is not None:
                raise AssertionError("serve exited: " + "".join(lines))
        self.output = "".join(lines)
        assert "http://127.0.0.1:" in self.output
        while time.time() < deadline:
            try:
                httpx.get(f"{self.base}/rest/v1/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("server did not start listening")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"apikey": self.service_key}, timeout=10)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        """SIGTERM and a graceful shutdown; on a loaded machine one that outlasts 10 s is killed rather than
        failing the teardown of a test that passed (a hung shutdown shows in the tests that check it)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(request, tmp_path, db_url):
    made: list[Server] = []

    def make(workers: int = 1) -> Server:
        s = Server(tmp_path, db_url, workers)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


def test_serve_prints_keys_and_answers(server):
    s = server()
    s.start()
    assert s.anon_key == keys.anon_key(SECRET)
    assert keys.service_key(SECRET) not in s.output  # it bypasses every rule: never into logs
    doc = s.tmp / "design.md"
    assert f"service_role key: run `docbase keys {doc}` to print it (keep it secret)" in s.output
    with s.client() as c:
        assert c.post("/rest/v1/events", json={"id": 1, "body": "x", "n": 1}).status_code == 201
        assert c.get("/rest/v1/events?select=id").json() == [{"id": 1}]
        assert c.get("/docs").status_code == 200
    assert httpx.get(f"{s.base}/rest/v1/events").status_code == 401


def test_several_workers_share_one_database(server):
    s = server(workers=2)
    s.start()
    with s.client() as c:
        for i in range(20):
            assert c.post("/rest/v1/events", json={"id": i, "body": "w", "n": i}).status_code == 201
        assert len(c.get("/rest/v1/events").json()) == 20


KILL_AFTER = 20  # acknowledged batches of 10 rows before the server is killed


def test_sigkill_during_inserts_loses_no_acknowledged_row(server):
    s = server()
    s.start()
    acknowledged: list[int] = []
    stop, enough = threading.Event(), threading.Event()

    def writer() -> None:
        with s.client() as c:
            i = 0
            while not stop.is_set():
                rows = [{"id": i * 10 + k, "body": f"row-{i * 10 + k}-" + "z" * 200, "n": k} for k in range(10)]
                try:
                    response = c.post("/rest/v1/events", json=rows)
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    acknowledged.extend(r["id"] for r in rows)
                    if len(acknowledged) >= KILL_AFTER * 10:
                        enough.set()  # the kill lands while later batches are in flight
                i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    # an event, not a sleep: the kill comes after KILL_AFTER acknowledged batches however fast the machine is
    # (the wait's limit only stops a hung writer from hanging the suite)
    assert enough.wait(timeout=300), f"the writer got fewer than {KILL_AFTER} batches acknowledged"
    s.kill()
    stop.set()
    thread.join(timeout=10)
    assert acknowledged, "no insert finished before the kill"
    s2 = server()
    s2.start()
    with s2.client() as c:
        rows = c.get("/rest/v1/events?order=id").json()
    by_id = {r["id"]: r for r in rows}
    assert set(acknowledged) <= set(by_id)
    # Whole batches or nothing: every stored row is complete and its batch is complete.
    for r in rows:
        assert r["body"] == f"row-{r['id']}-" + "z" * 200
    assert len(rows) % 10 == 0
