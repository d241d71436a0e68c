"""SQLite answers as PostgreSQL does where PostgREST's clients can tell: a serial id is never reused, and an
unordered read lists an updated (or re-inserted) row last, as PostgreSQL's heap does (docbase.ddl.row_order)."""

from __future__ import annotations

import httpx

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = "```sql\nCREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);\n```\n"
NAMED = "```sql\nCREATE TABLE people (username text PRIMARY KEY, status text);\n```\n"


async def test_a_deleted_serial_id_is_not_given_again(db_url, service_headers):
    schema = build_schema(DOC, "notes.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        client.headers["Prefer"] = "return=representation"
        made = await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        assert [r["id"] for r in made.json()] == [1, 2, 3]
        assert (await client.delete("/rest/v1/notes?id=eq.3")).status_code == 200
        again = await client.post("/rest/v1/notes", json={"body": "d"})
        assert again.json() == [{"id": 4, "body": "d"}]
    await app.state.db.close()


async def _served(doc: str, db_url: str, service_headers: dict[str, str]):  # type: ignore[no-untyped-def]
    schema = build_schema(doc, "order.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    client.headers.update(service_headers)
    return app, client


async def test_an_updated_row_is_read_last_until_a_later_insert(db_url, service_headers):
    app, client = await _served(DOC, db_url, service_headers)
    async with client:
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        assert (await client.patch("/rest/v1/notes?id=eq.1", json={"body": "A"})).status_code == 204
        assert (await client.patch("/rest/v1/notes?id=eq.2", json={"body": "B"})).status_code == 204
        await client.post("/rest/v1/notes", json={"body": "d"})
        ids = [r["id"] for r in (await client.get("/rest/v1/notes?select=id")).json()]
        assert ids == [3, 1, 2, 4]
        # an upsert that updates moves the row too; a limited read sees the same order
        upsert = {"Prefer": "resolution=merge-duplicates"}
        assert (await client.post("/rest/v1/notes", json={"id": 3, "body": "C"}, headers=upsert)).is_success
        ids = [r["id"] for r in (await client.get("/rest/v1/notes?select=id&limit=3")).json()]
        assert ids == [1, 2, 4]
    await app.state.db.close()


async def test_a_row_inserted_again_under_a_lower_key_is_read_last(db_url, service_headers):
    app, client = await _served(DOC, db_url, service_headers)
    async with client:
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        assert (await client.delete("/rest/v1/notes?id=eq.1")).status_code == 204
        assert (await client.post("/rest/v1/notes", json={"id": 1, "body": "again"})).status_code == 201
        ids = [r["id"] for r in (await client.get("/rest/v1/notes?select=id")).json()]
        assert ids == [2, 3, 1]
    await app.state.db.close()


async def test_a_text_keyed_row_moves_on_update_and_keeps_its_place_when_deleted_rows_go(db_url, service_headers):
    app, client = await _served(NAMED, db_url, service_headers)
    async with client:
        names = ["supabot", "kiwicopple", "awailas", "dragarcia", "jsonuser"]
        for name in names:
            await client.post("/rest/v1/people", json={"username": name, "status": "ONLINE"})
        await client.patch("/rest/v1/people?username=eq.kiwicopple", json={"status": "OFFLINE"})
        await client.delete("/rest/v1/people?username=eq.jsonuser")
        read = [r["username"] for r in (await client.get("/rest/v1/people?select=username")).json()]
        assert read == ["supabot", "awailas", "dragarcia", "kiwicopple"]
    await app.state.db.close()


async def test_ties_of_an_order_follow_the_same_heap_order(db_url, service_headers):
    app, client = await _served(NAMED, db_url, service_headers)
    async with client:
        for name in ["supabot", "kiwicopple", "awailas"]:
            await client.post("/rest/v1/people", json={"username": name, "status": "ONLINE"})
        await client.patch("/rest/v1/people?username=eq.supabot", json={"status": "ONLINE"})
        read = [r["username"] for r in (await client.get("/rest/v1/people?select=username&order=status")).json()]
        assert read == ["kiwicopple", "awailas", "supabot"]
        read = [r["username"] for r in (await client.get("/rest/v1/people?select=username&order=username")).json()]
        assert read == ["awailas", "kiwicopple", "supabot"]
    await app.state.db.close()


async def test_an_update_or_delete_returns_rows_in_the_order_a_read_gives(db_url, service_headers):
    app, client = await _served(DOC, db_url, service_headers)
    async with client:
        client.headers["Prefer"] = "return=representation"
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}, {"body": "d"}])
        await client.patch("/rest/v1/notes?id=eq.2", json={"body": "B"})
        updated = await client.patch("/rest/v1/notes?body=neq.d", json={"body": "x"})
        assert [r["id"] for r in updated.json()] == [1, 3, 2]
        assert [r["id"] for r in (await client.get("/rest/v1/notes?select=id")).json()] == [4, 1, 3, 2]
        deleted = await client.delete("/rest/v1/notes?body=eq.x")
        assert [r["id"] for r in deleted.json()] == [1, 3, 2]
    await app.state.db.close()


