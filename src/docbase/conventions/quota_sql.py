"""``rpc/usage``: what a tenant uses of each limit its plan sets (docbase.rules.quotas; enforced in docbase.ddl.quotas).

The same two lookups the enforcing triggers make, read-only: the tenant's
plan limit (NULL: unlimited) and its count of live rows.
"""

from __future__ import annotations

from typing import Any

from ..ddl.quotas import count_query, limit_query
from ..rules.quotas import Quota
from .sqltext import Sql


async def usage(tx: Any, sql: Sql, quotas: list[Quota], tenant: Any) -> list[dict[str, Any]]:
    out = []
    for quota in quotas:
        limit = await tx.rows(sql.render(limit_query(quota, "?")), [tenant])
        used = await tx.rows(sql.render(count_query(quota, "?")), [tenant])
        allowed = limit[0][0] if limit else None
        out.append(
            {
                "table": quota.table,
                "limit": f"{quota.plan_table}.{quota.limit}",
                "used": int(used[0][0]),
                "allowed": None if allowed is None else int(allowed),
                "remaining": None if allowed is None else max(int(allowed) - int(used[0][0]), 0),
            }
        )
    return out
