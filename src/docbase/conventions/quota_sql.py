"""``rpc/usage`` and SQLite's refusal hint: a tenant's use of each limit its plan sets (docbase.rules.quotas).

The same two lookups the enforcing triggers make (docbase.ddl.quotas), read-only:
the tenant's plan limit (NULL: unlimited) and its count of live rows.
"""

from __future__ import annotations

from typing import Any

from ..db.errors import DbError
from ..ddl.quotas import count_query, detail, hint, limit_query, message
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


async def explained(
    tx: Any, sql: Sql, quotas: list[Quota], table: str, rows: list[dict[str, Any]], error: DbError
) -> DbError:
    """SQLite's quota refusal with the detail and hint PostgreSQL's trigger gives (SQLite's RAISE takes a fixed
    message, so its trigger cannot): the refused row is found by walking ``rows`` (the failed statement's, in
    order) from each tenant's count as it stands after the statement was undone. ``error`` itself otherwise."""
    quota = next((q for q in quotas if q.table == table and error.message == message(q)), None)
    if quota is None or error.hint is not None:
        return error
    counts: dict[Any, list[Any]] = {}
    for row in rows:
        tenant = row.get(quota.tenant_column)
        if tenant is None:
            continue
        if tenant not in counts:
            limit = await tx.rows(sql.render(limit_query(quota, "?")), [tenant])
            used = await tx.rows(sql.render(count_query(quota, "?")), [tenant])
            counts[tenant] = [int(used[0][0]), limit[0][0] if limit else None]
        used, allowed = counts[tenant]
        if allowed is not None and used >= allowed:
            return DbError(
                error.status, error.code, error.message, detail(quota, used, allowed), hint(quota, used, allowed)
            )
        counts[tenant][0] += 1
    return error
