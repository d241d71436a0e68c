"""A ``postgres_changes`` subscription: event, schema, table and one filter, as Supabase Realtime takes them.

The filter is Realtime's (a subset of PostgREST's): ``column=op.value`` with op one
of eq, neq, lt, lte, gt, gte, in (``in.(a,b,"c,d")``). Values are compared as
numbers when both sides are numbers, else as text, like PostgreSQL comparing a
column with a literal of its own type. Anything else is refused at join time
with the reason, never silently widened to "every row".
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from typing import Any

EVENTS = ("*", "INSERT", "UPDATE", "DELETE")
OPS = ("eq", "neq", "lt", "lte", "gt", "gte", "in")


class SubscriptionError(ValueError):
    """A postgres_changes binding docbase cannot honour; the message is the join's error reason."""


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any  # str, or tuple[str, ...] for ``in``

    def matches(self, row: dict[str, Any]) -> bool:
        if self.column not in row:
            return False
        cell = row[self.column]
        if self.op == "in":
            return cell is not None and any(_compare(cell, v) == 0 for v in self.value)
        if cell is None:
            return False
        order = _compare(cell, self.value)
        if order is None:
            return False
        return {
            "eq": order == 0,
            "neq": order != 0,
            "lt": order < 0,
            "lte": order <= 0,
            "gt": order > 0,
            "gte": order >= 0,
        }[self.op]


def _compare(cell: Any, text: str) -> int | None:
    if isinstance(cell, bool):
        cell = "true" if cell else "false"
    if isinstance(cell, (int, float)):
        try:
            other = float(text)
        except ValueError:
            return None
        return (cell > other) - (cell < other)
    left = cell if isinstance(cell, str) else str(cell)
    return (left > text) - (left < text)


def parse_filter(text: str | None) -> Filter | None:
    if text is None or text == "":
        return None
    column, sep, rest = text.partition("=")
    op, dot, value = rest.partition(".")
    if not sep or not dot or not column or op not in OPS:
        raise SubscriptionError(f"invalid filter {text!r}: expected column=op.value with op one of {', '.join(OPS)}")
    if op == "in":
        if not (value.startswith("(") and value.endswith(")")):
            raise SubscriptionError(f"invalid filter {text!r}: in takes a list, e.g. id=in.(1,2,3)")
        items = next(csv.reader([value[1:-1]], skipinitialspace=True), [])
        return Filter(column, op, tuple(items))
    return Filter(column, op, value)


@dataclass(frozen=True)
class Binding:
    """One ``postgres_changes`` entry of a join's config; ``id`` is what the client matches events by."""

    id: int
    event: str
    schema: str
    table: str | None
    filter_text: str | None
    filter: Filter | None

    def reply(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "event": self.event, "schema": self.schema}
        if self.table is not None:
            out["table"] = self.table
        if self.filter_text is not None:
            out["filter"] = self.filter_text
        return out

    def wants(self, table: str, op: str) -> bool:
        event = self.event.upper()
        return (event == "*" or event == op) and (self.table in (None, "*", table))


def parse_binding(raw: Any, tables: set[str]) -> Binding:
    """A join's ``config.postgres_changes[i]`` -> Binding; SubscriptionError says what is wrong."""
    if not isinstance(raw, dict):
        raise SubscriptionError("each postgres_changes entry must be an object")
    event = str(raw.get("event", "*")).upper()
    schema = raw.get("schema", "public")
    table = raw.get("table")
    text = raw.get("filter")
    if event not in EVENTS:
        raise SubscriptionError(f"unknown event {raw.get('event')!r}: use INSERT, UPDATE, DELETE or *")
    if schema not in ("public", "*"):
        raise SubscriptionError(f"schema {schema!r} has no tables here; docbase serves the public schema")
    if table is not None and (not isinstance(table, str) or (table != "*" and table not in tables)):
        raise SubscriptionError(f"relation {table!r} does not exist")
    if text is not None and not isinstance(text, str):
        raise SubscriptionError("filter must be a string")
    parsed = parse_filter(text)
    if parsed is not None and (table in (None, "*")):
        raise SubscriptionError("a filter needs a table")
    key = f"{event}:{schema}:{table}:{text}".encode()
    return Binding(zlib.crc32(key) & 0x7FFFFFFF, str(raw.get("event", "*")), schema, table, text, parsed)
