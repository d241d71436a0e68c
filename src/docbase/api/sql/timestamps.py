"""SQLite timestamps -> PostgreSQL's JSON text inside the query, without a Python call per value.

SQLite keeps timestamps as UTC text, ``2024-05-01 10:00:00.500000`` (what
docbase writes) or ``2024-05-01 10:00:00.500`` (the DDL's ``now()``
default). PostgreSQL's JSON writes ``2024-05-01T10:00:00.5+00:00``. For text
in exactly those layouts the change is string work (``rtrim``/``replace``)
done here in SQL, at a third of the cost of calling back into Python for
every value (40 calls for a list of 20 rows with two timestamps). Anything
else (offsets, ``T`` separators, other precisions, dates that do not exist)
goes to the Python function ``docbase_timestamp`` (api.db) as before, so
every value reads back exactly as it did. ``datetime(x, '+0 seconds') =
substr(x, 1, 19)`` is the check that the text is a real date and time in
SQLite's layout: the modifier makes SQLite roll 2023-02-29 or 24:00 over,
which then no longer matches.
"""

from __future__ import annotations

import sqlalchemy as sa

_SECONDS = "????-??-?? ??:??:??"
#: The fractional layouts the fast path takes (whole seconds are recognised by their length, 19).
FRACTIONS = (_SECONDS + "." + "[0-9]" * 6, _SECONDS + "." + "[0-9]" * 3)


def _text(value: str) -> sa.ColumnElement:
    """A SQL string literal in the statement text (no bound parameter, so the compiled SQL stays self-contained)."""
    return sa.literal_column("'" + value.replace("'", "''") + "'", sa.Text)


def _int(value: int) -> sa.ColumnElement:
    return sa.literal_column(str(value), sa.Integer)


def timestamp_json(expr: sa.ColumnElement, with_tz: bool) -> sa.ColumnElement:
    """``expr`` (a SQLite timestamp column) as the text PostgreSQL's ``to_json`` gives for it, NULL for NULL."""
    whole = sa.func.length(expr) == _int(19)
    layout = sa.or_(*[expr.op("GLOB")(_text(pattern)) for pattern in FRACTIONS], whole)
    real = sa.func.datetime(expr, _text("+0 seconds")) == sa.func.substr(expr, _int(1), _int(19))
    canonical = sa.and_(layout, expr >= _text("0001"), real)
    trimmed = sa.case((whole, expr), else_=sa.func.rtrim(sa.func.rtrim(expr, _text("0")), _text(".")))
    fast = sa.func.replace(trimmed, _text(" "), _text("T"))
    if with_tz:
        fast = fast.op("||")(_text("+00:00"))
    slow = sa.func.docbase_timestamp(expr, sa.literal_column("1" if with_tz else "0"))
    return sa.case((expr.is_(None), sa.null()), (canonical, fast), else_=slow)
