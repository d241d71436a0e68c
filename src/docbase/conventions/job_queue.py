"""Job queues: a table whose status has a waiting and a running state, and that counts attempts or starts.

Seed shapes: ``jobs`` (queued/running, retries, max_retries, backoff_until,
priority), ``background_jobs`` (pending/running, attempts, max_attempts,
scheduled_for), ``ai_jobs`` and ``deployJobs`` (pending/running, started
time only). Such a table gets three RPCs - ``claim_<table>``,
``complete_<table>`` and ``fail_<table>`` - implemented in ``queue_sql``.
This module only decides which columns play which role.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Column, Schema, Table
from .base import Applied, column_named, enabled

NAME = "job_queue"
WAITING = ("queued", "pending", "waiting", "scheduled", "ready", "new")
RUNNING = ("running", "processing", "in_progress", "started", "active", "claimed")
DONE = ("completed", "complete", "done", "succeeded", "success", "finished")
FAILED = ("failed", "error", "errored", "dead")
RETRYING = ("retrying", "retry")
ROLE_NAMES = {
    "retries": ("retries", "retry_count", "attempts", "attempt_count", "tries", "num_attempts"),
    "max_retries": ("max_retries", "max_attempts", "max_tries"),
    "due": ("backoff_until", "scheduled_for", "run_at", "run_after", "not_before", "available_at", "retry_at"),
    "priority": ("priority",),
    "started": ("started_at", "claimed_at", "locked_at"),
    "finished": ("finished_at", "completed_at", "done_at", "ended_at"),
    "error": ("error_message", "error", "last_error", "failure_reason"),
    "created": ("created_at", "enqueued_at", "queued_at", "_creationTime", "createdAt"),
    "updated": ("updated_at",),
}


def _values(column: Column) -> tuple[str, ...]:
    return tuple(v.lower() for v in (column.enum or column.examples or ()))


def _pick(values: tuple[str, ...], wanted: tuple[str, ...]) -> str | None:
    for value in wanted:
        if value in values:
            return value
    return None


def queue_roles(table: Table) -> dict[str, str] | None:
    """Role -> column or state name for a queue table; None when ``table`` is not one."""
    status = column_named(table, "status", "state", "job_status")
    if status is None:
        return None
    values = _values(status)
    waiting, running = _pick(values, WAITING), _pick(values, RUNNING)
    if waiting is None or running is None or table.primary_key == () or len(table.primary_key) != 1:
        return None
    roles = {"status": status.name, "waiting": waiting, "running": running, "key": table.primary_key[0]}
    for role, names in ROLE_NAMES.items():
        column = column_named(table, *names)
        if column is not None:
            roles[role] = column.name
    if "retries" not in roles and "started" not in roles:
        return None
    roles["done"] = _pick(values, DONE) or "completed"
    roles["failed"] = _pick(values, FAILED) or "failed"
    retrying = _pick(values, RETRYING)
    if retrying:
        roles["retrying"] = retrying
    # Original spellings of the states (the enum may be upper case).
    original = {v.lower(): v for v in (status.enum or status.examples or ())}
    for state in ("waiting", "running", "done", "failed", "retrying"):
        if state in roles:
            roles[state] = original.get(roles[state], roles[state])
    return roles


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        roles = queue_roles(table)
        if roles is None or not enabled(toml, NAME, table.name):
            continue
        columns = tuple(dict.fromkeys(v for k, v in roles.items() if k in ROLE_NAMES or k == "status"))
        why = (
            f"{roles['status']} goes from {roles['waiting']} to {roles['running']}"
            + (f" and {roles['retries']} counts attempts" if "retries" in roles else "")
            + f": POST /rest/v1/rpc/claim_{table.name} hands the next due job to exactly one worker; "
            f"complete_{table.name} and fail_{table.name} finish it"
            + (" (failures retry with exponential backoff)" if "retries" in roles else "")
        )
        out.append(Applied(NAME, table.name, columns, why, table.line, tuple(roles.items())))
    return out
