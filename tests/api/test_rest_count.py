"""``Prefer: count=exact|planned|estimated``: the total in Content-Range and what Preference-Applied admits to."""

from __future__ import annotations

import pytest

from docbase.api.sql import counting


@pytest.mark.parametrize("kind", ["exact", "planned", "estimated"])
async def test_counts_on_both_databases(blog, db_url, kind):
    r = await blog.get("/rest/v1/posts?select=id&author_id=eq.1", headers={"Prefer": f"count={kind}"})
    assert r.status_code in (200, 206), r.text
    total = int(r.headers["content-range"].split("/")[1])
    applied = r.headers.get("preference-applied")
    if kind == "exact" or (kind == "estimated" and db_url.startswith("postgresql")):
        assert total == 2  # estimated: small, so counted exactly
        assert applied == f"count={kind}"
    elif db_url.startswith("postgresql"):
        assert total >= 0 and applied == "count=planned"  # the planner's guess, whatever it is
    else:
        assert total == 2 and applied is None  # SQLite: counted exactly, so planned was not applied


async def test_estimated_past_the_threshold_is_the_planner_estimate(blog, db_url, monkeypatch):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no planner estimate")
    monkeypatch.setattr(counting, "ESTIMATE_THRESHOLD", 0)
    planned = await blog.get("/rest/v1/comments?select=id", headers={"Prefer": "count=planned"})
    estimated = await blog.get("/rest/v1/comments?select=id", headers={"Prefer": "count=estimated"})
    assert estimated.headers["preference-applied"] == "count=estimated"
    assert estimated.headers["content-range"].split("/")[1] == planned.headers["content-range"].split("/")[1]


def test_planned_rows_reads_the_aggregate_input():
    plan = [{"Plan": {"Node Type": "Aggregate", "Plan Rows": 1, "Plans": [{"Node Type": "Seq Scan", "Plan Rows": 42}]}}]
    assert counting.planned_rows(plan) == 42
    assert counting.planned_rows('[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 9}}]') == 9
