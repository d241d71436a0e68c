"""A signed-in read or write is one round trip to PostgreSQL, and pooled connections carry nothing between callers.

The round trips are counted on the wire: docbase talks to PostgreSQL
through a loopback proxy that counts how often docbase speaks after
PostgreSQL has answered (a "turn"). Statements sent together in one
pipeline are one turn however many there are; asyncpg's BEGIN, set_config,
query, COMMIT were four.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

from .conftest import SECRET

DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES users(id), body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own notes" ON public.notes FOR SELECT USING (auth.uid() = user_id);
```
"""
WRITES = DOC.replace(
    "```\n",
    'CREATE POLICY "write own notes" ON public.notes FOR ALL USING (auth.uid() = user_id) '
    "WITH CHECK (auth.uid() = user_id);\n```\n",
    1,
)
SERVICE = {"apikey": keys.service_key(SECRET)}


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "role": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


class TurnCounter:
    """A TCP proxy to PostgreSQL counting the times the client sends after the server has sent."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.turns, self.server = target, 0, None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        last = ["server"]

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, side: str) -> None:
            while data := await src.read(65536):
                if side == "client" and last[0] != "client":
                    self.turns += 1
                last[0] = side
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_writer, "client"), pump(up_reader, writer, "server"))

    def close(self) -> None:
        self.server.close()


def _through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


async def _notes(url: str, doc: str = DOC):
    schema = build_schema(doc, "notes.md")
    migrate(schema, url)
    app = create_app(schema, url, secret=SECRET)
    return app


async def test_a_signed_in_read_by_id_is_one_round_trip(pg_url):
    parts = urlsplit(pg_url)
    proxy = TurnCounter((parts.hostname or "127.0.0.1", parts.port or 5432))
    port = await proxy.start()
    app = await _notes(pg_url)
    served = create_app(build_schema(DOC, "notes.md"), _through(pg_url, port), secret=SECRET)
    ann = str(uuid.uuid4())
    note = str(uuid.uuid4())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.post("/rest/v1/users", json={"id": ann}, headers=SERVICE)).status_code == 201
            made = await c.post("/rest/v1/notes", json={"id": note, "user_id": ann, "body": "hi"}, headers=SERVICE)
            assert made.status_code == 201
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://t") as c:
            path = f"/rest/v1/notes?id=eq.{note}&select=id,body"
            first = await c.get(path, headers=bearer(ann))  # connects and prepares: not counted
            assert first.json() == [{"id": note, "body": "hi"}]
            before = proxy.turns
            for _ in range(10):
                got = await c.get(path, headers=bearer(ann))
                assert got.json() == [{"id": note, "body": "hi"}]
            assert proxy.turns - before == 10, f"{proxy.turns - before} round trips for 10 reads"
    finally:
        await served.state.db.close()
        await app.state.db.close()
        proxy.close()


async def test_a_signed_in_insert_update_and_delete_are_one_round_trip_each(pg_url):
    """BEGIN, role and claims, the statement and COMMIT go together, whether the row comes back or not."""
    parts = urlsplit(pg_url)
    proxy = TurnCounter((parts.hostname or "127.0.0.1", parts.port or 5432))
    port = await proxy.start()
    app = await _notes(pg_url, WRITES)
    served = create_app(build_schema(WRITES, "notes.md"), _through(pg_url, port), secret=SECRET)
    ann = str(uuid.uuid4())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.post("/rest/v1/users", json={"id": ann}, headers=SERVICE)).status_code == 201
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://t") as c:
            for returning in ("minimal", "representation"):
                me = {**bearer(ann), "Prefer": f"return={returning}"}

                async def write(note: str, me: dict[str, str] = me) -> list:
                    """Insert, update and delete one note: the responses, as a caller sees them."""
                    made = await c.post("/rest/v1/notes", json={"id": note, "user_id": ann, "body": "a"}, headers=me)
                    changed = await c.patch(f"/rest/v1/notes?id=eq.{note}", json={"body": "b"}, headers=me)
                    gone = await c.delete(f"/rest/v1/notes?id=eq.{note}", headers=me)
                    return [(r.status_code, r.content and r.json()) for r in (made, changed, gone)]

                await write(str(uuid.uuid4()))  # connects and prepares each statement: not counted
                note = str(uuid.uuid4())
                before = proxy.turns
                answers = await write(note)
                assert proxy.turns - before == 3, f"{proxy.turns - before} round trips for 3 writes ({returning})"
                if returning == "minimal":
                    assert answers == [(201, b""), (204, b""), (204, b"")]
                else:
                    rows = [[{"id": note, "user_id": ann, "body": body}] for body in ("a", "b", "b")]
                    assert answers == [(201, rows[0]), (200, rows[1]), (200, rows[2])]
            assert (await c.get("/rest/v1/notes", headers=bearer(ann))).json() == []
            # Prefer: tx=rollback sends ROLLBACK in the COMMIT's place, in the same round trip, again and again
            undone = {**bearer(ann), "Prefer": "return=representation,tx=rollback"}
            before = proxy.turns
            for _ in range(3):
                kept_back = await c.post(
                    "/rest/v1/notes", json={"id": str(uuid.uuid4()), "user_id": ann}, headers=undone
                )
                assert kept_back.status_code == 201, kept_back.text
            assert proxy.turns - before == 3, f"{proxy.turns - before} round trips for 3 rolled-back writes"
            assert (await c.get("/rest/v1/notes", headers=bearer(ann))).json() == []
            bob = {**bearer(str(uuid.uuid4())), "Prefer": "return=representation"}
            refused = await c.post("/rest/v1/notes", json={"id": str(uuid.uuid4()), "user_id": ann}, headers=bob)
            assert refused.status_code == 403 and refused.json()["code"] == "42501", refused.text
    finally:
        await served.state.db.close()
        await app.state.db.close()
        proxy.close()


async def test_callers_alternating_on_one_pooled_connection_never_see_each_others_rows(db_url):
    app = await _notes(db_url)
    if hasattr(app.state.db, "pipeline"):
        app.state.db.pipeline.size = 1  # every read below runs on the same PostgreSQL connection
    ann, bob = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            for uid in (ann, bob):
                assert (await c.post("/rest/v1/users", json={"id": uid}, headers=SERVICE)).status_code == 201
            rows = [{"id": str(uuid.uuid4()), "user_id": u, "body": f"{u} note"} for u in (ann, bob)]
            assert (await c.post("/rest/v1/notes", json=rows, headers=SERVICE)).status_code == 201
            for _ in range(3):
                for who in (ann, bob):
                    seen = (await c.get("/rest/v1/notes?select=body", headers=bearer(who))).json()
                    assert seen == [{"body": f"{who} note"}]
                    refused = await c.get("/rest/v1/notes?body=match.(", headers=bearer(who))
                    assert refused.status_code == 400, refused.text  # a failed read leaves nothing behind
                anon = await c.get("/rest/v1/notes?select=body", headers={"apikey": keys.anon_key(SECRET)})
                assert anon.json() == [] or anon.status_code in (401, 403)
                every = (await c.get("/rest/v1/notes?select=body&order=body", headers=SERVICE)).json()
                assert len(every) == 2
    finally:
        await app.state.db.close()


async def test_a_read_by_id_is_one_statement_on_sqlite_and_a_counted_read_one_transaction(sqlite_url):
    """SQLite: a read of one statement is atomic without BEGIN and COMMIT (two of its three calls into SQLite
    were those); a read that also counts still runs both statements in one transaction (one snapshot)."""
    app = await _notes(sqlite_url)
    ann, note = str(uuid.uuid4()), str(uuid.uuid4())
    seen: list[str] = []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.post("/rest/v1/users", json={"id": ann}, headers=SERVICE)).status_code == 201
            made = await c.post("/rest/v1/notes", json={"id": note, "user_id": ann, "body": "hi"}, headers=SERVICE)
            assert made.status_code == 201
            app.state.db._connection().set_trace_callback(seen.append)
            path = f"/rest/v1/notes?id=eq.{note}&select=id,body"
            for _ in range(10):
                got = await c.get(path, headers=bearer(ann))
                assert got.json() == [{"id": note, "body": "hi"}]
            # besides: the table's size, read at most once a second to choose its row order (docbase.api.heap_order)
            reads = [s for s in seen if not s.startswith("SELECT max(rowid)")]
            assert len(reads) == 10 and not any(s.startswith(("BEGIN", "COMMIT")) for s in reads), reads
            seen.clear()
            got = await c.get(path, headers={**bearer(ann), "Prefer": "count=exact"})
            assert got.json() == [{"id": note, "body": "hi"}] and got.headers["content-range"] == "0-0/1"
            reads = [s for s in seen if not s.startswith("SELECT max(rowid)")]
            assert reads[0] == "BEGIN" and reads[-1] == "COMMIT" and len(reads) == 4, reads
    finally:
        await app.state.db.close()
