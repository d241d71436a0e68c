"""Rules written as sentences reach the model as constraints with their line, or as a located warning."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent.parent / "readers" / "docs" / "rules_in_sentences.md"


def test_sentences_become_constraints_with_their_source_line() -> None:
    s = load_schema(DOC)
    assert [(u.columns, u.line) for u in s.table("memberships").unique] == [(("user_id", "organization_id"), 39)]
    tasks = s.table("tasks")
    assert [(u.columns, u.line) for u in tasks.unique] == [(("project_id", "title"), 40)]
    assert [(c.expression, c.line) for c in tasks.checks] == [("priority BETWEEN 1 AND 5", 41)]
    assert tasks.column("status").enum == ("draft", "active", "done")
    invoices = s.table("invoices")
    assert invoices.column("customer_name").nullable is False
    assert [(c.expression, c.line) for c in invoices.checks] == [("amount > 0", 56), ("quantity >= 1", 57)]
    assert invoices.column("kind").enum == ("Standard", "Credit")
    assert [u.columns for u in invoices.unique] == [("number",)]


def test_each_rule_read_is_noted_and_each_unresolved_one_warned_with_how_to_write_it() -> None:
    s = load_schema(DOC)
    read = sorted(d.line for d in s.diagnostics if d.level == "info" and "read from" in d.message)
    assert read == [39, 40, 41, 42, 55, 56, 57, 58, 59]
    warned = {d.line: d.message for d in s.diagnostics if d.level == "warning"}
    assert warned == {
        60: "cannot tell which table 'Invoice numbers must be unique per planet' is about (no table has columns "
        "for 'planet' and 'invoice numbers'); write it as `UNIQUE(column, column)` under the table's heading",
        61: "cannot tell which column 'colour' is in 'The colour must be between 1 and 3' (no table has a column "
        "by that name); write it as `CHECK (column BETWEEN 1 AND 5)` under the table's heading",
    }


def test_a_relationship_sentence_makes_the_unmarked_column_a_foreign_key() -> None:
    s = load_schema(Path(__file__).parent.parent / "readers" / "docs" / "relationship_sentences.md")
    assert [(fk.columns, fk.ref_table, fk.ref_columns, fk.line) for fk in s.table("orders").foreign_keys] == [
        (("customer_id",), "customers", ("id",), 15)
    ]
    assert [(d.level, d.line, d.message) for d in s.diagnostics] == [
        ("info", 20, "orders.customer_id references customers (this relationship sentence)"),
        # "An order has many line items.": a relationship to something the document does not describe, said
        ("info", 21, "relationship names 'line items', which is not a table here; ignored"),
    ]
