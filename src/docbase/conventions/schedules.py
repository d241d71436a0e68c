"""Cron columns (``cronSchedule``, ``cronOverride``, ``schedule`` noted as cron) checked and followed.

A bad expression is refused with 400 before it reaches the database
(croniter parses it); a ``nextRunAt`` / ``next_run_at`` column beside it is
set on every write to the next time the expression fires after now (UTC).
When the table has both a schedule and an override, the override wins
where it is set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from ..schema.model import Schema, Table
from .base import Applied, column_named, enabled, norm, text_of

NAME = "schedules"


class CronError(ValueError):
    """A cron expression croniter cannot read; the message names the column and the text."""


def cron_columns(table: Table) -> tuple[str, ...]:
    out = []
    for column in table.columns:
        if column.type not in ("text", "varchar"):
            continue
        name = norm(column.name)
        if "cron" in name or (name in ("schedule", "cronexpression") and "cron" in text_of(column)):
            out.append(column.name)
        elif "cron expression" in text_of(column):
            out.append(column.name)
    return tuple(dict.fromkeys(out))


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        cols = cron_columns(table)
        if not cols or not enabled(toml, NAME, table.name):
            continue
        nxt = column_named(table, "next_run_at", "next_run", "next_run_time", "next_execution_at")
        roles = tuple(("cron", c) for c in cols) + ((("next", nxt.name),) if nxt is not None else ())
        why = f"{', '.join(cols)} {'holds a cron expression' if len(cols) == 1 else 'hold cron expressions'}: checked on write (bad -> 400)"
        if nxt is not None:
            why += f", and {nxt.name} is set to its next run"
        out.append(Applied(NAME, table.name, cols + ((nxt.name,) if nxt else ()), why, table.line, roles))
    return out


def next_run(expression: str, after: datetime | None = None) -> datetime:
    """The next time ``expression`` fires after ``after`` (default now, UTC)."""
    base = after or datetime.now(UTC)
    return croniter(expression, base).get_next(datetime)


def check(column: str, value: Any) -> str | None:
    """The expression if valid (None stays None); CronError otherwise."""
    if value is None:
        return None
    if not isinstance(value, str) or not croniter.is_valid(value.strip()):
        raise CronError(f"{column}: {value!r} is not a cron expression (five fields: minute hour day month weekday)")
    return value.strip()


def apply(applied: Applied, row: dict[str, Any], next_type: str | None) -> dict[str, Any]:
    """Validate the cron columns written in ``row``; fill the next-run column from the expression in force."""
    crons = [c for r, c in applied.roles if r == "cron"]
    written = {c: check(c, row[c]) for c in crons if c in row}
    if not written:
        return row
    out = dict(row)
    nxt = applied.role("next")
    expression = next((written[c] for c in reversed(crons) if written.get(c)), None)
    if nxt is not None and nxt not in row:
        if expression is None:
            out[nxt] = None
        else:
            when = next_run(expression)
            out[nxt] = when.timestamp() * 1000 if next_type in ("float", "bigint", "integer") else when.isoformat()
    return out
