"""Escalation search (issue 12): attackers in tenant B, anon and an API-key holder try random writes on every seed.

Hypothesis draws 2,000 moves per seed per database (10 runs of 200, on
one world that keeps its state, derandomized so a failure replays): each
move is an actor, an authority-bearing table (or another table, or an RPC),
a method and a body of real ids and well-typed values. After every move the
database is read directly: nobody may hold a higher role in A or B than the
attackers held, nobody raises their own role but through an invitation,
every API-key row acts as the user who minted it through the RPC, and
privileged profile columns stay as service_role set them. After every run,
A's rows, strangers' rows and system rows must be as they were, new rows
must be the attackers' own, nothing may point at A's rows, and no actor
reads a row through the API it could not read at the start.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..conftest import SEEDS
from .escalation_search import Search

RUNS, STEPS = 10, 200
DRAW = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("seed_path", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_no_actor_gains_authority(seed_path, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    loop = asyncio.new_event_loop()
    search = loop.run_until_complete(Search.start(seed_path, db_url))
    try:

        @settings(
            max_examples=RUNS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(DRAW, min_size=STEPS, max_size=STEPS))
        def search_runs(draws):
            loop.run_until_complete(search.run(draws))

        search_runs()
        print(f"\n{seed_path.stem[:3]} {db_url.split(':')[0]}: {search.distribution()}")
        assert search.findings == [], "\n".join(f"step {n}: {f}" for n, f in search.findings)
        assert search.steps >= RUNS * STEPS, search.distribution()
        reached = sum(c for s, c in search.statuses.items() if s in (200, 201, 204, 401, 403, 404))
        assert reached >= 0.7 * search.steps, search.distribution()
    finally:
        loop.run_until_complete(search.close())
        loop.close()
