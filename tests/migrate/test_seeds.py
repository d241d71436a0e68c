"""Every reference document builds a database on SQLite and PostgreSQL, and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from docbase.migrate import migrate
from docbase.pipeline import load_schema

from ..conftest import SEEDS
from .conftest import engine_for


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_seed_builds_and_rerun_is_a_no_op(seed: Path, db_url: str) -> None:
    schema = load_schema(seed)
    assert not schema.errors
    plan = migrate(schema, db_url)
    assert plan.applied
    assert not [w for w in plan.warnings if "not created" in w], plan.warnings
    with engine_for(db_url).connect() as conn:
        live = set(sa.inspect(conn).get_table_names())
    assert {t.name for t in schema.tables} <= live
    again = migrate(schema, db_url)
    assert again.empty, again.describe()
