"""Computed relationships (docbase.api.computed): a function over a table's row type returning another
table's rows is embedded by its name, with the embed's filters, order and limit, to-many for ``SETOF`` and
to-one for a single row or ``ROWS 1``; it overrides a foreign key's relationship of the same name, as in
PostgREST. PostgreSQL calls the function on the parent's row; SQLite runs a SQL body that is one
``SELECT *`` query (translated by sqlglot) and answers PGRST127 naming any other function."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Films

```sql
CREATE TABLE directors (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE films (id integer PRIMARY KEY, title text NOT NULL, director_id integer REFERENCES directors(id));
create function directors_of(films) returns setof directors as $$
  select * from directors where id = $1.director_id or name = 'Everyone'
$$ language sql stable;
create function lead_director(f films) returns setof directors rows 1 as $$
  select * from directors where id = f.director_id
$$ language sql stable;
create function first_film(directors) returns films as $$
  select * from films where director_id = $1.id order by id limit 1
$$ language sql stable;
create function director_id(films) returns setof directors as $$
  select * from directors where name = 'Everyone'
$$ language sql stable;
create function helpers(films) returns setof directors as $$
begin
  return query select * from directors where id = $1.director_id;
end $$ language plpgsql stable;
```
"""


@pytest.fixture
async def films(db_url: str, service_headers):
    schema = build_schema(DOC, "films.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        people = [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}, {"id": 3, "name": "Everyone"}]
        assert (await client.post("/rest/v1/directors", json=people)).status_code == 201
        rows = [
            {"id": 1, "title": "Alpha", "director_id": 1},
            {"id": 2, "title": "Beta", "director_id": 2},
            {"id": 3, "title": "Gamma", "director_id": 1},
        ]
        assert (await client.post("/rest/v1/films", json=rows)).status_code == 201
        yield client, db_url
    await app.state.db.close()


async def test_a_set_returning_function_over_the_row_is_a_to_many_embed(films):
    client, db_url = films
    # Before: 400 PGRST200 "Could not find a relationship between 'films' and 'directors_of'"
    got = await client.get("/rest/v1/films?select=title,directors_of(name)&id=eq.1&directors_of.order=name.desc")
    assert got.status_code == 200, got.text
    assert got.json() == [{"title": "Alpha", "directors_of": [{"name": "Everyone"}, {"name": "Ann"}]}]
    # filters, limit and !inner on the embedded resource as for any embed
    got = await client.get("/rest/v1/films?select=id,directors_of!inner(name)&directors_of.name=eq.Bo&order=id")
    assert got.json() == [{"id": 2, "directors_of": [{"name": "Bo"}]}]
    got = await client.get(
        "/rest/v1/films?select=id,directors_of(id)&directors_of.limit=1&directors_of.order=id&order=id"
    )
    assert got.json() == [
        {"id": 1, "directors_of": [{"id": 1}]},
        {"id": 2, "directors_of": [{"id": 2}]},
        {"id": 3, "directors_of": [{"id": 1}]},
    ]


async def test_rows_1_and_a_single_row_result_are_to_one_embeds(films):
    client, db_url = films
    got = await client.get("/rest/v1/films?select=id,lead_director(name)&order=id&limit=2")
    assert got.status_code == 200, got.text
    assert got.json() == [{"id": 1, "lead_director": {"name": "Ann"}}, {"id": 2, "lead_director": {"name": "Bo"}}]
    got = await client.get("/rest/v1/directors?select=name,first_film(title)&order=id")
    assert got.json() == [
        {"name": "Ann", "first_film": {"title": "Alpha"}},
        {"name": "Bo", "first_film": {"title": "Beta"}},
        # a function returning one row (not SETOF) gives a row of NULLs when it finds none, as ``FROM f(row)``
        # does on PostgreSQL and so in PostgREST (SQLite gave null)
        {"name": "Everyone", "first_film": {"title": None}},
    ]
    got = await client.get("/rest/v1/films?select=title,...lead_director(director:name)&id=eq.2")
    assert got.json() == [{"title": "Beta", "director": "Bo"}]


async def test_a_computed_relationship_overrides_a_foreign_key_of_its_name(films):
    client, db_url = films
    # Before: director_id(*) embedded the director the foreign key column points at
    got = await client.get("/rest/v1/films?select=id,director_id(name)&id=eq.1")
    assert got.status_code == 200, got.text
    assert got.json() == [{"id": 1, "director_id": [{"name": "Everyone"}]}]


async def test_a_body_sqlite_cannot_run_is_pgrst127_naming_the_function(films):
    client, db_url = films
    got = await client.get("/rest/v1/films?select=title,helpers(name)&id=eq.2")
    if db_url.startswith("postgresql"):
        assert got.json() == [{"title": "Beta", "helpers": [{"name": "Bo"}]}]
        return
    # Before: 400 PGRST200, as if no such relationship existed
    assert got.status_code == 400
    body = got.json()
    assert body["code"] == "PGRST127"
    assert "helpers" in body["details"]


HIDDEN_DOC = DOC.replace(
    "director_id integer REFERENCES directors(id));",
    "director_id integer REFERENCES directors(id),\n  webhook_secret text);",
)


async def test_a_caller_some_parent_columns_are_hidden_from_cannot_embed_through_the_whole_row(db_url, service_headers):
    """The function reads the parent's whole row, hidden columns too (a filter on ``$1.webhook_secret`` would
    leak it): refused as PostgreSQL refuses a whole-row reference without every column's privilege."""
    from tests.tenants import token

    schema = build_schema(HIDDEN_DOC, "films.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            film = {"id": 1, "title": "Alpha", "webhook_secret": "s3cret"}
            assert (await client.post("/rest/v1/films", json=film, headers=service_headers)).status_code == 201
            user = token(SECRET, "00000000-0000-4000-8000-000000000001")
            plain = await client.get("/rest/v1/films?select=title", headers=user)
            assert plain.status_code == 200, plain.text  # the table itself is readable
            embed = await client.get("/rest/v1/films?select=title,directors_of(*)", headers=user)
            assert (embed.status_code, embed.json()["code"]) == (403, "42501"), embed.text
            full = await client.get("/rest/v1/films?select=title,directors_of(*)", headers=service_headers)
            assert full.status_code == 200, full.text
    finally:
        await app.state.db.close()


def test_inspect_says_which_functions_are_computed_relationships_and_where_they_embed(tmp_path):
    """Not callable as /rpc on SQLite is not the whole story: the translated ones embed there, the rest not."""
    from typer.testing import CliRunner

    from docbase.cli import app

    doc = tmp_path / "films.md"
    doc.write_text(DOC)
    result = CliRunner().invoke(app, ["inspect", str(doc)])
    assert result.exit_code == 0, result.stdout
    lines = {line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.strip().startswith(str(doc))}
    assert (
        "directors_of (PostgreSQL only; also a computed relationship films -> directors in select=, "
        "which runs on PostgreSQL and SQLite)"
    ) in lines
    assert (
        "helpers (PostgreSQL only; also a computed relationship films -> directors in select=, "
        "which runs on PostgreSQL only)"
    ) in lines
