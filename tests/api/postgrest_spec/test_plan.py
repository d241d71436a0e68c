"""PostgREST's Feature/Query/PlanSpec.hs: ``Accept: application/vnd.pgrst.plan`` gives PostgreSQL's EXPLAIN.

On SQLite the same request answers PGRST127 naming the feature.
"""

from __future__ import annotations

import orjson
import pytest


def plan_cost(body: bytes) -> float:
    return orjson.loads(body)[0]["Plan"]["Total Cost"]


async def test_plan_json_total_cost(spec):
    r = await spec.get("/projects?id=in.(1,2,3)", headers={"Accept": "application/vnd.pgrst.plan+json"})
    if spec.dialect == "sqlite":
        assert r.status_code == 400 and r.json()["code"] == "PGRST127", r.text
        assert "application/vnd.pgrst.plan" in r.json()["details"]
        return
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == 'application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8'
    assert plan_cost(r.content) > 0


async def test_plan_options_and_text(spec):
    if spec.dialect == "sqlite":
        pytest.skip("PostgreSQL only: EXPLAIN (test_plan_json_total_cost shows SQLite's PGRST127)")
    r = await spec.get("/projects", headers={"Accept": "application/vnd.pgrst.plan+json; options=buffers"})
    assert r.headers["content-type"] == (
        'application/vnd.pgrst.plan+json; for="application/json"; options=buffers; charset=utf-8'
    )
    assert "Shared Hit Blocks" in r.text
    r = await spec.get("/projects?id=eq.1", headers={"Accept": "application/vnd.pgrst.plan"})
    assert r.headers["content-type"].startswith("application/vnd.pgrst.plan+text")
    assert "cost=" in r.text


async def test_plan_refuses_unknown_options(spec):
    r = await spec.get("/projects", headers={"Accept": "application/vnd.pgrst.plan+json; options=drop"})
    assert r.status_code == 406 and r.json()["code"] == "PGRST107", r.text


async def test_plan_with_no_options_as_postgrest_js_asks(spec):
    """postgrest-js's ``explain()`` always sends ``options=`` (empty without options) and a trailing ``;``;
    PostgREST reads that as no options. Before: 406 PGRST107."""
    accept = 'application/vnd.pgrst.plan+text; for="application/json"; options=;'
    r = await spec.get("/projects", headers={"Accept": accept})
    if spec.dialect == "sqlite":
        assert r.status_code == 400 and r.json()["code"] == "PGRST127", r.text
        return
    assert r.status_code == 200, r.text
    assert r.text.startswith("Aggregate  (cost=")
