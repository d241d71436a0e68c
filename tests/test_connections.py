"""Every SQLite connection docbase opens has the same settings: auth's cascades fire as the API's do."""

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
        async with engine.begin() as conn:
            await conn.run_sync(create_auth_tables)
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
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
