"""SQLite timestamps leave the database as PostgreSQL's JSON writes them, with or without the Python fallback."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from docbase.api.db import SqliteDatabase, _timestamp_json
from docbase.api.sql.timestamps import timestamp_json

_T = sa.table("t", sa.column("x", sa.DateTime))


def _read(values: list, with_tz: bool = True) -> list:
    """Each value stored in SQLite, read back through the compiled expression (as /rest/v1 reads it)."""
    conn = SqliteDatabase("sqlite://")._connection()  # registers docbase_timestamp, the fallback
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    sql = str(sa.select(timestamp_json(_T.c.x, with_tz)).compile(dialect=sqlite.dialect(paramstyle="qmark")))
    return [row[0] for row in conn.execute(sql + " ORDER BY rowid")]


def test_what_docbase_and_the_ddl_default_store_reads_back_as_postgresql_writes_it():
    stored = [
        "2024-05-01 10:00:00.500000",  # docbase's own writes: microseconds
        "2024-05-01 10:00:00.120",  # the DDL's now() default: milliseconds
        "2024-05-01 10:00:00.000000",
        "2024-05-01 10:00:00",
        "0341-06-09 20:49:59.000100",
        None,
    ]
    assert _read(stored) == [
        "2024-05-01T10:00:00.5+00:00",
        "2024-05-01T10:00:00.12+00:00",
        "2024-05-01T10:00:00+00:00",
        "2024-05-01T10:00:00+00:00",
        "0341-06-09T20:49:59.0001+00:00",
        None,
    ]
    assert _read(stored[:2], with_tz=False) == ["2024-05-01T10:00:00.5", "2024-05-01T10:00:00.12"]


def test_other_layouts_still_take_the_python_path():
    stored = ["2024-05-01T12:00:00+02:00", "2024-05-01 10:00:00.1234567", "2023-02-29 00:00:00", "not a time", 5]
    assert _read(stored) == ["2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00.123456+00:00", "2023-02-29 00:00:00",
                             "not a time", "5"]  # fmt: skip


_DIGITS = st.text("0123456789", min_size=1, max_size=7)
_NEAR_TIMESTAMPS = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}",
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.sampled_from([" ", "T", "_"]),
    st.integers(0, 25), st.integers(0, 61), st.integers(0, 61),
    st.one_of(st.just(""), _DIGITS.map("." .__add__), st.text(".0123456789 aZ+:-", max_size=8)),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_NEAR_TIMESTAMPS, st.text(max_size=30)), min_size=1, max_size=20), st.booleans())
def test_the_sql_path_agrees_with_the_python_formatter_on_any_text(values, with_tz):
    assert _read(values, with_tz) == [_timestamp_json(v, int(with_tz)) for v in values]
