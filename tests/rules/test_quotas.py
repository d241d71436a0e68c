"""Plan quotas: detected from the tables in two spellings, enforced by the database on both, race-free."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from docbase.ddl.render import to_ddl
from docbase.migrate import migrate
from docbase.pipeline import build_schema
from docbase.rules import detect_quotas

from .serving import ANON, service_client

SNAKE = """# Monitoring

```sql
CREATE TABLE plan_limits (id serial PRIMARY KEY, plan text UNIQUE NOT NULL, max_monitors integer,
                          max_projects integer, max_organizations integer);
CREATE TABLE organizations (id integer PRIMARY KEY, name text, subscription_plan text);
CREATE TABLE projects (id serial PRIMARY KEY, organization_id integer NOT NULL REFERENCES organizations(id));
CREATE TABLE monitors (id serial PRIMARY KEY, organization_id integer NOT NULL REFERENCES organizations(id),
                       name text, deleted_at timestamptz);
```
"""

CAMEL = """# Billing

```mermaid
erDiagram
    tiers {
        uuid id PK
        text name
        integer maxWidgets
        integer maxSeats
    }
    workspace {
        uuid id PK
        uuid tierId FK
    }
    widget {
        uuid id PK
        uuid workspaceId FK
    }
    tiers ||--o{ workspace : "is on"
    workspace ||--o{ widget : has
```
"""


def test_snake_case_limits_name_their_tables_and_say_what_is_not_enforced():
    quotas, notes = detect_quotas(build_schema(SNAKE))
    assert {(q.table, q.limit, q.tenant_table, q.tenant_plan, q.plan_column) for q in quotas} == {
        ("monitors", "max_monitors", "organizations", "subscription_plan", "plan"),
        ("projects", "max_projects", "organizations", "subscription_plan", "plan"),
    }
    monitors = next(q for q in quotas if q.table == "monitors")
    assert monitors.live == '"deleted_at" IS NULL' and monitors.line == 4
    assert [(n.limit, n.line) for n in notes] == [("max_organizations", 5)]
    assert "not enforced" in notes[0].message


def test_camel_case_limits_and_a_plan_given_by_key():
    quotas, notes = detect_quotas(build_schema(CAMEL))
    assert [(q.table, q.limit, q.tenant_column, q.tenant_plan, q.plan_column) for q in quotas] == [
        ("widget", "maxWidgets", "workspaceId", "tierId", "id")
    ]
    assert [(n.limit, n.message) for n in notes] == [("maxSeats", "no table named seats")]


def test_docbase_toml_switches_a_quota_off():
    quotas, notes = detect_quotas(build_schema(SNAKE), {"rules": {"monitors": {"quota": False}}})
    assert [q.table for q in quotas] == ["projects"]
    assert any(n.limit == "max_monitors" and "switched off" in n.message for n in notes)
    assert detect_quotas(build_schema(SNAKE), {"rules": {"quotas": False}})[0] == []


def test_the_ddl_carries_one_trigger_per_quota_on_both_databases():
    schema = build_schema(SNAKE)
    assert to_ddl(schema, "sqlite").count('CREATE TRIGGER "docbase_quota_') == 2
    pg = to_ddl(schema, "postgresql")
    assert pg.count('CREATE TRIGGER "docbase_quota_') == 2 and "pg_advisory_xact_lock" in pg


@pytest.fixture
async def api(db_url):
    async with service_client(SNAKE, db_url) as client:
        await client.post("/rest/v1/plan_limits", json=[
            {"plan": "free", "max_monitors": 2, "max_projects": None},
            {"plan": "pro", "max_monitors": 5, "max_projects": 3},
        ])  # fmt: skip
        await client.post("/rest/v1/organizations", json=[
            {"id": 1, "subscription_plan": "free"}, {"id": 2, "subscription_plan": "pro"},
            {"id": 3, "subscription_plan": None},
        ])  # fmt: skip
        yield client


async def test_a_free_plan_stops_at_its_limit_and_says_which(api):
    for n in range(2):
        assert (await api.post("/rest/v1/monitors", json={"organization_id": 1, "name": f"m{n}"})).status_code == 201
    refused = await api.post("/rest/v1/monitors", json={"organization_id": 1, "name": "one too many"})
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["code"] == "P0001"
    assert body["message"] == "plan limit reached: plan_limits.max_monitors for this organization"
    assert body["hint"].startswith("Current count 2, limit 2 (plan_limits.max_monitors).")  # both databases
    assert body["details"] == "2 rows of monitors exist; the plan allows 2."
    batch = [{"organization_id": 2, "name": f"p{n}"} for n in range(7)]  # pro allows 5: the sixth row is refused
    over = (await api.post("/rest/v1/monitors", json=batch)).json()
    assert (over["code"], over["hint"][:27]) == ("P0001", "Current count 5, limit 5 (p"), over
    count = (await api.get("/rest/v1/monitors?organization_id=eq.1", headers={"Prefer": "count=exact"})).headers
    assert count["content-range"].endswith("/2")


async def test_no_plan_or_a_null_limit_is_unlimited_and_deleted_rows_do_not_count(api):
    for _ in range(4):  # organization 3 has no plan; projects on free have a NULL limit
        assert (await api.post("/rest/v1/monitors", json={"organization_id": 3})).status_code == 201
        assert (await api.post("/rest/v1/projects", json={"organization_id": 1})).status_code == 201
    await api.post("/rest/v1/monitors", json=[{"organization_id": 1}, {"organization_id": 1}])
    assert (await api.post("/rest/v1/monitors", json={"organization_id": 1})).status_code == 400
    deleted = await api.delete("/rest/v1/monitors?organization_id=eq.1&limit=1&order=id")
    assert deleted.status_code in (200, 204), deleted.text
    assert (await api.post("/rest/v1/monitors", json={"organization_id": 1})).status_code == 201


async def test_moving_to_a_bigger_plan_lifts_the_limit(api):
    await api.post("/rest/v1/monitors", json=[{"organization_id": 1}, {"organization_id": 1}])
    assert (await api.post("/rest/v1/monitors", json={"organization_id": 1})).status_code == 400
    await api.patch("/rest/v1/organizations?id=eq.1", json={"subscription_plan": "pro"})
    assert (await api.post("/rest/v1/monitors", json={"organization_id": 1})).status_code == 201


@pytest.mark.pg
def test_eight_concurrent_inserts_at_the_limit_let_exactly_one_through(pg_url):
    migrate(build_schema(SNAKE), pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO plan_limits (plan, max_monitors) VALUES ('free', 5)")
        conn.execute("INSERT INTO organizations (id, subscription_plan) VALUES (1, 'free')")
        conn.execute("INSERT INTO monitors (organization_id) SELECT 1 FROM generate_series(1, 4)")

    async def insert(n: int) -> str:
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            try:
                await conn.execute("INSERT INTO monitors (organization_id, name) VALUES (1, %s)", [f"c{n}"])
                return "ok"
            except psycopg.errors.RaiseException as exc:
                assert exc.diag.message_hint.startswith("Current count 5, limit 5")
                return "refused"

    async def race() -> list[str]:
        return await asyncio.gather(*(insert(n) for n in range(8)))

    assert sorted(asyncio.run(race())) == ["ok"] + ["refused"] * 7
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM monitors").fetchone()[0] == 5


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_eight_official_clients_at_the_limit_through_two_workers_let_exactly_one_through(tmp_path, db_url):
    """The issue's race, as users make it: 8 supabase-py clients insert at limit - 1 at once, against a server
    with two worker processes, on both databases."""
    from concurrent.futures import ThreadPoolExecutor

    from postgrest.exceptions import APIError
    from supabase import create_client

    from ..api.test_serve import Server

    server = Server(tmp_path, db_url, workers=2, document=SNAKE)
    server.start()
    try:
        service = create_client(server.base, server.service_key)
        service.table("plan_limits").insert({"plan": "free", "max_monitors": 5}).execute()
        service.table("organizations").insert({"id": 1, "subscription_plan": "free"}).execute()
        service.table("monitors").insert([{"organization_id": 1} for _ in range(4)]).execute()
        clients = [create_client(server.base, server.service_key) for _ in range(8)]

        def insert(n: int) -> str:
            try:
                clients[n].table("monitors").insert({"organization_id": 1, "name": f"c{n}"}).execute()
                return "ok"
            except APIError as exc:
                assert exc.code == "P0001" and exc.hint.startswith("Current count 5, limit 5"), exc
                return "refused"

        with ThreadPoolExecutor(8) as pool:
            outcomes = sorted(pool.map(insert, range(8)))
        assert outcomes == ["ok"] + ["refused"] * 7
        assert service.table("monitors").select("id", count="exact").execute().count == 5
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_seed_003_plan_limits_hold_through_the_official_client(tmp_path, db_url):
    """Seed 003 says "resource limits enforced based on subscription plan": a free organization stops at its limit."""
    from postgrest.exceptions import APIError
    from supabase import create_client

    from ..api.test_serve import Server
    from ..conftest import seed_file

    server = Server(tmp_path, db_url, document=seed_file("003").read_text())
    server.start()
    try:
        client = create_client(server.base, server.service_key)
        client.table("plan_limits").insert([{"plan": "free", "maxMonitors": 2}, {"plan": "pro"}]).execute()
        orgs = [
            {"id": "00000000-0000-4000-8000-000000000001", "name": "Free Co", "subscriptionPlan": "free"},
            {"id": "00000000-0000-4000-8000-000000000002", "name": "Pro Co", "subscriptionPlan": "pro"},
        ]
        client.table("organization").insert(orgs).execute()
        free, pro = (o["id"] for o in orgs)
        client.table("monitors").insert([{"organizationId": free, "name": f"m{n}"} for n in range(2)]).execute()
        with pytest.raises(APIError) as refused:
            client.table("monitors").insert({"organizationId": free, "name": "third"}).execute()
        assert refused.value.code == "P0001"
        assert refused.value.message == "plan limit reached: plan_limits.maxMonitors for this organization"
        assert refused.value.hint.startswith("Current count 2, limit 2 (plan_limits.maxMonitors).")
        client.table("monitors").insert([{"organizationId": pro, "name": f"p{n}"} for n in range(3)]).execute()
        counted = client.table("monitors").select("id", count="exact").eq("organizationId", free).execute()
        assert counted.count == 2
    finally:
        server.stop()


async def test_rpc_usage_reports_counts_against_limits_to_members_only(api):
    await api.post("/rest/v1/monitors", json=[{"organization_id": 1}, {"organization_id": 1, "deleted_at": None}])
    await api.post("/rest/v1/projects", json={"organization_id": 1})
    got = await api.post("/rest/v1/rpc/usage", json={"organization_id": 1})
    assert got.status_code == 200, got.text
    assert got.json() == [
        {"table": "monitors", "limit": "plan_limits.max_monitors", "used": 2, "allowed": 2, "remaining": 0},
        {"table": "projects", "limit": "plan_limits.max_projects", "used": 1, "allowed": None, "remaining": None},
    ]
    assert (await api.post("/rest/v1/rpc/usage", json={})).status_code == 400
    anon = ANON
    assert (await api.post("/rest/v1/rpc/usage", json={"organization_id": 1}, headers=anon)).status_code == 401


async def test_openapi_documents_rpc_usage(api):
    spec = (await api.get("/rest/v1/")).json()
    usage = spec["paths"]["/rest/v1/rpc/usage"]["post"]
    assert usage["requestBody"]["content"]["application/json"]["schema"]["required"] == ["organization_id"]


SUFFIXED = """# Boards

```sql
CREATE TABLE plans (id serial PRIMARY KEY, tier text UNIQUE NOT NULL, boards_limit integer);
CREATE TABLE teams (id integer PRIMARY KEY, tier text);
CREATE TABLE boards (id serial PRIMARY KEY, team_id integer NOT NULL REFERENCES teams(id));
```
"""


async def test_a_things_limit_column_caps_its_table_too(db_url):
    (quota,) = detect_quotas(build_schema(SUFFIXED))[0]
    assert (quota.table, quota.limit, quota.tenant_plan, quota.plan_column) == (
        "boards",
        "boards_limit",
        "tier",
        "tier",
    )
    async with service_client(SUFFIXED, db_url) as api:
        await api.post("/rest/v1/plans", json={"tier": "hobby", "boards_limit": 1})
        await api.post("/rest/v1/teams", json={"id": 7, "tier": "hobby"})
        assert (await api.post("/rest/v1/boards", json={"team_id": 7})).status_code == 201
        refused = await api.post("/rest/v1/boards", json={"team_id": 7})
        assert (refused.status_code, refused.json()["message"]) == (
            400,
            "plan limit reached: plans.boards_limit for this team",
        )
