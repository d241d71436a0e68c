"""Every convention on the seeds that have tables for it, through the API, on both databases.

Each seed is filled by ``docbase seed`` first; the checks then PATCH seeded
rows (so foreign keys and unique columns stay valid whatever the document
demands) and read the database directly where the convention is about what
is stored.
"""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from docbase.api import create_app
from docbase.auth import keys
from docbase.conventions import detect_all
from docbase.conventions.base import ident
from docbase.conventions.queue_sql import DEFAULT_MAX
from docbase.pipeline import load_schema
from docbase.seed import seed_database
from tests.conftest import SEEDS

SECRET = "test-secret-for-docbase-seed-conventions"


def _db(url, sql, params=None):
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql), params or {}).fetchall()]
    engine.dispose()
    return rows


# 002 states only file columns, which the console tests use (tests/conventions/test_detect.py holds every
# seed's exact list).
WITH_CONVENTIONS = [p for p in SEEDS if not p.name.startswith("002_")]
# Conventions whose behaviour needs more than a seeded row; each has its own end-to-end test.
ELSEWHERE = {
    "hashed_tokens": "tests/conventions/test_runtime.py",
    "invitations": "tests/conventions/test_invite_sql.py",
    "api_keys": "tests/conventions/test_api_key_sql.py",
    "file_columns": "tests/ui/test_file_columns.py",
    "provider_accounts": "tests/auth/test_oauth.py",
}


@pytest.mark.slow
@pytest.mark.parametrize("seed", WITH_CONVENTIONS, ids=[p.stem for p in WITH_CONVENTIONS])
async def test_conventions_work_on_the_seed(seed, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    schema = load_schema(seed)
    applied = detect_all(schema)
    assert applied, "the seed states conventions"
    seed_database(schema, db_url, rows=4, tenants=1)
    app = create_app(schema, db_url, secret=SECRET)
    service = keys.service_key(SECRET)
    ran: list[tuple[str, str]] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        for a in applied:
            table = schema.table(a.table)
            pk = table.primary_key[0] if len(table.primary_key) == 1 else None
            first = (await c.get(f"/rest/v1/{a.table}?limit=1")).json() if pk else []
            where = f"{pk}=eq.{first[0][pk]}" if first else None
            check = CHECKS.get(a.convention)
            if check is None:
                assert a.convention in ELSEWHERE, f"{a.convention} on {a.table} is tested nowhere"
                continue
            assert where is not None, f"docbase seed left {a.table} empty"
            await check(c, db_url, schema, table, a, where, first[0][pk])
            ran.append((a.convention, a.table))
    assert ran == [(a.convention, a.table) for a in applied if a.convention in CHECKS]
    await app.state.db.close()


async def _secrets(c, url, schema, table, a, where, key):
    column = next((x for x in a.columns if x != a.role("masked")), None)
    if column is None:
        r = await c.patch(f"/rest/v1/{a.table}?{where}", json={a.role("masked"): "sk-ant-0123456789abcd"})
        assert r.status_code == 204, r.text
        stored = _db(
            url,
            f"SELECT {ident(a.role('masked'))} FROM {ident(a.table)} WHERE {ident(table.primary_key[0])} = :k",
            {"k": key},
        )
        assert stored[0][0] == "sk-a****abcd"
        return
    r = await c.patch(f"/rest/v1/{a.table}?{where}", json={column: "sk-test-0123456789abcd"})
    assert r.status_code == 204, r.text
    stored = _db(
        url, f"SELECT {ident(column)} FROM {ident(a.table)} WHERE {ident(table.primary_key[0])} = :k", {"k": key}
    )
    assert stored[0][0].startswith("enc:v1:")
    assert (await c.get(f"/rest/v1/{a.table}?{where}")).json()[0][column] == "sk-test-0123456789abcd"


async def _soft_delete(c, url, schema, table, a, where, key):
    assert (await c.delete(f"/rest/v1/{a.table}?{where}")).status_code == 204
    assert (await c.get(f"/rest/v1/{a.table}?{where}")).json() == []
    assert len((await c.get(f"/rest/v1/{a.table}?{where}&include_deleted=true")).json()) == 1


async def _job_queue(c, url, schema, table, a, where, key):
    reset = {a.role("status"): a.role("waiting")}
    for role, value in (("retries", 0), ("max_retries", 5), ("due", None)):
        if a.role(role):
            reset[a.role(role)] = value
    pk = table.primary_key[0]
    others = await c.patch(f"/rest/v1/{a.table}?{pk}=neq.{key}", json={a.role("status"): a.role("done")})
    assert others.status_code == 204, others.text  # so the claim can only take the row reset here
    assert (await c.patch(f"/rest/v1/{a.table}?{where}", json=reset)).status_code == 204
    job = (await c.post(f"/rest/v1/rpc/claim_{a.table}", json={})).json()
    assert (str(job[a.role("key")]), job[a.role("status")]) == (str(key), a.role("running"))
    if a.role("started"):
        assert job[a.role("started")] is not None
    failed = await c.post(f"/rest/v1/rpc/fail_{a.table}", json={"id": str(job[a.role("key")]), "error": "x"})
    assert failed.status_code == 200, failed.text
    gives_up = not a.role("retries") or (DEFAULT_MAX if not a.role("max_retries") else 5) <= 1  # one attempt made
    expected = a.role("failed") if gives_up else (a.role("retrying") or a.role("waiting"))
    assert failed.json()[a.role("status")] == expected


async def _vectors(c, url, schema, table, a, where, key):
    dimension = int(a.role("dimension") or 3)
    r = await c.post(f"/rest/v1/rpc/match_{a.table}", json={"query_embedding": [0.5] * dimension, "match_count": 3})
    assert r.status_code == 200, r.text
    (filled,) = _db(url, f"SELECT count(*) FROM {ident(a.table)} WHERE {ident(a.columns[0])} IS NOT NULL")[0]
    assert filled > 0, f"docbase seed left every {a.columns[0]} of {a.table} empty"
    distances = [row["distance"] for row in r.json()]
    assert len(distances) == min(3, filled) and distances == sorted(distances)  # nearest first


async def _schedules(c, url, schema, table, a, where, key):
    cron = a.role("cron")
    assert (await c.patch(f"/rest/v1/{a.table}?{where}", json={cron: "not cron"})).status_code == 400
    assert (await c.patch(f"/rest/v1/{a.table}?{where}", json={cron: "0 * * * *"})).status_code == 204
    if a.role("next"):
        assert (await c.get(f"/rest/v1/{a.table}?{where}")).json()[0][a.role("next")] is not None


async def _audit(c, url, schema, table, a, where, key):
    before = _db(url, f"SELECT count(*) FROM {ident(a.table)}")[0][0]
    other = next(t for t in schema.tables if t.name != a.table and len(t.primary_key) == 1)
    row = (await c.get(f"/rest/v1/{other.name}?limit=1")).json()
    assert row, f"docbase seed left {other.name} empty"
    pk = other.primary_key[0]
    name = next(col.name for col in other.columns if col.name != pk)
    await c.patch(f"/rest/v1/{other.name}?{pk}=eq.{row[0][pk]}", json={name: row[0][name]})
    assert _db(url, f"SELECT count(*) FROM {ident(a.table)}")[0][0] == before + 1


CHECKS = {
    "secrets": _secrets,
    "soft_delete": _soft_delete,
    "job_queue": _job_queue,
    "vectors": _vectors,
    "schedules": _schedules,
    "audit": _audit,
}
