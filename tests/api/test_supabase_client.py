"""The official ``supabase`` Python client against a live ``docbase serve``: the blog, then every seed.

Each seed is migrated, filled by ``docbase.seed`` and served; the client then
reads every table (count, range, order, embedding along each foreign key),
filters on a row's key, upserts the row unchanged (the written row must come
back exactly as it was read) and updates it. Nothing here knows a seed's
tables: the test walks whatever the document defines.
"""

from __future__ import annotations

import pytest

pytest.importorskip("supabase")

from postgrest.exceptions import APIError  # noqa: E402
from supabase import create_client  # noqa: E402

from docbase.api.catalog import Catalog  # noqa: E402
from docbase.pipeline import build_schema, load_schema  # noqa: E402

from ..conftest import SEEDS  # noqa: E402
from ..database_state import database_state, first_keys  # noqa: E402
from .conftest import BLOG  # noqa: E402
from .test_serve import Server  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def live(tmp_path, db_url):
    servers: list[Server] = []

    def start(text: str) -> Server:
        s = Server(tmp_path, db_url, document=text)
        s.start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def test_blog_session(live):
    s = live(BLOG)
    sb = create_client(s.base, s.service_key)
    users = [
        {"id": 1, "name": "Ann", "email": "a@x.io", "profile": {"k": 1}, "tags": ["x"]},
        {"id": 2, "name": "Bob", "profile": {}, "tags": []},
    ]
    assert len(sb.table("users").insert(users).execute().data) == 2
    sb.table("posts").insert(
        [{"id": 1, "title": "Hi", "author_id": 1}, {"id": 2, "title": "Yo", "author_id": 2}]
    ).execute()
    rows = sb.table("posts").select("id,author:users!author_id(name)").order("id").execute().data
    assert rows == [{"id": 1, "author": {"name": "Ann"}}, {"id": 2, "author": {"name": "Bob"}}]
    result = sb.table("users").select("id", count="exact").order("id", desc=True).range(0, 0).execute()
    assert result.data == [{"id": 2}] and result.count == 2
    assert sb.table("users").select("name").ilike("name", "%n%").execute().data == [{"name": "Ann"}]
    assert sb.table("users").select("id").or_("id.eq.1,name.eq.Bob").order("id").execute().data == [
        {"id": 1},
        {"id": 2},
    ]
    assert (
        sb.table("users").upsert({"id": 2, "name": "Bobby", "profile": {}, "tags": []}).execute().data[0]["name"]
        == "Bobby"
    )
    assert sb.table("users").update({"name": "Annie"}).eq("id", 1).execute().data[0]["name"] == "Annie"
    assert sb.table("users").select("id,name").eq("id", 1).single().execute().data == {"id": 1, "name": "Annie"}
    assert sb.table("posts").delete().eq("id", 2).execute().data[0]["id"] == 2
    with pytest.raises(APIError) as info:
        sb.table("users").insert({"id": 1, "name": "dup", "profile": {}, "tags": []}).execute()
    assert info.value.code == "23505"
    with pytest.raises(APIError) as info:
        sb.table("nope").select("*").execute()
    assert info.value.code == "PGRST205"
    anon = create_client(s.base, s.anon_key)
    with pytest.raises(APIError) as info:
        anon.table("users").select("*").execute()
    assert info.value.code == "42501"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem.split("_")[0])
def test_every_seed_through_the_client(live, seed, db_url):
    from docbase.migrate import migrate
    from docbase.seed import seed_database

    schema = load_schema(seed)
    migrate(schema, db_url)
    seed_database(schema, db_url, rows=5, create=False)
    stored = database_state(db_url)  # the oracle: every row, read straight from the database
    s = live(seed.read_text())
    sb = create_client(s.base, s.service_key)
    catalog = Catalog(build_schema(seed.read_text(), str(seed)), "sqlite")
    first: dict[str, dict] = {}
    for name, table in catalog.tables.items():  # reads first: the writes below add audit rows
        total = len(stored[name])
        assert total > 0, f"docbase seed left {name} empty"
        result = sb.table(name).select("*", count="exact").limit(3).execute()
        assert (result.count, len(result.data)) == (total, min(3, total)), name
        if not table.primary_key:
            continue  # no key to name one row by
        key = table.primary_key[0]
        ordered = sb.table(name).select(key).order(key, desc=True).range(0, 1).execute().data
        assert [str(r[key]) for r in ordered] == first_keys(db_url, name, key, 2), name
        first[name] = result.data[0]
        assert _by_key(sb.table(name).select("*"), table, first[name]).execute().data == [first[name]], name
        for link in catalog.links:
            embeds = []
            if link.table == name:
                embeds.append(f"{link.columns[0]}(*)" if link.ref_table == name else f"{link.ref_table}!{link.name}(*)")
            if link.ref_table == name:
                embeds.append(f"{link.table}!{link.name}(*)")
            for embed in embeds:
                embedded = sb.table(name).select(f"{key},{embed}").limit(2).execute().data
                assert len(embedded) == min(2, total), (name, embed)
                assert all(embed.split("!")[0].split("(")[0] in r for r in embedded), (name, embed)
    for name, row in first.items():
        table = catalog.tables[name]
        upserted = sb.table(name).upsert(row, on_conflict=",".join(table.primary_key)).execute().data
        assert [_kept(r) for r in upserted] == [_kept(row)], name
        # as stored now (a token written through the API is kept as its hash): an update to the same value
        # returns exactly that row
        now = _by_key(sb.table(name).select("*"), table, row).execute().data
        others = [c for c in table.columns if c.name not in table.primary_key]
        if others:
            col = others[0].name
            updated = _by_key(sb.table(name).update({col: row[col]}), table, row).execute().data
            assert [_kept(u) for u in updated] == [_kept(r) for r in now], name


def _by_key(request, table, row):
    """``request`` filtered to ``row`` by every primary key column."""
    for k in table.primary_key:
        request = request.eq(k, row[k])
    return request


def _kept(row: dict) -> dict:
    """A row without the columns the database itself rewrites on every write (updated_at upkeep)."""
    return {k: v for k, v in row.items() if k.replace("_", "").lower() not in ("updatedat", "modifiedat")}
