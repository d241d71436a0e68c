"""Schemathesis against each seed's OpenAPI on a live ``docbase serve``: no 5xx, responses match the spec.

Each seed's operations are split in two halves (alternate tables, the RPCs with the first), each a test of its
own with its own server, so xdist runs the halves side by side instead of one run of up to six minutes. The
database is filled by ``docbase.seed`` first, so reads, updates and deletes meet rows of every table (their
responses are checked against the spec) whichever half ran first. Requests carry the service key as both
``apikey`` and bearer token: schemathesis otherwise fills the spec's ``bearer`` scheme with a made-up token,
and 97% of the coverage phase's requests stopped at the gateway's 401 before any rule or query ran.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docbase.migrate import migrate
from docbase.pipeline import load_schema
from docbase.seed import seed_database

from ..conftest import SEEDS
from .test_serve import Server

pytestmark = pytest.mark.slow
ST = Path(sys.executable).with_name("st")
HALVES = 2


def _phases(db_url: str) -> str:
    """The coverage phase (every boundary and negative value of every parameter) on SQLite, where docbase's own
    SQL stands in for PostgreSQL's; both databases get the fuzzing phase. Coverage on both cost ~450 s more."""
    return "fuzzing" if db_url.startswith("postgresql") else "coverage,fuzzing"


def _paths(seed: Path, half: int) -> str:
    """A regex for the operations of ``half``: every HALVES-th table (by name), and the RPCs in half 0."""
    tables = sorted(t.name for t in load_schema(seed).tables)[half::HALVES]
    names = "|".join(re.escape(t) for t in tables) + ("|rpc/.+" if half == 0 else "")
    return f"/rest/v1/({names})$"


@pytest.mark.skipif(not ST.exists() and shutil.which("st") is None, reason="schemathesis is not installed")
@pytest.mark.parametrize("half", range(HALVES), ids=lambda n: f"half{n}")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem.split("_")[0])
def test_seed_api_survives_schemathesis(tmp_path, db_url, seed, half):
    schema = load_schema(seed)
    migrate(schema, db_url)
    seed_database(schema, db_url, rows=6, tenants=2, create=False)
    server = Server(tmp_path, db_url, document=seed.read_text())
    server.start()
    try:
        result = subprocess.run(
            [
                str(ST),
                "run",
                f"{server.base}/rest/v1/",
                "--url",
                server.base,
                "-H",
                f"apikey: {server.service_key}",
                "-H",
                f"Authorization: Bearer {server.service_key}",
                "--include-path-regex",
                _paths(seed, half),
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                "--phases",
                _phases(db_url),
                "--max-examples",
                "8",
                "--seed",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Authentication failed" not in result.stdout, result.stdout[-4000:]  # every request got past the key
