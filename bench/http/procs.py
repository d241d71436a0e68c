"""Server processes for the benchmark: free ports, start, wait until listening, peak memory, stop.

Each contender runs in its own session (process group) so that stopping it
also stops the workers it forked, and only those. Peak memory is the kernel's
high-water mark (``VmHWM``) of every process in the tree, read just before
stopping, so a short spike between samples is not missed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base_url: str
    log: Path
    seen: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM bytes

    def sample(self) -> None:
        """Record the high-water mark of every live process of the tree."""
        for pid in _tree(self.process.pid):
            hwm = _vm_hwm(pid)
            if hwm:
                self.seen[pid] = max(self.seen.get(pid, 0), hwm)

    def peak_rss_mb(self) -> tuple[float, float]:
        """(largest single process, whole tree) peak resident memory in MB."""
        self.sample()
        values = list(self.seen.values()) or [0]
        return max(values) / 2**20, sum(values) / 2**20

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
            except ProcessLookupError:
                pass


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc (no psutil dependency)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def start(
    name: str, command: list[str], port: int, workdir: Path, env: dict[str, str], ready_path: str = "/"
) -> Server:
    """Start ``command`` and wait (up to 60 s) until ``ready_path`` answers with any HTTP status."""
    log = workdir / f"{name}.log"
    handle = log.open("w")
    process = subprocess.Popen(
        command, cwd=workdir, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; log:\n{log.read_text()[-1500:]}")
        try:
            urllib.request.urlopen(server.base_url + ready_path, timeout=2)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not listen on port {port} within 60 s; log:\n{log.read_text()[-1500:]}")
