"""End to end: each seed's reading agrees with its hand reading in shared/seeds/expected.

Every measure must be 1.0, except for differences listed in
``EXPECTED_FILE_MISTAKES``, each with the reason we believe the expected
file, not docbase, is wrong (the same list is in the issue note).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from tests.conftest import SEEDS
from tests.schema.seedscore import seed_score

EXPECTED_FILE_MISTAKES: dict[str, str] = {}


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_seed_reads_like_its_hand_reading(seed: Path):
    scores, misses = seed_score(seed)
    unexplained = [m for m in misses if f"{seed.stem[:3]} {m}" not in EXPECTED_FILE_MISTAKES]
    assert unexplained == [], f"{seed.stem}: {scores}"


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_seed_loads_without_errors(seed: Path):
    schema = load_schema(seed)
    assert schema.errors == ()
    assert len(schema.tables) >= 10
