"""Schemathesis against each seed's OpenAPI on a live ``docbase serve``: no 5xx, responses match the spec."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import SEEDS
from .test_serve import Server

pytestmark = pytest.mark.slow
ST = Path(sys.executable).with_name("st")


@pytest.mark.skipif(not ST.exists() and shutil.which("st") is None, reason="schemathesis is not installed")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem.split("_")[0])
def test_seed_api_survives_schemathesis(tmp_path, db_url, seed):
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
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                "--phases",
                "coverage,fuzzing",
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
