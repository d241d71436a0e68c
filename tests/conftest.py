"""Shared fixtures: seed documents and throwaway PostgreSQL databases.

The seed documents (``../shared/seeds``) are part of what the tests check:
without them every test that reads one fails at collection (an empty
``SEEDS`` list fails each parametrised test, ``empty_parameter_set_mark =
fail_at_collect``; ``seed_file()`` raises for a named one), never skips.

PostgreSQL tests read the server URL from ``DOCBASE_TEST_PG_URL`` and create
their own database per test, dropped afterwards. Outside CI they skip with a
visible reason when the variable is unset; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
EXPECTED_DIR = SEEDS_DIR / "expected"


def seed_ids() -> list[str]:
    return [p.stem for p in SEEDS]


def seed_file(prefix: str) -> Path:
    """The seed document named ``prefix``_*.txt; raises when missing, so its module fails at collection."""
    found = [p for p in SEEDS if p.name.startswith(prefix)]
    if len(found) != 1:
        raise FileNotFoundError(f"seed {prefix} not found (once) in {SEEDS_DIR}: the tests need ../shared/seeds")
    return found[0]


def expected_tables(path: Path) -> dict[str, dict]:
    """The hand reading of a seed document (``expected/<stem>.json``): its tables by name."""
    import json

    return json.loads((EXPECTED_DIR / f"{path.stem}.json").read_text())["tables"]


@pytest.fixture(params=SEEDS, ids=[p.stem for p in SEEDS])
def seed_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def _server_url() -> str:
    url = os.environ.get("DOCBASE_TEST_PG_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("DOCBASE_TEST_PG_URL is not set; CI must run the PostgreSQL tests")
        pytest.skip("DOCBASE_TEST_PG_URL is not set: PostgreSQL tests skipped")
    return url


def _swap_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    server = _server_url()
    name = f"docbase_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _swap_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture(autouse=True)
def _environment_kept() -> Iterator[None]:
    """``docbase serve`` hands the document, the database URL and the external URL to its worker processes
    in ``os.environ``; a test that runs it in-process would leave them for the next test of the same pytest
    worker (a stale ``DOCBASE_AUTH_EXTERNAL_URL`` made inspect print another redirect URI). Each test
    starts from the environment the session had."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)
