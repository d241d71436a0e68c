"""An auth-only Starlette app over a throwaway database, with a small document's users table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Mount

from docbase.auth import keys
from docbase.auth.config import AuthConfig
from docbase.auth.routes import auth_routes
from docbase.db.core import Engine
from docbase.pipeline import build_schema

SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"

USERS_SQL = """CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  password_hash text,
  is_verified boolean DEFAULT false,
  created_at timestamptz DEFAULT CURRENT_TIMESTAMP
)"""

DOCUMENT = f"# Accounts\n\n```sql\n{USERS_SQL};\n```\n"


@dataclass
class Harness:
    client: httpx.AsyncClient
    engine: AsyncEngine
    anon: str
    app: Starlette

    async def signup(self, email: str = "ada@example.com", password: str = "correct horse", **extra) -> httpx.Response:
        return await self.client.post("/auth/v1/signup", json={"email": email, "password": password, **extra})

    async def login(self, email: str = "ada@example.com", password: str = "correct horse") -> httpx.Response:
        return await self.client.post(
            "/auth/v1/token", params={"grant_type": "password"}, json={"email": email, "password": password}
        )

    async def rows(self, sql: str, **params) -> list[dict]:
        async with self.engine.connect() as conn:
            return [dict(r) for r in (await conn.execute(sa.text(sql), params)).mappings()]

    async def outbox(self) -> list[dict]:
        table = "auth.outbox" if self.engine.dialect.name == "postgresql" else "auth_outbox"
        return await self.rows(f"SELECT * FROM {table} ORDER BY id")


class Clock:
    """Seconds since the epoch that a test moves by hand, so no test waits for expiry."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_config(**overrides) -> AuthConfig:
    return AuthConfig(bcrypt_cost=4, **overrides)


async def make_harness(
    url: str, document: str = DOCUMENT, ddl: str | None = USERS_SQL, clock=None, **overrides
) -> Harness:
    engine = Engine(url)
    if ddl:
        async with engine.begin() as conn:
            await conn.execute(sa.text(ddl))
    schema = build_schema(document, "test.md")
    extra = {"clock": clock} if clock else {}
    routes = auth_routes(schema, engine, test_config(**overrides), SECRET, **extra)
    app = Starlette(routes=[Mount("/auth/v1", routes=routes)])
    anon = keys.anon_key(SECRET)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers={"apikey": anon}
    )
    return Harness(client, engine, anon, app)


@pytest.fixture
async def auth(db_url: str) -> AsyncIterator[Harness]:
    """The auth endpoints on SQLite and on PostgreSQL, sign-up needing no confirmation."""
    h = await make_harness(db_url)
    yield h
    await h.client.aclose()
    await h.engine.dispose()


@pytest.fixture
async def confirming(db_url: str) -> AsyncIterator[Harness]:
    """The same, with sign-up needing email confirmation."""
    h = await make_harness(db_url, confirm_email=True)
    yield h
    await h.client.aclose()
    await h.engine.dispose()
