"""Data-flow arrow lines relate tables; value lists in descriptions in any language close a column's set."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "flows_and_values.md"


def fks(table):
    return [(fk.columns, fk.ref_table) for fk in table.foreign_keys]


def test_an_arrow_chain_of_quoted_tables_relates_each_to_the_next() -> None:
    s = load_schema(DOC)
    assert fks(s.table("bookings")) == [(("user_id",), "users")]
    assert fks(s.table("payments")) == [(("booking_id",), "bookings")]
    assert any(d.line == 28 and "bookings.user_id references users" in d.message for d in s.diagnostics)


def test_values_in_descriptions() -> None:
    s = load_schema(DOC)
    users, bookings, books = s.table("users"), s.table("bookings"), s.table("books")
    assert users.column("status").enum == ("ACTIVE", "INACTIVE")  # label (A/B)
    assert users.column("role").enum is None  # "(ADMIN/SALES/...)": an open list
    assert bookings.column("channel").enum == ("web", "app", "phone")  # "hoặc": or, in Vietnamese
    assert s.table("payments").column("note").enum is None  # one word in parentheses is no set
    assert books.column("location_type").enum == ("shelf", "box", "none")  # DEFAULT 'none': a value, not null
    assert books.column("method").enum == ("wechat", "alipay", "mock")  # label with a full-width colon, 、
    assert books.column("code").enum is None  # column names after a constraint word are no values
