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
    if kind == "exact":
        assert total == 2
        assert applied == f"count={kind}"
    elif kind == "estimated" and db_url.startswith("postgresql"):
        assert total >= 2  # the exact count, or the planner's guess when that is larger
        assert applied == f"count={kind}"
    elif db_url.startswith("postgresql"):
        assert total >= 0 and applied == "count=planned"  # the planner's guess, whatever it is
    else:
        assert total == 2 and applied is None  # SQLite: counted exactly, so planned was not applied


def _total(response) -> int:
    return int(response.headers["content-range"].split("/")[1])


async def test_estimated_is_the_larger_of_exact_and_planned(blog, db_url, monkeypatch):
    """PostgREST without db-max-rows: max(exact, planner estimate); a fresh table's estimate is above its rows,
    so a HEAD reading everything answers 206 Partial Content with the estimate (postgrest-js's basic tests)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no planner estimate (count=estimated counts exactly there)")
    url = "/rest/v1/comments?select=id"
    planned = _total(await blog.get(url, headers={"Prefer": "count=planned"}))
    exact = _total(await blog.get(url, headers={"Prefer": "count=exact"}))
    estimated = await blog.head(url, headers={"Prefer": "count=estimated"})
    assert estimated.headers["preference-applied"] == "count=estimated"
    assert _total(estimated) == max(exact, planned), (planned, exact, estimated.headers)
    assert estimated.status_code == (206 if planned > exact else 200)
    monkeypatch.setattr(counting, "ESTIMATE_THRESHOLD", 1000)  # a db-max-rows above the rows: counted exactly
    assert _total(await blog.get(url, headers={"Prefer": "count=estimated"})) == exact


def test_planned_rows_reads_the_aggregate_input():
    plan = [{"Plan": {"Node Type": "Aggregate", "Plan Rows": 1, "Plans": [{"Node Type": "Seq Scan", "Plan Rows": 42}]}}]
    assert counting.planned_rows(plan) == 42
    assert counting.planned_rows('[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 9}}]') == 9


async def test_sqlite_plans_a_whole_table_count_from_its_statistics(blog, db_url):
    """SQLite's ``count=planned`` for a read of a whole table: the highest rowid (no scan; above the rows
    after a delete, as a stale estimate is), then ANALYZE's count once the table is analysed; ``estimated``
    is PostgREST's larger-of rule over it, so a HEAD answers 206 with the estimate as on PostgreSQL.
    Before: every SQLite count was exact, planned reported as not applied."""
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL plans with its own estimate (test_estimated_is_the_larger_of_exact_and_planned)")
    import sqlite3

    url = "/rest/v1/comments?select=id"
    exact = _total(await blog.get(url, headers={"Prefer": "count=exact"}))
    highest = exact  # the rows went in as one batch: rowids 1..exact
    first = min(r["id"] for r in (await blog.get(url)).json())
    assert (await blog.delete(f"/rest/v1/comments?id=eq.{first}")).status_code in (200, 204)
    planned = await blog.get(url, headers={"Prefer": "count=planned"})
    assert planned.headers["preference-applied"] == "count=planned"
    assert _total(planned) == highest  # one row fewer, the same highest rowid
    estimated = await blog.head(url, headers={"Prefer": "count=estimated"})
    assert estimated.status_code == 206 and _total(estimated) == highest
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("ANALYZE")
    planned = await blog.get(url, headers={"Prefer": "count=planned"})
    assert _total(planned) == exact - 1  # ANALYZE counted the rows
    # a filtered read has no such figure: counted exactly, planned not applied
    filtered = await blog.get(url + "&id=gt.0", headers={"Prefer": "count=planned"})
    assert _total(filtered) == exact - 1 and "preference-applied" not in filtered.headers
