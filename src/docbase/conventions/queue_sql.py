"""The job-queue RPCs: claim the next due job atomically, complete it, or fail it with backoff.

Claiming is one ``UPDATE ... WHERE key = (SELECT ... LIMIT 1) RETURNING``:
on PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED``, so
concurrent workers each lock a different row and never wait on each other;
on SQLite the API's transactions start with ``BEGIN IMMEDIATE``, so one
writer at a time runs the statement and no two see the same waiting row.
Order: highest priority first, then oldest, then key. A failure counts an
attempt and, below the maximum (the row's ``max_retries``/``max_attempts``,
else 3), puts the job back with ``backoff_until``/``scheduled_for`` pushed
out exponentially (2 s, 4 s, 8 s... capped at an hour) with up to 20%
jitter, so retries from a burst of failures spread out.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ..schema.model import Table
from .base import Applied
from .errors import ConventionError, bad_argument, not_found
from .sqltext import Sql

BASE_DELAY = 2.0
MAX_DELAY = 3600.0
DEFAULT_MAX = 3


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before retry ``attempt`` (1-based): 2**attempt capped at an hour, plus up to 20% jitter."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempt - 1))
    return delay * (1 + (rng or random).random() * 0.2)


def _type(table: Table, name: str | None) -> str | None:
    column = table.column(name) if name else None
    return column.type if column else None


def job_key(body: dict[str, Any], applied: Applied) -> Any:
    key = applied.role("key")
    value = body.get("id", body.get(key or "id"))
    if value is None:
        raise bad_argument(f'name the job: {{"id": ...}} (its {key})')
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise bad_argument(f"the job id must be a string or an integer, not {type(value).__name__}")
    return value


async def claim(tx: Any, sql: Sql, table: Table, a: Applied) -> dict[str, Any] | None:
    r = a.role
    q = sql.q
    now_due = sql.now(_type(table, r("due")))
    states = [r("waiting")] + ([r("retrying")] if r("retrying") else [])
    where = f"{q(r('status'))} IN ({', '.join('?' for _ in states)})"
    params: list[Any] = list(states)
    if r("due"):
        where += f" AND ({q(r('due'))} IS NULL OR {q(r('due'))} <= ?)"
        params.append(now_due)
    order = []
    if r("priority"):
        order.append(f"COALESCE({q(r('priority'))}, 0) DESC")
    if r("created"):
        order.append(f"{q(r('created'))} ASC")
    if not sql.pg:  # two jobs made in one millisecond: SQLite's rowid keeps them in the order they came
        order.append("rowid ASC")
    order.append(f"{q(r('key'))} ASC")
    inner = f"SELECT {q(r('key'))} FROM {q(table.name)} WHERE {where} ORDER BY {', '.join(order)} LIMIT 1"
    if sql.pg:
        inner += " FOR UPDATE SKIP LOCKED"
    sets = [f"{q(r('status'))} = ?"]
    set_params: list[Any] = [r("running")]
    for role in ("started", "updated"):
        if r(role):
            sets.append(f"{q(r(role))} = ?")
            set_params.append(sql.now(_type(table, r(role))))
    text = f"UPDATE {q(table.name)} SET {', '.join(sets)} WHERE {q(r('key'))} = ({inner}) RETURNING *"
    rows = await tx.rows(sql.render(text), set_params + params)
    return _row(table, rows[0]) if rows else None


async def complete(tx: Any, sql: Sql, table: Table, a: Applied, body: dict[str, Any]) -> dict[str, Any]:
    r = a.role
    key = job_key(body, a)
    sets = [f"{sql.q(r('status'))} = ?"]
    params: list[Any] = [r("done")]
    for role in ("finished", "updated"):
        if r(role):
            sets.append(f"{sql.q(r(role))} = ?")
            params.append(sql.now(_type(table, r(role))))
    output = table.column("output") or table.column("result")
    if output is not None and "output" in body:
        sets.append(f"{sql.q(output.name)} = ?")
        params.append(sql.json(body["output"]) if output.type in ("json", "jsonb") else str(body["output"]))
    return await _finish(tx, sql, table, a, key, sets, params)


async def fail(tx: Any, sql: Sql, table: Table, a: Applied, body: dict[str, Any]) -> dict[str, Any]:
    r = a.role
    key = job_key(body, a)
    error = body.get("error")
    if error is not None and not isinstance(error, str):
        raise bad_argument("error must be a string")
    current = await tx.rows(
        sql.render(f"SELECT * FROM {sql.q(table.name)} WHERE {sql.q(r('key'))} = ?"), [_key_value(table, a, key)]
    )
    if not current:
        raise not_found(f"no job {key!r} in {table.name}")
    row = _row(table, current[0])
    attempts = int(row.get(r("retries") or "", 0) or 0) + 1
    limit = int(row.get(r("max_retries") or "", DEFAULT_MAX) or DEFAULT_MAX)
    sets: list[str] = []
    params: list[Any] = []
    if r("retries"):
        sets.append(f"{sql.q(r('retries'))} = ?")
        params.append(attempts)
    gives_up = not r("retries") or attempts >= limit
    sets.append(f"{sql.q(r('status'))} = ?")
    params.append(r("failed") if gives_up else (r("retrying") or r("waiting")))
    if not gives_up and r("due"):
        when = datetime.now(UTC) + timedelta(seconds=backoff(attempts))
        sets.append(f"{sql.q(r('due'))} = ?")
        params.append(sql.time(when, _type(table, r("due"))))
    if r("error") and error is not None:
        sets.append(f"{sql.q(r('error'))} = ?")
        params.append(error)
    for role in ("finished", "updated") if gives_up else ("updated",):
        if r(role):
            sets.append(f"{sql.q(r(role))} = ?")
            params.append(sql.now(_type(table, r(role))))
    return await _finish(tx, sql, table, a, key, sets, params)


async def _finish(
    tx: Any, sql: Sql, table: Table, a: Applied, key: Any, sets: list[str], params: list[Any]
) -> dict[str, Any]:
    r = a.role
    text = (
        f"UPDATE {sql.q(table.name)} SET {', '.join(sets)} WHERE {sql.q(r('key'))} = ? "
        f"AND {sql.q(r('status'))} = ? RETURNING *"
    )
    rows = await tx.rows(sql.render(text), params + [_key_value(table, a, key), r("running")])
    if rows:
        return _row(table, rows[0])
    exists = await tx.rows(
        sql.render(f"SELECT {sql.q(r('status'))} FROM {sql.q(table.name)} WHERE {sql.q(r('key'))} = ?"),
        [_key_value(table, a, key)],
    )
    if not exists:
        raise not_found(f"no job {key!r} in {table.name}")
    raise ConventionError(409, "P0001", f"job {key!r} is {exists[0][0]}, not {r('running')}", None, "Claim it first.")


def _key_value(table: Table, a: Applied, key: Any) -> Any:
    column = table.column(a.role("key") or "")
    if column is not None and column.type in ("integer", "bigint", "smallint"):
        try:
            return int(key)
        except ValueError:
            raise bad_argument(f"the job id must be an integer, not {key!r}") from None
    if column is not None and column.type == "uuid":
        import uuid

        try:
            return str(uuid.UUID(str(key)))
        except ValueError:
            raise bad_argument(f"the job id must be a uuid, not {key!r}") from None
    return str(key)


def _row(table: Table, row: tuple) -> dict[str, Any]:
    return dict(zip(table.column_names, row, strict=False))
