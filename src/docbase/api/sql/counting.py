"""``Prefer: count=exact|planned|estimated``: how many rows match a read, and which count was applied.

``planned`` is PostgreSQL's own estimate (``EXPLAIN (FORMAT JSON)`` of the
count statement: the rows its aggregate reads), cheap on huge tables and
wrong by whatever the statistics are wrong by. ``estimated`` is PostgREST's
rule: the exact count, and once that is past ``ESTIMATE_THRESHOLD`` (PostgREST's
``db-max-rows``; unset there by default, so always) the larger of it and the
planner's estimate. A fresh table's estimate is usually far above its rows, so
a small read then answers 206 with the estimate, as PostgREST does.
SQLite's planner shows no estimate, so there ``planned`` is read from SQLite's own statistics for a read
of a whole table (no filter, no row rule): ``sqlite_stat1``'s row count once ``ANALYZE`` has run, else the
table's highest rowid (an upper bound of its rows that SQLite reads from the end of its b-tree, without a
scan; above the count after deletes, as a stale PostgreSQL estimate is). ``estimated`` then follows
PostgREST's rule with that figure. A filtered read has no such figure: it is counted exactly and reports no
``count=`` preference as applied (clients learn they got something else).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ...db.errors import DbError

ESTIMATE_THRESHOLD: int | None = None  # PostgREST's db-max-rows, which its default config leaves unset


async def count_rows(tx: Any, sql: str, params: list[Any], kind: str, dialect: str) -> tuple[int, str | None]:
    """(total, the ``count=`` value to report in Preference-Applied, or None when the preference was not met)."""
    if dialect != "postgresql" and kind != "exact":
        statistics = await sqlite_planned(tx, sql)
        if statistics is not None:
            if kind == "planned":
                return statistics, kind
            return max(int(await tx.value(sql, params) or 0), statistics), kind
    if kind == "exact" or dialect != "postgresql":
        total = await tx.value(sql, params)
        return int(total or 0), "exact" if kind == "exact" else None
    if kind == "estimated":
        exact = int(await tx.value(sql, params) or 0)
        if ESTIMATE_THRESHOLD is not None and exact <= ESTIMATE_THRESHOLD:
            return exact, kind
        return max(exact, planned_rows(await tx.value("EXPLAIN (FORMAT JSON) " + sql, params))), kind
    return planned_rows(await tx.value("EXPLAIN (FORMAT JSON) " + sql, params)), kind


# the count statement of a whole-table read, as docbase.api.sql.read compiles it: no WHERE at all
_WHOLE_TABLE = re.compile(r'SELECT count\(\*\) AS \w+\s+FROM "((?:[^"]|"")+)"(?: AS \w+)?')


async def sqlite_planned(tx: Any, sql: str) -> int | None:
    """SQLite's figure for the rows of a whole-table count (None for any other count): ANALYZE's count in
    ``sqlite_stat1``, else the highest rowid."""
    whole = _WHOLE_TABLE.fullmatch(sql.strip())
    if whole is None:
        return None
    table = whole.group(1).replace('""', '"')
    try:
        analyzed = await tx.value(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'", []
        )
        if analyzed:
            stat = await tx.value(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NOT NULL LIMIT 1", [table]
            )
            if stat:
                return int(str(stat).split()[0])
        quoted = '"' + table.replace('"', '""') + '"'
        return int(await tx.value(f"SELECT coalesce(max(rowid), 0) FROM {quoted}", []) or 0)
    except DbError:  # a WITHOUT ROWID table: no cheap figure, counted exactly
        return None


def planned_rows(plan: Any) -> int:
    """The row estimate under a count statement's plan (the aggregate's input, else the top node's own)."""
    if isinstance(plan, str | bytes):
        plan = orjson.loads(plan)
    node = plan[0]["Plan"]
    if node.get("Node Type") == "Aggregate" and node.get("Plans"):
        node = node["Plans"][0]
    return int(node.get("Plan Rows", 0))
