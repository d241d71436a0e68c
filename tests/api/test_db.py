"""The drivers: PostgreSQL going away gives 503 and comes back without a restart; SQLite is WAL + durable."""

from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import urlsplit

import httpx
import pytest

from docbase.api import create_app
from docbase.api.db import connect
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = "```sql\nCREATE TABLE notes (id integer PRIMARY KEY, body text);\n```\n"


class Proxy:
    """A TCP relay in front of PostgreSQL that the test can switch off and on."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.links: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in self.links:
            w.close()
        self.links.clear()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.links += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_postgres_outage_is_503_then_recovers(pg_url):
    schema = build_schema(DOC)
    create_tables(schema, pg_url)
    parts = urlsplit(pg_url)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    via_proxy = pg_url.replace(parts.netloc, f"{parts.username}@127.0.0.1:{proxy.port}")
    app = create_app(schema, via_proxy, secret=SECRET)
    from docbase.auth import keys

    headers = {"apikey": keys.service_key(SECRET)}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        first = await client.post("/rest/v1/notes", json={"id": 1, "body": "a"})
        assert first.status_code == 201, first.text
        await proxy.stop()
        response = await client.get("/rest/v1/notes")
        assert response.status_code == 503, response.text
        assert set(response.json()) == {"code", "message", "details", "hint"}
        response = await client.post("/rest/v1/notes", json={"id": 2, "body": "b"})
        assert response.status_code == 503
        await proxy.start()
        response = await client.get("/rest/v1/notes?select=id")
        assert response.status_code == 200 and response.json() == [{"id": 1}]
    await app.state.db.close()
    await proxy.stop()


async def test_unreachable_postgres_at_start_is_503(tmp_path):
    app = create_app(build_schema(DOC), "postgresql://postgres@127.0.0.1:1/none", secret=SECRET)
    from docbase.auth import keys

    headers = {"apikey": keys.service_key(SECRET)}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        response = await client.get("/rest/v1/notes")
    assert response.status_code == 503
    assert response.json()["code"] == "PGRST001"


async def test_sqlite_runs_in_wal_with_full_sync(tmp_path):
    path = tmp_path / "w.db"
    db = connect(f"sqlite:///{path}")
    async with db.transaction() as tx:
        assert await tx.value("PRAGMA journal_mode", []) == "wal"
        assert await tx.value("PRAGMA synchronous", []) == 2
        assert await tx.value("PRAGMA foreign_keys", []) == 1
    await db.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_sqlite_synchronous_setting_trades_power_loss_durability_for_speed(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_SQLITE_SYNCHRONOUS", "normal")
    db = connect(f"sqlite:///{tmp_path / 'n.db'}")
    async with db.transaction() as tx:
        assert await tx.value("PRAGMA synchronous", []) == 1
    await db.close()
    monkeypatch.setenv("DOCBASE_SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ValueError, match="full or normal"):
        connect(f"sqlite:///{tmp_path / 'o.db'}")


def test_unknown_url_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported database .mysql."):
        connect("mysql://x")


async def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    writer, reader = connect(url), connect(url)
    async with writer.transaction() as tx:
        await tx.rows("CREATE TABLE t (id integer)", [])
        await tx.rows("INSERT INTO t VALUES (1)", [])
    async with writer.transaction() as tx:  # holds the write lock
        await tx.rows("INSERT INTO t VALUES (2)", [])
        async with reader.transaction(readonly=True) as rtx:
            assert await rtx.value("SELECT count(*) FROM t", []) == 1
    await writer.close()
    await reader.close()


async def test_sqlite_busy_writer_gets_503_not_500(tmp_path):
    from docbase.api.errors import ApiError

    url = f"sqlite:///{tmp_path / 'b.db'}"
    first, second = connect(url), connect(url)
    second._connection().execute("PRAGMA busy_timeout=50")
    async with first.transaction() as tx:
        await tx.rows("CREATE TABLE t (id integer)", [])
        with pytest.raises(ApiError) as info:
            async with second.transaction():
                pass
    assert info.value.status == 503
    await first.close()
    await second.close()


async def test_postgres_request_settings_end_with_their_transaction(pg_url):
    """Pooled connections skip asyncpg's reset statement, so nothing a request sets may outlive it."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$")
    db = connect(pg_url)
    db.max_size = db.min_size = 1  # one connection: the second transaction reuses the first one's
    try:
        async with db.transaction() as tx:
            await tx.value(
                "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
                ["authenticated", '{"sub": "a"}'],
            )
            assert await tx.value("SELECT current_user", []) == "authenticated"
        async with db.transaction(readonly=True) as tx:
            assert await tx.value("SELECT current_user", []) != "authenticated"
            assert await tx.value("SELECT current_setting('request.jwt.claims', true)", []) in (None, "")
            backend = await tx.value("SELECT pg_backend_pid()", [])
        with psycopg.connect(pg_url, autocommit=True) as admin:
            last = admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()[0]
        assert last.strip().rstrip(";").upper() == "COMMIT", (
            f"a statement ran after the request's transaction: {last!r}"
        )
    finally:
        await db.close()
