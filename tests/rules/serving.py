"""One document migrated and served in-process, with a service-role client and signed-in users."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import build_schema

SECRET = "test-secret-for-docbase-rules-0123456789ab"


@contextlib.asynccontextmanager
async def service_client(doc: str, db_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """``doc`` migrated into ``db_url`` and served; the client sends the service key."""
    schema = build_schema(doc)
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    key = keys.service_key(SECRET)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            client.headers.update({"apikey": key, "Authorization": f"Bearer {key}"})
            yield client
    finally:
        await app.state.db.close()


def signed_in(sub: str) -> dict[str, str]:
    """Headers of a signed-in user ``sub``."""
    token = keys.sign({"role": "authenticated", "sub": sub, "exp": int(time.time()) + 600}, SECRET)
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {token}"}


ANON = {"apikey": keys.anon_key(SECRET), "Authorization": ""}


async def rows(client: httpx.AsyncClient, *tables: tuple[str, Any]) -> None:
    """Setup rows written as service_role, ``(table, row or rows)`` in order; each insert must succeed, so a
    test never goes on over a world its setup failed to build."""
    for table, body in tables:
        made = await client.post(f"/rest/v1/{table}", json=body)
        assert made.status_code == 201, (table, made.status_code, made.text)
