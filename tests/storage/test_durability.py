"""Crashes and big bodies: ``kill -9`` mid-upload leaves no object; 200 MB streams through in bounded memory."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from ..api.test_serve import Server
from .conftest import DOC

pytestmark = pytest.mark.slow
MB = 1 << 20


def _blobs(tmp: Path) -> list[Path]:
    return [p for p in (tmp / ".docbase" / "storage" / "blobs").rglob("*") if p.is_file()]


def _start(tmp: Path, url: str, toml: str = "") -> Server:
    (tmp / "docbase.toml").write_text(toml)
    s = Server(tmp, url, document=DOC)
    s.start()
    return s


def kill_during_upload(tmp: Path, url: str, toml: str, sent_enough, left_over) -> None:
    """Start an upload, kill -9 the server once ``sent_enough()`` says the store holds part of it; restarted,
    the object is not there and ``left_over()`` (the store's blobs) is empty."""
    s = _start(tmp, url, toml)
    headers = {"apikey": s.service_key, "content-type": "application/octet-stream"}
    target = f"{s.base}/storage/v1/object/files/crash/partial.bin"
    sent = threading.Event()
    try:
        with s.client() as c:
            assert c.post("/storage/v1/bucket", json={"id": "files"}).status_code == 200

        def body():
            for _ in range(9):  # past one S3 part, so an S3 store has a multipart upload under way
                yield b"x" * MB
            sent.set()
            time.sleep(30)  # the server dies while waiting for the rest
            yield b"y"

        def upload():
            try:
                httpx.post(target, content=body(), headers=headers, timeout=60)
            except httpx.HTTPError:
                pass

        worker = threading.Thread(target=upload, daemon=True)
        worker.start()
        assert sent.wait(30)
        deadline = time.time() + 30
        while not sent_enough() and time.time() < deadline:
            time.sleep(0.05)
        assert sent_enough(), "the store never received part of the upload"
        s.kill()
    finally:
        s.stop()
    again = Server(tmp, url, document=DOC)
    again.start()
    try:
        with again.client() as c:
            assert c.post("/storage/v1/object/list/files", json={"prefix": "crash"}).json() == []
            assert c.get("/storage/v1/object/files/crash/partial.bin").json()["statusCode"] == "404"
        assert left_over() == []  # only an unreferenced temporary file or upload may remain, never a blob
    finally:
        again.stop()


def test_kill_during_upload_leaves_no_object(tmp_path, db_url):
    def written() -> bool:
        return any(p.stat().st_size for p in (tmp_path / ".docbase" / "storage" / "tmp").glob("*"))

    kill_during_upload(tmp_path, db_url, "", written, lambda: _blobs(tmp_path))


def _rss(pgid: int) -> int:
    """Resident memory (bytes) of every process of the server's session."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ProcessLookupError):
            continue
    return total


def big_upload_in_bounded_memory(tmp: Path, url: str, toml: str = "") -> None:
    """200 MB up and down again; the server's memory grows by less than 50 MB."""
    s = _start(tmp, url, "storage_max_file_bytes = 314572800\n" + toml)
    try:
        assert s.proc is not None
        headers = {"apikey": s.service_key}
        with s.client() as c:
            assert c.post("/storage/v1/bucket", json={"id": "big"}).status_code == 200
        target = f"{s.base}/storage/v1/object/big/large.bin"
        base = _rss(s.proc.pid)
        assert base > 20 * MB  # the server's processes were found (a Python server holds more than this)
        peak = base
        stop = threading.Event()

        def watch():
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _rss(s.proc.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()

        def body():
            for _ in range(200):
                yield b"z" * MB

        try:
            up = httpx.post(target, content=body(), headers={**headers, "content-type": "application/octet-stream"},
                            timeout=120)  # fmt: skip
            assert up.status_code == 200, up.text
            size = 0
            with httpx.stream("GET", target, headers=headers, timeout=120) as down:
                for chunk in down.iter_bytes():
                    size += len(chunk)
            assert size == 200 * MB
        finally:
            stop.set()
            watcher.join()
        print(f"server memory: {base / MB:.0f} MB before, {peak / MB:.0f} MB at the peak")
        assert peak - base < 50 * MB, f"server memory grew by {(peak - base) / MB:.0f} MB"
    finally:
        s.stop()


def test_200_mb_streams_in_bounded_memory(tmp_path, sqlite_url):
    big_upload_in_bounded_memory(tmp_path, sqlite_url)
