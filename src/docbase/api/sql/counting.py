"""``Prefer: count=exact|planned|estimated``: how many rows match a read, and which count was applied.

``planned`` is PostgreSQL's own estimate (``EXPLAIN (FORMAT JSON)`` of the
count statement: the rows its aggregate reads), cheap on huge tables and
wrong by whatever the statistics are wrong by. ``estimated`` is PostgREST's
rule: the exact count, and once that is past ``ESTIMATE_THRESHOLD`` (PostgREST's
``db-max-rows``; unset there by default, so always) the larger of it and the
planner's estimate. A fresh table's estimate is usually far above its rows, so
a small read then answers 206 with the estimate, as PostgREST does.
SQLite has no planner estimate, so it counts exactly and reports no
``count=`` preference as applied (clients learn they got something else).
"""

from __future__ import annotations

from typing import Any

import orjson

ESTIMATE_THRESHOLD: int | None = None  # PostgREST's db-max-rows, which its default config leaves unset


async def count_rows(tx: Any, sql: str, params: list[Any], kind: str, dialect: str) -> tuple[int, str | None]:
    """(total, the ``count=`` value to report in Preference-Applied, or None when the preference was not met)."""
    if kind == "exact" or dialect != "postgresql":
        total = await tx.value(sql, params)
        return int(total or 0), "exact" if kind == "exact" else None
    if kind == "estimated":
        exact = int(await tx.value(sql, params) or 0)
        if ESTIMATE_THRESHOLD is not None and exact <= ESTIMATE_THRESHOLD:
            return exact, kind
        return max(exact, planned_rows(await tx.value("EXPLAIN (FORMAT JSON) " + sql, params))), kind
    return planned_rows(await tx.value("EXPLAIN (FORMAT JSON) " + sql, params)), kind


def planned_rows(plan: Any) -> int:
    """The row estimate under a count statement's plan (the aggregate's input, else the top node's own)."""
    if isinstance(plan, str | bytes):
        plan = orjson.loads(plan)
    node = plan[0]["Plan"]
    if node.get("Node Type") == "Aggregate" and node.get("Plans"):
        node = node["Plans"][0]
    return int(node.get("Plan Rows", 0))
