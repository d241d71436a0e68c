"""Functions in a second schema: ``Content-Profile`` (POST) and ``Accept-Profile`` (GET) choose which schema's
function ``/rpc/<name>`` calls, as PostgREST does; an unexposed profile is PGRST106, and a function the chosen
schema lacks is PGRST202 naming that schema."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Two schemas

```sql
CREATE SCHEMA personal;
CREATE TABLE public.users (username text PRIMARY KEY, status text);
CREATE TABLE personal.users (username text PRIMARY KEY, status text);
CREATE FUNCTION public.get_status(name_param text) RETURNS text AS $$
  SELECT status FROM public.users WHERE username = name_param;
$$ LANGUAGE sql STABLE;
CREATE FUNCTION personal.get_status(name_param text) RETURNS text AS $$
  SELECT status FROM personal.users WHERE username = name_param;
$$ LANGUAGE sql STABLE;
CREATE FUNCTION personal.only_here() RETURNS integer AS $$ SELECT 1 $$ LANGUAGE sql STABLE;
CREATE FUNCTION personal.status_here(name_param text) RETURNS text AS $$
  SELECT status FROM users WHERE username = name_param;
$$ LANGUAGE sql STABLE;
```
"""


@pytest.fixture
async def two(db_url: str, service_headers):
    schema = build_schema(DOC, "two.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        row = {"username": "kiwi"}
        assert (await client.post("/rest/v1/users", json={**row, "status": "public"})).status_code == 201
        personal = {"Content-Profile": "personal"}
        made = await client.post("/rest/v1/users", json={**row, "status": "personal"}, headers=personal)
        assert made.status_code == 201, made.text
        yield client
    await app.state.db.close()


async def test_the_profile_chooses_the_function_s_schema(two):
    # Before: the public function answered whatever the profile said
    args = {"name_param": "kiwi"}
    assert (await two.post("/rest/v1/rpc/get_status", json=args)).json() == "public"
    got = await two.post("/rest/v1/rpc/get_status", json=args, headers={"Content-Profile": "personal"})
    assert got.status_code == 200 and got.json() == "personal", got.text
    got = await two.get("/rest/v1/rpc/get_status?name_param=kiwi", headers={"Accept-Profile": "personal"})
    assert got.json() == "personal"
    assert (await two.post("/rest/v1/rpc/only_here", headers={"Content-Profile": "personal"})).json() == 1


async def test_a_function_outside_the_profile_s_schema_is_not_found(two):
    got = await two.post("/rest/v1/rpc/only_here", json={})
    assert got.status_code == 404 and got.json()["code"] == "PGRST202", got.text
    assert "public.only_here" in got.json()["message"]
    got = await two.post("/rest/v1/rpc/get_status", json={"name_param": "kiwi"}, headers={"Content-Profile": "nope"})
    assert got.status_code == 406 and got.json()["code"] == "PGRST106", got.text


async def test_a_function_s_unqualified_names_are_the_profile_s_schema_first(two):
    """PostgREST sets ``search_path`` to the profile's schema, then ``public``, for the transaction."""
    args = {"name_param": "kiwi"}
    got = await two.post("/rest/v1/rpc/status_here", json=args, headers={"Content-Profile": "personal"})
    assert got.status_code == 200 and got.json() == "personal", got.text
    got = await two.get("/rest/v1/rpc/status_here?name_param=kiwi", headers={"Accept-Profile": "personal"})
    assert got.status_code == 200 and got.json() == "personal", got.text
    # the path was the transaction's only: the next call in the default profile reads public's table
    assert (await two.post("/rest/v1/rpc/get_status", json=args)).json() == "public"
