"""Run ``wrk`` with the rotating Lua script and read its report.

wrk prints human units (``850.12us``, ``1.20ms``, ``12.34k``); ``parse`` turns
its ``--latency`` report into numbers and keeps the error counts, because a
fast server answering 403 or 500 is not fast. Parsing is pure so it is tested
without running wrk.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent.parent / "lua" / "rotate.lua"
_TIME = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict:
        return asdict(self)


def to_ms(text: str) -> float:
    """``'850.12us'`` -> 0.85012; ``'1.2s'`` -> 1200.0."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _TIME[match.group(2)]


def parse(output: str) -> WrkResult:
    """Numbers from a ``wrk --latency`` report; ValueError when the report lacks them."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50(?:\.000)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError("wrk printed no latency report:\n" + output[-800:])
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=to_ms(p50.group(1)),
        p99_ms=to_ms(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when missing (saying so), or exits with a clear message."""
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: wrk is not installed; installing the Debian package (apt-get install -y wrk) ...", file=sys.stderr)
    try:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"bench: could not install wrk ({exc}); install it with `sudo apt-get install wrk` and rerun")
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: wrk is still not on PATH after apt-get; install it and rerun")
    return found


def run(
    base_url: str, requests_file: Path, headers_file: Path, seconds: int, threads: int, connections: int
) -> WrkResult:
    """One wrk run against ``base_url`` rotating through ``requests_file``."""
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_HEADERS": str(headers_file)}
    command = [
        ensure_wrk(), "--latency", "-t", str(threads), "-c", str(connections),
        "-d", f"{seconds}s", "--timeout", "5s", "-s", str(LUA), base_url,
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-400:]}")
    return parse(done.stdout)
