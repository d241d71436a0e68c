"""docbase seed end to end: every reference document, both databases, constraints held by the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from docbase.seed import SeedError, seed_database

from ..conftest import seed_file
from .helpers import CYCLE_DOC, TENANT_DOC, count, dump, query, schema_of


def test_every_seed_document_fills_every_table(seed_path: Path, db_url: str) -> None:
    schema = load_schema(seed_path)
    report = seed_database(schema, db_url, rows=20, tenants=3, seed=7)
    assert set(report.tables) == {t.name for t in schema.tables}
    for table in schema.tables:
        assert count(db_url, table.name) == report.tables[table.name] > 0, table.name
    if db_url.startswith("sqlite"):
        assert query(db_url, "PRAGMA foreign_key_check") == []


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    schema = load_schema(seed_file("003"))
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b", "c")]
    for url, seed in zip(urls, (5, 5, 6), strict=True):
        seed_database(schema, url, rows=15, tenants=2, seed=seed)
    first, again, other = (dump(url, schema) for url in urls)
    assert first == again
    assert first != other


def test_postgres_rows_match_sqlite_rows_for_the_same_seed(tmp_path: Path, pg_url: str) -> None:
    schema = schema_of(tmp_path, TENANT_DOC)
    lite = f"sqlite:///{tmp_path / 'x.db'}"
    seed_database(schema, lite, rows=12, tenants=2, seed=3)
    seed_database(schema, pg_url, rows=12, tenants=2, seed=3)
    ids = "SELECT CAST(id AS TEXT), email FROM users ORDER BY 1"
    assert query(lite, ids) == query(pg_url, ids)


def test_rows_of_a_tenant_point_inside_that_tenant(tmp_path: Path, db_url: str) -> None:
    schema = schema_of(tmp_path, TENANT_DOC)
    seed_database(schema, db_url, rows=40, tenants=3, seed=1)
    assert count(db_url, "workspaces") == 3
    crossed = query(
        db_url,
        "SELECT count(*) FROM files f JOIN projects p ON p.id = f.project_id WHERE p.workspace_id <> f.workspace_id",
    )
    assert crossed == [(0,)]
    outsiders = query(
        db_url,
        "SELECT count(*) FROM files f WHERE NOT EXISTS (SELECT 1 FROM memberships m "
        "WHERE m.user_id = f.created_by AND m.workspace_id = f.workspace_id)",
    )
    assert outsiders == [(0,)]
    owners = query(db_url, "SELECT workspace_id, count(*) FROM memberships WHERE role = 'owner' GROUP BY 1")
    assert len(owners) == 3


def test_small_unique_domains_cap_the_table(tmp_path: Path, db_url: str) -> None:
    schema = schema_of(tmp_path, TENANT_DOC)
    report = seed_database(schema, db_url, rows=30, tenants=2, seed=2)
    # UNIQUE (workspace_id, visibility): two workspaces x two visibilities.
    assert report.tables["projects"] == count(db_url, "projects") == 4
    assert count(db_url, "memberships") == 30


def test_values_respect_lengths_precision_and_order(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, TENANT_DOC)
    url = f"sqlite:///{tmp_path / 'v.db'}"
    seed_database(schema, url, rows=50, tenants=2, seed=4)
    assert query(url, "SELECT max(length(title)) <= 12 FROM projects") == [(1,)]
    assert query(url, "SELECT max(length(email)) <= 40, min(email LIKE '%_@_%.%') FROM users") == [(1, 1)]
    assert query(url, "SELECT count(*) FROM users WHERE updated_at < created_at") == [(0,)]
    assert query(url, "SELECT count(*) FROM files WHERE finished_at < started_at") == [(0,)]
    assert query(url, "SELECT count(*) FROM projects WHERE abs(budget) >= 10000") == [(0,)]
    assert query(url, "SELECT min(json_type(tags)), min(json_type(meta)) FROM files") == [("array", "object")]


def test_a_cycle_is_broken_at_the_nullable_key_and_filled_afterwards(tmp_path: Path, db_url: str) -> None:
    schema = schema_of(tmp_path, CYCLE_DOC)
    report = seed_database(schema, db_url, rows=10, tenants=1, seed=1)
    assert report.tables["plans"] == 2
    assert query(db_url, "SELECT count(*) FROM teams WHERE captain_id IS NOT NULL")[0][0] > 0
    if db_url.startswith("postgresql"):
        nextval = query(db_url, "SELECT nextval(pg_get_serial_sequence('plans', 'id'))")[0][0]
        assert nextval == 3


def test_seeding_twice_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, TENANT_DOC)
    url = f"sqlite:///{tmp_path / 't.db'}"
    seed_database(schema, url, rows=5, tenants=1)
    with pytest.raises(SeedError, match="already has rows"):
        seed_database(schema, url, rows=5, tenants=1)
    assert count(url, "users") == 5
