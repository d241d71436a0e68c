"""``Prefer: count=exact|planned|estimated``: how many rows match a read, and which count was applied.

``planned`` is PostgreSQL's own estimate (``EXPLAIN (FORMAT JSON)`` of the
count statement: the rows its aggregate reads), cheap on huge tables and
wrong by whatever the statistics are wrong by. ``estimated`` is PostgREST's
compromise: the exact count while the estimate is small (below
``ESTIMATE_THRESHOLD``, PostgREST's ``db-max-rows`` role), the estimate past it.
SQLite has no planner estimate, so it counts exactly and reports no
``count=`` preference as applied (clients learn they got something else).
"""

from __future__ import annotations

from typing import Any

import orjson

ESTIMATE_THRESHOLD = 1000


async def count_rows(tx: Any, sql: str, params: list[Any], kind: str, dialect: str) -> tuple[int, str | None]:
    """(total, the ``count=`` value to report in Preference-Applied, or None when the preference was not met)."""
    if kind == "exact" or dialect != "postgresql":
        total = await tx.value(sql, params)
        return int(total or 0), "exact" if kind == "exact" else None
    plan = await tx.value("EXPLAIN (FORMAT JSON) " + sql, params)
    estimate = planned_rows(plan)
    if kind == "estimated" and estimate < ESTIMATE_THRESHOLD:
        return int(await tx.value(sql, params) or 0), kind
    return estimate, kind


def planned_rows(plan: Any) -> int:
    """The row estimate under a count statement's plan (the aggregate's input, else the top node's own)."""
    if isinstance(plan, str | bytes):
        plan = orjson.loads(plan)
    node = plan[0]["Plan"]
    if node.get("Node Type") == "Aggregate" and node.get("Plans"):
        node = node["Plans"][0]
    return int(node.get("Plan Rows", 0))
