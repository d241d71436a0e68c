"""Every lone foreign key of every seed embeds over HTTP, on both databases (issue 15).

``GET /rest/v1/projects?select=*,organization(*)`` on seed 003 was PGRST201
(ambiguous): docbase took any table with two foreign keys for a junction. It
must answer wherever PostgREST would: a table with one foreign key to the
target embeds it as an object, and the target embeds the table's rows as an
array, through the served API against a migrated database.
"""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from ..conftest import SEEDS
from .conftest import SECRET

pytestmark = pytest.mark.slow

HEADERS = {"apikey": keys.service_key(SECRET)}


def _lone_keys(schema) -> list[tuple[str, str]]:
    """(table, target) for each table with exactly one foreign key to another table of the default schema
    (a key to ``auth.users`` is no embed: PostgREST serves one schema per request)."""
    pairs = []
    for table in schema.tables:
        if "." in table.name:
            continue
        targets = [fk.ref_table for fk in table.foreign_keys if fk.ref_table != table.name]
        pairs.extend((table.name, t) for t in dict.fromkeys(targets) if targets.count(t) == 1 and "." not in t)
    return pairs


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
async def test_every_lone_foreign_key_of_a_seed_embeds(seed, db_url):
    schema = build_schema(seed.read_text(), seed.name)
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    to_one, to_many = [], []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            pairs = _lone_keys(schema)
            assert pairs
            for table, target in pairs:
                got = await client.get(f"/rest/v1/{table}?select=*,{target}(*)&limit=1", headers=HEADERS)
                if got.status_code == 404 and got.json().get("code") == "PGRST205":
                    continue  # a table the API does not serve (docbase's own, e.g. auth's)
                to_one.append((table, target, got.status_code, got.json() if got.status_code != 200 else None))
                back = await client.get(f"/rest/v1/{target}?select=*,{table}(*)&limit=1", headers=HEADERS)
                to_many.append((target, table, back.status_code, back.json() if back.status_code != 200 else None))
    finally:
        await app.state.db.close()
    assert to_one and [f for f in to_one if f[2] != 200] == []
    # from the parent's side another relationship of that name (a junction's) may make it PGRST201 in
    # PostgREST too; anything else is a failure
    assert [f for f in to_many if f[2] != 200 and (f[3] or {}).get("code") != "PGRST201"] == []
