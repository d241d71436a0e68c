"""Computed fields (docbase.api.computed): a function over a table's row type is selected like a column,
at the top level and in embeds, on both databases; ``*`` leaves it out; a body SQLite cannot run is
PGRST127 there, naming the field."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Chat

```sql
CREATE TABLE users (username text PRIMARY KEY);
CREATE TABLE messages (
  id integer PRIMARY KEY,
  username text NOT NULL REFERENCES users(username),
  message text
);
create function public.blurb_message(public.messages) returns character varying as
$$
select substring($1.message, 1, 3);
$$ language sql stable;
create function shout(m messages) returns text as $$ select upper(m.message) || '!' $$ language sql stable;
create function words(messages) returns integer as $$
begin
  return array_length(regexp_split_to_array($1.message, ' '), 1);
end $$ language plpgsql stable;
```
"""


@pytest.fixture
async def chat(db_url: str, service_headers):
    schema = build_schema(DOC, "chat.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        assert (await client.post("/rest/v1/users", json=[{"username": "ann"}])).status_code == 201
        rows = [{"id": 1, "username": "ann", "message": "Hello World"}, {"id": 2, "username": "ann", "message": "hi"}]
        assert (await client.post("/rest/v1/messages", json=rows)).status_code == 201
        yield client
    await app.state.db.close()


async def test_a_computed_field_is_selected_like_a_column(chat):
    # Before: 400 42703 "column messages.blurb_message does not exist"
    got = await chat.get("/rest/v1/messages?select=id,blurb_message,loud:shout&order=id")
    assert got.status_code == 200, got.text
    assert got.json() == [
        {"id": 1, "blurb_message": "Hel", "loud": "HELLO WORLD!"},
        {"id": 2, "blurb_message": "hi", "loud": "HI!"},
    ]


async def test_a_computed_field_in_an_embed_and_not_in_star(chat):
    got = await chat.get("/rest/v1/users?select=messages(*,blurb_message)&messages.order=id")
    assert got.status_code == 200, got.text
    assert got.json() == [
        {
            "messages": [
                {"id": 1, "username": "ann", "message": "Hello World", "blurb_message": "Hel"},
                {"id": 2, "username": "ann", "message": "hi", "blurb_message": "hi"},
            ]
        }
    ]
    star = await chat.get("/rest/v1/messages?select=*&id=eq.1")
    assert star.json() == [{"id": 1, "username": "ann", "message": "Hello World"}]


async def test_a_plpgsql_computed_field_runs_on_postgresql_and_is_named_on_sqlite(chat, db_url):
    got = await chat.get("/rest/v1/messages?select=id,words&order=id")
    if db_url.startswith("postgresql"):
        assert got.status_code == 200 and got.json() == [{"id": 1, "words": 2}, {"id": 2, "words": 1}]
    else:
        assert got.status_code == 400 and got.json()["code"] == "PGRST127", got.text
        assert "computed field words" in got.json()["details"]


async def test_rows_are_filtered_and_ordered_by_a_computed_field(chat):
    # Before: 400 42703 "column messages.shout does not exist", for the filter and for the order alike
    got = await chat.get("/rest/v1/messages?select=id&shout=eq.HI!")
    assert got.status_code == 200, got.text
    assert got.json() == [{"id": 2}]
    got = await chat.get("/rest/v1/messages?select=id&blurb_message=like.Hel*")
    assert got.json() == [{"id": 1}]
    got = await chat.get("/rest/v1/messages?select=id&or=(shout.eq.HI!,id.eq.1)&order=shout.desc")
    assert got.status_code == 200, got.text
    assert got.json() == [{"id": 2}, {"id": 1}]  # 'HI!' sorts after 'HELLO WORLD!'
    got = await chat.get("/rest/v1/messages?select=id&order=blurb_message.asc")
    assert got.json() == [{"id": 1}, {"id": 2}]
    # an embedded resource is filtered and ordered by its computed fields as well
    got = await chat.get("/rest/v1/users?select=username,messages(id)&messages.shout=eq.HI!")
    assert got.json() == [{"username": "ann", "messages": [{"id": 2}]}]
    got = await chat.get("/rest/v1/users?select=messages(id)&messages.order=shout.desc")
    assert got.json() == [{"messages": [{"id": 2}, {"id": 1}]}]
    # a second read of the same shape (the cached statement) binds the new value
    got = await chat.get("/rest/v1/messages?select=id&shout=eq.HELLO WORLD!")
    assert got.json() == [{"id": 1}]
