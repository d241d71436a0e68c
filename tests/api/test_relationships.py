"""Relationships as PostgREST finds them: junctions by composite key, one-to-one, PGRST201's exact body.

A table holding two foreign keys is a many-to-many junction only when both
keys' columns lie inside its primary key (PostgREST's ``addM2MRels``); a key
whose columns are also the holder's primary key or a unique constraint is
one-to-one, embedded as an object from both sides and spreadable.
"""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.api.catalog import Catalog
from docbase.api.errors import ApiError
from docbase.pipeline import build_schema

from ..conftest import SEEDS
from .conftest import create_tables

DOC = """# Work

```sql
CREATE TABLE orgs (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (id integer PRIMARY KEY, org_id integer NOT NULL REFERENCES orgs(id), name text);
-- two keys but its own id: not a junction between orgs and projects
CREATE TABLE tests (
  id integer PRIMARY KEY,
  org_id integer NOT NULL REFERENCES orgs(id),
  project_id integer NOT NULL REFERENCES projects(id),
  title text
);
CREATE TABLE tags (id integer PRIMARY KEY, label text);
-- a real junction: both keys form its primary key
CREATE TABLE project_tags (
  project_id integer REFERENCES projects(id),
  tag_id integer REFERENCES tags(id),
  PRIMARY KEY (project_id, tag_id)
);
-- one-to-one: the key is the primary key
CREATE TABLE project_settings (project_id integer PRIMARY KEY REFERENCES projects(id), theme text);
-- one-to-one through a unique key
CREATE TABLE org_billing (id integer PRIMARY KEY, org_id integer UNIQUE REFERENCES orgs(id), plan text);
-- two keys to the same table: ambiguous
CREATE TABLE transfers (
  id integer PRIMARY KEY,
  from_org integer REFERENCES orgs(id),
  to_org integer REFERENCES orgs(id)
);
-- a view exposing orgs' key: PostgREST relates projects to it too, but not by a column or constraint name
CREATE VIEW org_names AS SELECT id, name FROM orgs;
```
"""

ROWS = {
    "orgs": [{"id": 1, "name": "acme"}, {"id": 2, "name": "globex"}],
    "projects": [{"id": 10, "org_id": 1, "name": "web"}, {"id": 11, "org_id": 1, "name": "api"}],
    "tests": [{"id": 100, "org_id": 1, "project_id": 10, "title": "loads"}],
    "tags": [{"id": 5, "label": "red"}],
    "project_tags": [{"project_id": 10, "tag_id": 5}],
    "project_settings": [{"project_id": 10, "theme": "dark"}],
    "org_billing": [{"id": 1, "org_id": 1, "plan": "pro"}],
    "transfers": [{"id": 1, "from_org": 1, "to_org": 2}],
}


@pytest.fixture
async def work(db_url: str, service_headers):
    schema = build_schema(DOC, "work.md")
    assert not schema.errors, schema.diagnostics
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret="test-secret-for-docbase-api-0123456789")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        for table, rows in ROWS.items():
            response = await client.post(f"/rest/v1/{table}", json=rows)
            assert response.status_code == 201, response.text
        yield client
    await app.state.db.close()


async def _get(client: httpx.AsyncClient, path: str, status: int = 200):
    response = await client.get(path)
    assert response.status_code == status, response.text
    return response.json()


async def test_a_table_with_two_keys_is_no_junction(work):
    # Before: projects -> orgs was ambiguous (direct key, and "through" tests) and answered 300.
    rows = await _get(work, "/rest/v1/projects?select=id,orgs(name)&order=id")
    assert rows == [{"id": 10, "orgs": {"name": "acme"}}, {"id": 11, "orgs": {"name": "acme"}}]
    rows = await _get(work, "/rest/v1/orgs?select=name,projects(name)&id=eq.1&projects.order=id")
    assert rows == [{"name": "acme", "projects": [{"name": "web"}, {"name": "api"}]}]


async def test_an_embed_by_key_column_or_constraint_reaches_the_table_not_its_views(work):
    """``org_id(*)`` and ``projects_org_id_fkey(*)`` name the key, which also relates projects to the view
    over orgs; PostgREST reaches tables only that way (its issue 2277), so both answer the orgs row.
    Before: 300 PGRST201 between orgs and org_names (postgrest-js's "join select via column")."""
    rows = await _get(work, "/rest/v1/projects?select=id,org_id(name)&order=id&limit=1")
    assert rows == [{"id": 10, "org_id": {"name": "acme"}}]
    rows = await _get(work, "/rest/v1/projects?select=id,org:projects_org_id_fkey(name)&order=id&limit=1")
    assert rows == [{"id": 10, "org": {"name": "acme"}}]
    rows = await _get(work, "/rest/v1/projects?select=id,org_names(name)&order=id&limit=1")  # by its name: the view
    assert rows == [{"id": 10, "org_names": {"name": "acme"}}]


