"""Every connection docbase.db opens has the same settings, whoever asks: auth's cascades fire as the API's do."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from docbase.auth.db import engine_for
from docbase.auth.tables import auth_tables, create_auth_tables


async def test_auth_engine_enforces_foreign_keys_on_sqlite(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'auth.db'}")
    t = auth_tables("sqlite")
    user, session = uuid.uuid4(), uuid.uuid4()
    try:
        await engine.run_sync(create_auth_tables)
        async with engine.begin() as conn:
            pragmas = {
                name: (await conn.execute(sa.text(f"PRAGMA {name}"))).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
            assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}
            await conn.execute(sa.insert(t.users).values(id=user, email="a@x.io"))
            await conn.execute(sa.insert(t.sessions).values(id=session, user_id=user))
            await conn.execute(sa.delete(t.users).where(t.users.c.id == user))
            left = (await conn.execute(sa.select(sa.func.count()).select_from(t.sessions))).scalar()
        assert left == 0  # ON DELETE CASCADE fired
    finally:
        await engine.dispose()


SQLITE_SETTINGS = ("foreign_keys", "journal_mode", "busy_timeout", "synchronous", "case_sensitive_like")


async def _sqlite_settings_of_every_opener(url: str) -> dict[str, tuple]:
    """What each way docbase.db opens SQLite reports for the shared pragmas (case_sensitive_like is write-only:
    read back through LIKE's behaviour)."""
    from docbase.api.db import SqliteDatabase as ApiSqlite
    from docbase.db import connections, core, drivers

    def ask(run) -> tuple:
        return (*(run(f"PRAGMA {p}") for p in SQLITE_SETTINGS[:-1]), run("SELECT 'A' LIKE 'a'"))

    found = {}
    raw = connections.sqlite_connect(url)
    found["sqlite_connect"] = ask(lambda sql: raw.execute(sql).fetchone()[0])
    raw.close()
    engine = connections.engine(url)
    with engine.connect() as conn:
        found["engine"] = ask(lambda sql: conn.exec_driver_sql(sql).scalar())
    engine.dispose()
    for name, db in (("drivers.SqliteDatabase", drivers.connect(url)), ("api SqliteDatabase", ApiSqlite(url))):
        async with db.transaction(readonly=True) as tx:
            found[name] = tuple([await tx.value(f"PRAGMA {p}", []) for p in SQLITE_SETTINGS[:-1]]) + (
                await tx.value("SELECT 'A' LIKE 'a'", []),
            )
        await db.close()
    made = core.Engine(url)  # auth's and storage's
    async with made.connect() as conn:
        found["core.Engine"] = tuple(
            [(await conn.execute(sa.text(f"PRAGMA {p}"))).scalar() for p in SQLITE_SETTINGS[:-1]]
        ) + ((await conn.execute(sa.text("SELECT 'A' LIKE 'a'"))).scalar(),)
    await made.dispose()
    return found


async def test_every_sqlite_connection_has_the_same_settings(tmp_path):
    """Whoever opens it (API, auth, realtime, commands), a SQLite connection enforces foreign keys, runs in WAL,
    waits 5 s when busy, syncs as ``sqlite_synchronous`` says (default full = 2) and compares LIKE case-sensitively."""
    found = await _sqlite_settings_of_every_opener(f"sqlite:///{tmp_path / 'same.db'}")
    assert set(found.values()) == {(1, "wal", 5000, 2, 0)}, found


async def test_every_postgresql_connection_starts_in_utc_with_the_statement_timeout(pg_url):
    from docbase.db import connections, core

    ask = "SELECT current_setting('TimeZone'), current_setting('statement_timeout')"
    found = {}
    conn = await connections.pg_connect(pg_url)
    found["pg_connect"] = tuple(await conn.fetchrow(ask))
    await conn.close()
    pool = await connections.pg_pool(pg_url, min_size=1, max_size=1)
    async with pool.acquire() as conn:
        found["pg_pool"] = tuple(await conn.fetchrow(ask))
    await pool.close()
    with connections.psycopg_connect(pg_url) as conn:
        found["psycopg_connect"] = tuple(conn.execute(ask).fetchone())
    engine = connections.engine(pg_url)
    with engine.connect() as conn:
        found["engine"] = tuple(conn.exec_driver_sql(ask).one())
    engine.dispose()
    made = core.Engine(pg_url)
    async with made.connect() as conn:
        found["core.Engine"] = tuple((await conn.execute(sa.text(ask))).one())
    await made.dispose()
    (zone, limit), *others = set(found.values())
    assert not others and zone == "UTC" and limit not in ("0", "0ms"), found  # one limit, the setting's
