"""Principle 2, never drop silently: a document of near misses gets one located warning per line it loses.

Every table-like block, column-like line and constraint-like sentence in
``docs/near_misses.md`` misses docbase's notations by a little; each must be
reported on its own line, saying what was not understood and how to write it.
"""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "near_misses.md"

# line -> words the warning must contain: what was not understood, and the shape to write instead
EXPECTED = {
    5: ("no column holds types", "| Column | Type |"),  # a column table with no Type column
    15: ("no readable column name ('total amount')", "one word"),
    18: ("looks like a column definition", "name: TYPE"),  # a column bullet outside any column list
    20: ("reads like a constraint", "UNIQUE(a, b)"),  # a rule sentence of no known shape
    24: ("Type cells are not types", "a SQL type in each Type cell"),
    32: ("unique constraint on no table", "under the heading of its table"),
    36: ("unique constraint on no table", "under the heading of its table"),
    41: ("'sparkly' is not understood", "pk, unique, not null"),
    42: ("cannot read this DBML column", "name type [settings]"),
    49: ("cannot read this Prisma field", "name Type @attributes"),
    55: ("'42 things' is not a table name", "the table's name alone"),
}


def test_one_warning_per_near_miss_with_its_line_and_the_way_to_write_it() -> None:
    s = load_schema(DOC)
    warnings = [(d.line, d.message) for d in s.diagnostics if d.level == "warning"]
    assert [line for line, _ in warnings] == sorted(EXPECTED)
    for line, message in warnings:
        for words in EXPECTED[line]:
            assert words in message, (line, message)
    assert s.errors == ()


def test_what_is_understood_around_the_near_misses_still_reads() -> None:
    s = load_schema(DOC)
    assert [t.name for t in s.tables] == ["payments", "invoices", "Ledger"]
    assert [c.name for c in s.table("payments").columns] == ["id", "method"]
    assert [c.name for c in s.table("invoices").columns] == ["id", "total"]