async def test_a_composite_key_junction_is_many_to_many(work):
    rows = await _get(work, "/rest/v1/projects?select=name,tags(label)&order=id")
    assert rows == [{"name": "web", "tags": [{"label": "red"}]}, {"name": "api", "tags": []}]


async def test_one_to_one_embeds_are_objects_from_both_sides(work):
    rows = await _get(work, "/rest/v1/projects?select=name,project_settings(theme)&order=id")
    assert rows == [{"name": "web", "project_settings": {"theme": "dark"}}, {"name": "api", "project_settings": None}]
    rows = await _get(work, "/rest/v1/project_settings?select=theme,projects(name)")
    assert rows == [{"theme": "dark", "projects": {"name": "web"}}]
    rows = await _get(work, "/rest/v1/orgs?select=name,org_billing(plan)&order=id")
    assert rows == [{"name": "acme", "org_billing": {"plan": "pro"}}, {"name": "globex", "org_billing": None}]


async def test_one_to_one_embeds_spread_and_order(work):
    rows = await _get(work, "/rest/v1/orgs?select=name,...org_billing(plan)&order=id")
    assert rows == [{"name": "acme", "plan": "pro"}, {"name": "globex", "plan": None}]
    rows = await _get(
        work, "/rest/v1/projects?select=name,project_settings(theme)&order=project_settings(theme).asc&id=eq.10"
    )
    assert rows == [{"name": "web", "project_settings": {"theme": "dark"}}]


async def test_ambiguous_embed_is_postgrest_shaped(work):
    body = await _get(work, "/rest/v1/transfers?select=id,orgs(name)", status=300)
    assert body == {
        "code": "PGRST201",
        "details": [
            {
                "cardinality": "many-to-one",
                "embedding": "transfers with orgs",
                "relationship": "transfers_from_org_fkey using transfers(from_org) and orgs(id)",
            },
            {
                "cardinality": "many-to-one",
                "embedding": "transfers with orgs",
                "relationship": "transfers_to_org_fkey using transfers(to_org) and orgs(id)",
            },
        ],
        "hint": "Try changing 'orgs' to one of the following: 'orgs!transfers_from_org_fkey', "
        "'orgs!transfers_to_org_fkey'. Find the desired relationship in the 'details' key.",
        "message": "Could not embed because more than one relationship was found for 'transfers' and 'orgs'",
    }
    rows = await _get(work, "/rest/v1/transfers?select=id,orgs!to_org(name)")
    assert rows == [{"id": 1, "orgs": {"name": "globex"}}]


async def test_no_relationship_is_postgrest_shaped(work):
    body = await _get(work, "/rest/v1/tags?select=id,orgs(name)", status=400)
    assert body == {
        "code": "PGRST200",
        "details": "Searched for a foreign key relationship between 'tags' and 'orgs' in the schema 'public', "
        "but no matches were found.",
        "hint": None,
        "message": "Could not find a relationship between 'tags' and 'orgs' in the schema cache",
    }


def _single_key_targets(schema) -> list[tuple[str, str]]:
    """(table, target) pairs where the table holds exactly one key to the target: never ambiguous in PostgREST."""
    pairs = []
    for table in schema.tables:
        targets = [fk.ref_table for fk in table.foreign_keys if fk.ref_table != table.name]
        pairs.extend((table.name, t) for t in targets if targets.count(t) == 1)
    return pairs


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_single_key_embed_of_a_seed_resolves(seed, dialect):
    """``projects?select=*,organization(*)`` and its kind: a lone foreign key is never PGRST201 on any seed."""
    schema = build_schema(seed.read_text(), seed.name)
    catalog = Catalog(schema, dialect)
    pairs = [(t, r) for t, r in _single_key_targets(schema) if t in catalog.tables and r in catalog.tables]
    assert pairs
    failures = []
    for table, target in pairs:
        try:
            rel = catalog.resolve(table, target, None)
        except ApiError as error:
            failures.append((table, target, error.code))
            continue
        assert rel.to_one and rel.target == target
    assert failures == []
