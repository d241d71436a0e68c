"""Reloading a running server: SIGHUP for ``serve`` (granian and uvicorn), saving the document for ``dev``.

Real processes and sockets: the document is edited on disk, and the new
column must appear in the API while a client keeps asking, without one
failed request; a destructive edit is refused and the old model keeps serving.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from docbase.auth import keys

from .test_serve import DOCBASE, SECRET, Server, free_port

pytestmark = pytest.mark.slow

BEFORE = "# Notes\n\n```sql\nCREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);\n```\n"
AFTER = "# Notes\n\n```sql\nCREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, title text);\n```\n"
DROPPED = "# Notes\n\n```sql\nCREATE TABLE notes (id integer PRIMARY KEY);\n```\n"


#: granian starts the new worker, waits 3.5 s (respawn_interval), then stops the old one gracefully:
#: until then a request may still reach the previous model.
OLD_WORKER_GONE = 5


def _has_title(base: str) -> bool:
    headers = {"apikey": keys.service_key(SECRET)}
    return httpx.get(f"{base}/rest/v1/notes?select=id,title", headers=headers, timeout=5).status_code == 200


def _wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


class Hammer:
    """A client asking all along; every answer must be a 200 or the 400 for the not-yet-there column."""

    def __init__(self, base: str) -> None:
        self.base, self.failures, self.count = base, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        headers = {"apikey": keys.service_key(SECRET)}
        with httpx.Client(base_url=self.base, headers=headers, timeout=10) as client:
            while not self._stop.is_set():
                try:
                    status = client.get("/rest/v1/notes?select=id").status_code
                    if status != 200:
                        self.failures.append(status)
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                self.count += 1
                time.sleep(0.02)

    def __enter__(self) -> Hammer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_sighup_applies_the_new_column_without_dropping_requests(tmp_path, db_url, server, monkeypatch):
    monkeypatch.setenv("DOCBASE_SERVER", server)
    s = Server(tmp_path, db_url, document=BEFORE)
    s.start()
    try:
        assert not _has_title(s.base)
        with Hammer(s.base) as hammer:
            (tmp_path / "design.md").write_text(AFTER)
            os.kill(s.proc.pid, signal.SIGHUP)
            assert _wait_for(lambda: _has_title(s.base), 60), "the new column never appeared"
            time.sleep(OLD_WORKER_GONE)
        assert all(_has_title(s.base) for _ in range(5))
        assert hammer.failures == [] and hammer.count > 10
        (tmp_path / "design.md").write_text(DROPPED)
        os.kill(s.proc.pid, signal.SIGHUP)
        time.sleep(6)  # the refusal is read from the output once the server stops
        assert _has_title(s.base)  # the drop was refused; the old model still serves
    finally:
        s.stop()
    output = s.proc.stdout.read()
    assert "reload: applied: 1 change" in output and "+ add column notes.title" in output
    refusal = next(line for line in output.splitlines() if line.startswith("reload: refused: refusing destructive"))
    assert "drop column notes.body" in refusal and "still serving the previous model" in refusal
    assert "Traceback" not in output


def test_dev_reloads_on_save(tmp_path, db_url):
    doc = tmp_path / "design.md"
    doc.write_text(BEFORE)
    port = free_port()
    env = {**os.environ, "DOCBASE_JWT_SECRET": SECRET, "PYTHONPATH": os.pathsep.join(sys.path)}
    log = tmp_path / "dev.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [DOCBASE, "dev", str(doc), "--db", db_url, "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: _up(base), 60), "dev did not start"
        assert not _has_title(base)
        time.sleep(0.5)  # the watcher is running once the server answers; let it settle
        doc.write_text(AFTER)
        assert _wait_for(lambda: _has_title(base), 60), "the saved column never appeared"
        time.sleep(OLD_WORKER_GONE)
        doc.write_text("# Notes\n\n```sql\nCREATE TABLE notes (id integer PRIMARY KEY, title text);\n```\n")
        assert _wait_for(lambda: "reload: refused:" in log.read_text(), 60)
        r = httpx.get(f"{base}/rest/v1/notes?select=id,title", headers={"apikey": keys.service_key(SECRET)})
        assert r.status_code == 200, (r.text, log.read_text())
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    output = log.read_text()
    assert f"watching {doc}" in output
    assert "+ add column notes.title" in output and "reload: refused:" in output
    assert "Traceback" not in output


def _up(base: str) -> bool:
    try:
        httpx.get(f"{base}/rest/v1/", timeout=1)
        return True
    except httpx.TransportError:
        return False


def test_a_reload_with_document_errors_keeps_the_old_model(tmp_path):
    from docbase.api.reload import reload_document

    doc = tmp_path / "design.md"
    doc.write_text("# Empty\n\nNo tables any more.\n")
    said: list[str] = []
    assert reload_document(doc, f"sqlite:///{tmp_path / 'x.db'}", said.append) is None
    assert said[-1] == f"reload: {doc} describes no table; still serving the previous model"
    assert reload_document(Path(tmp_path / "gone.md"), "sqlite://", said.append) is None
    assert "cannot read" in said[-1]