async def test_a_duplicate_key_names_the_key_and_value_as_postgresql_does(db_url, service_headers):
    app, client = await _served(NAMED, db_url, service_headers)
    async with client:
        await client.post("/rest/v1/people", json={"username": "supabot", "status": "ONLINE"})
        again = await client.post("/rest/v1/people", json=[{"username": "kiwi"}, {"username": "supabot"}])
        assert again.status_code == 409
        assert again.json() == {
            "code": "23505",
            "details": "Key (username)=(supabot) already exists.",
            "hint": None,
            "message": 'duplicate key value violates unique constraint "people_pkey"',
        }
    await app.state.db.close()


async def test_a_big_sqlite_table_is_read_in_rowid_order_without_sorting_every_row(sqlite_url, service_headers):
    """Past HEAP_ORDER_ROWS an unordered read no longer sorts the whole table into heap order (a cost that
    grew with every row: ~10 ms per read at 20,000 rows) and SQLite stops after ``limit`` rows; PostgreSQL
    promises no order there either. Below it the heap order holds (the tests above)."""
    import sqlite3

    from docbase.api.heap_order import HEAP_ORDER_ROWS

    app, client = await _served(DOC, sqlite_url, service_headers)
    async with client:
        rows = [{"body": str(i)} for i in range(HEAP_ORDER_ROWS + 1)]
        assert (await client.post("/rest/v1/notes", json=rows)).status_code == 201
        assert (await client.patch("/rest/v1/notes?id=eq.1", json={"body": "A"})).status_code == 204
        traced: list[str] = []
        app.state.db._connection().set_trace_callback(traced.append)
        ids = [r["id"] for r in (await client.get("/rest/v1/notes?select=id&limit=3")).json()]
        assert ids == [1, 2, 3]  # rowid order: the updated row keeps its place
        read = next(s for s in traced if "json" in s.lower() and "notes" in s)
        path = sqlite_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + read))
        assert "TEMP B-TREE" not in plan, plan  # no sort of the table's rows
    await app.state.db.close()


async def test_the_heap_order_threshold_is_a_setting(sqlite_url, service_headers, monkeypatch):
    """``sqlite_heap_order_rows`` moves the size past which SQLite reads in rowid order: at 2, a table of
    three rows already keeps an updated row in its place; at 0 no table does (heap order always)."""
    monkeypatch.setenv("DOCBASE_SQLITE_HEAP_ORDER_ROWS", "2")
    app, client = await _served(DOC, sqlite_url, service_headers)
    async with client:
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        assert (await client.patch("/rest/v1/notes?id=eq.1", json={"body": "A"})).status_code == 204
        assert [r["id"] for r in (await client.get("/rest/v1/notes?select=id")).json()] == [1, 2, 3]
    await app.state.db.close()
    monkeypatch.setenv("DOCBASE_SQLITE_HEAP_ORDER_ROWS", "0")
    app = create_app(build_schema(DOC, "order.md"), sqlite_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        assert [r["id"] for r in (await client.get("/rest/v1/notes?select=id")).json()] == [2, 3, 1]
    await app.state.db.close()


async def test_missing_default_numbers_every_row_as_postgrest_does(db_url, service_headers):
    """PostgREST builds a ``missing=default`` row as ``<every default> || row``: the serial key's default runs
    for a row that names its id too, so ``[{id: 100}, {body: 'x'}]`` gives the second row the sequence's
    second value (postgrest-js's "bulk insert with column defaults"). Before: it got the first."""
    app, client = await _served(DOC, db_url, service_headers)
    async with client:
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        headers = {"Prefer": "return=representation,missing=default"}
        made = await client.post(
            "/rest/v1/notes?columns=id,body", json=[{"id": 100, "body": "x"}, {"body": "y"}], headers=headers
        )
        assert made.status_code == 201, made.text
        assert made.json() == [{"id": 100, "body": "x"}, {"id": 5, "body": "y"}]
        # the value thrown away for id 100 (4) is not given again; SQLite's AUTOINCREMENT also steps past 100
        made = await client.post("/rest/v1/notes?columns=body", json=[{"body": "z"}], headers=headers)
        assert made.json() == [{"id": 101 if db_url.startswith("sqlite") else 6, "body": "z"}]
    await app.state.db.close()


async def test_numbers_a_rolled_back_missing_default_insert_took_stay_used(db_url, service_headers):
    """A sequence is not rolled back: after ``Prefer: tx=rollback`` the numbers PostgREST's per-row defaults
    took are gone on PostgreSQL, and docbase keeps them used on SQLite too (postgrest-js's "bulk upsert with
    column defaults" after the rolled-back bulk insert). Before, on SQLite: the same ids again."""
    app, client = await _served(DOC, db_url, service_headers)
    async with client:
        await client.post("/rest/v1/notes", json=[{"body": "a"}, {"body": "b"}, {"body": "c"}])
        headers = {"Prefer": "return=representation,missing=default,tx=rollback"}
        body = [{"id": 100, "body": "x"}, {"body": "y"}]
        made = await client.post("/rest/v1/notes?columns=id,body", json=body, headers=headers)
        assert made.status_code == 201 and made.json()[1] == {"id": 5, "body": "y"}, made.text
        headers["Prefer"] = "return=representation,missing=default,resolution=merge-duplicates"
        body = [{"id": 2, "body": "x"}, {"body": "y"}]
        made = await client.post("/rest/v1/notes?columns=id,body", json=body, headers=headers)
        assert made.json() == [{"id": 2, "body": "x"}, {"id": 7, "body": "y"}]
        assert [r["id"] for r in (await client.get("/rest/v1/notes?select=id&order=id")).json()] == [1, 2, 3, 7]
    await app.state.db.close()
