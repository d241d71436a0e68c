"""Run the official ``@supabase/supabase-js`` client under node against a live docbase.

A test writes the body of an async JavaScript function; :func:`run_js` wraps it
in a module that builds ``supabase`` (``createClient(url, key)``) and prints the
function's result as JSON, runs it with node and returns the parsed value. The
client and ``ws`` come from the npm registry, pinned in ``package.json`` /
``package-lock.json`` beside this file and installed once (``npm ci``) under a
file lock, so parallel test workers share one ``node_modules``.

Without node or npm the tests that use this skip with the reason, except under
CI, where they fail: client compatibility is part of what CI checks.

    result = run_js(server.base, server.anon_key, '''
        const { data, error } = await supabase.from("posts").select("id")
        return { data, error }
    ''')
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
_STAMP = NODE_MODULES / ".docbase-installed"

_PRELUDE = """\
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
const url = process.env.DOCBASE_URL;
const key = process.env.DOCBASE_KEY;
const supabase = createClient(url, key, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: WebSocket },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function main() {
%s
}
main().then(
  (value) => { process.stdout.write(JSON.stringify(value === undefined ? null : value)); process.exit(0); },
  (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(3); },
);
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the JavaScript client tests")
    pytest.skip(reason)


def ensure_installed() -> Path:
    """Install the pinned client once (``npm ci``), serialised across xdist workers."""
    if not shutil.which("node") or not shutil.which("npm"):
        _unavailable("node and npm are needed for the supabase-js tests")
    lock_path = HERE / ".npm-install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock_file = HERE / "package-lock.json"
        if _STAMP.exists() and _STAMP.read_text() == lock_file.read_text():
            return NODE_MODULES
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            _unavailable(f"npm ci failed: {done.stderr.strip()[-500:]}")
        _STAMP.write_text(lock_file.read_text())
    return NODE_MODULES


def run_js(url: str, key: str, body: str, *, timeout: float = 60, env: dict[str, str] | None = None):
    """Run ``body`` (an async function body using ``supabase``) and return its JSON result."""
    ensure_installed()
    script = HERE / f".run-{os.getpid()}-{abs(hash(body))}.mjs"
    script.write_text(_PRELUDE % textwrap.indent(textwrap.dedent(body), "  "))
    try:
        done = subprocess.run(
            ["node", str(script)],
            cwd=HERE,
            env={**os.environ, **(env or {}), "DOCBASE_URL": url, "DOCBASE_KEY": key},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        script.unlink(missing_ok=True)
    if done.returncode != 0:
        raise AssertionError(f"node exited {done.returncode}:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)
