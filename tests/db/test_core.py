"""Auth's and storage's SQLAlchemy Core statements on docbase.db's drivers keep SQLAlchemy's meaning.

The oracle is SQLAlchemy's own synchronous engine (sqlite3, psycopg): the
same statement must give the same Python values, the same row counts and
the same exception classes, on both databases.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from docbase.db import connections, drivers
from docbase.db.core import Engine

META = sa.MetaData()
THINGS = sa.Table(
    "things",
    META,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("ok", sa.Boolean),
    sa.Column("doc", sa.JSON),
    sa.Column("ratio", sa.Float),
    sa.Column("price", sa.Numeric(10, 2)),
    sa.Column("count", sa.Integer),
)
AT = dt.datetime(2026, 12, 4, 22, 5, 50, 123456, tzinfo=dt.UTC)


async def _engine(url: str) -> Engine:
    engine = Engine(url)
    await engine.run_sync(META.create_all)
    return engine


def _oracle(url: str, statement: sa.Executable) -> list[tuple]:
    made = connections.engine(url, poolclass=sa.pool.NullPool)
    try:
        with made.connect() as conn:
            return [tuple(r) for r in conn.execute(statement)]
    finally:
        made.dispose()


async def test_values_keep_their_types_as_sqlalchemys_engine_reads_them(db_url):
    engine = await _engine(db_url)
    try:
        ids = [uuid.uuid4(), uuid.uuid4()]
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(THINGS).values(
                    id=ids[0], name="a", at=AT, ok=True, doc={"k": [1, None]}, ratio=0.5, price=Decimal("2.50"), count=3
                )
            )
            await conn.execute(sa.insert(THINGS).values(id=ids[1], name="b", ok=False))
        query = sa.select(THINGS).where(THINGS.c.id.in_(ids)).order_by(THINGS.c.name)
        async with engine.connect() as conn:
            got = (await conn.execute(query)).all()
        assert [tuple(r) for r in got] == _oracle(db_url, query)
        first = got[0]
        assert (first.id, first.ok, first.doc, first.count) == (ids[0], True, {"k": [1, None]}, 3)
        # SQLAlchemy's SQLite dialect stores the UTC wall time and reads it back naive
        assert first.at == (AT if db_url.startswith("postgresql") else AT.replace(tzinfo=None))
        assert isinstance(first.ratio, float) and isinstance(first.price, Decimal)
        # a JSON path, an expanded IN list of UUIDs: SQLAlchemy's processors on each value
        where = sa.select(THINGS.c.name).where(THINGS.c.doc["k"][0].as_integer() == 1, THINGS.c.id.in_(ids))
        async with engine.connect() as conn:
            assert (await conn.execute(where)).scalars() == ["a"]
    finally:
        await engine.dispose()


async def test_row_counts_savepoints_and_integrity_errors(db_url):
    engine = await _engine(db_url)
    try:
        async with engine.begin() as conn:
            for name in ("a", "b", "c"):
                await conn.execute(sa.insert(THINGS).values(id=uuid.uuid4(), name=name, count=0))
            done = await conn.execute(sa.update(THINGS).values(count=1).where(THINGS.c.name != "c"))
            assert done.rowcount == 2
            with pytest.raises(sa.exc.IntegrityError):
                async with conn.begin_nested():
                    await conn.execute(sa.insert(THINGS).values(id=uuid.uuid4(), name="d"))
                    await conn.execute(sa.insert(THINGS).values(id=uuid.uuid4(), name="a"))  # taken
            # the savepoint undid "d" and the transaction goes on
            names = (await conn.execute(sa.select(THINGS.c.name).order_by(THINGS.c.name))).scalars()
            assert names == ["a", "b", "c"]
            assert (await conn.execute(sa.select(THINGS.c.count).where(THINGS.c.name == "a"))).first().count == 1
        async with engine.connect() as conn:  # connect() reads and never keeps a write
            await conn.execute(sa.delete(THINGS))
        async with engine.connect() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(THINGS))).scalar_one() == 3
            assert await conn.has_table("things") and not await conn.has_table("nothing")
    finally:
        await engine.dispose()


async def test_a_waiting_auth_writer_never_stalls_the_apis_writes_on_sqlite(tmp_path):
    """Auth holds its write transaction across an await (a password hash); the API's write on the same
    worker waits for it on the event loop instead of inside SQLite's busy handler, where the loop could
    not run auth to its COMMIT: that was a frozen worker for the 5 s busy timeout, then a 503."""
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    engine = await _engine(url)
    api = drivers.connect(url)
    try:
        async with api.transaction() as tx:
            await tx.configure("CREATE TABLE notes (body TEXT)", [])
        order = []

        async def auth_write() -> None:
            async with engine.begin() as conn:
                await conn.execute(sa.insert(THINGS).values(id=uuid.uuid4(), name="hashing"))
                await asyncio.sleep(0.3)  # bcrypt in a thread
                order.append("auth committed")

        async def api_write() -> None:
            await asyncio.sleep(0.05)
            async with api.transaction() as tx:
                await tx.configure("INSERT INTO notes VALUES ('hi')", [])
            order.append("api committed")

        started = time.monotonic()
        await asyncio.gather(auth_write(), api_write())
        assert order == ["auth committed", "api committed"]
        assert time.monotonic() - started < 4  # not the busy timeout
    finally:
        await api.close()
        await engine.dispose()
