"""What short column comments state: closed values, examples, references, optionality, unknown types."""

from __future__ import annotations

import pytest

from docbase.fragments import ColumnFragment
from docbase.readers.column_notes import column_type, read_comment


def noted(comment: str, fk: bool = False) -> ColumnFragment:
    return read_comment(ColumnFragment("c", 1, fk_marked=fk), comment)


@pytest.mark.parametrize(
    ("comment", "enum", "examples"),
    [
        ("user | admin", ("user", "admin"), None),
        ("Role: owner | member", ("owner", "member"), None),
        ("'draft' | 'sent'", ("draft", "sent"), None),
        ("one of: low, medium, high", ("low", "medium", "high"), None),
        ("either monthly or yearly", ("monthly", "yearly"), None),
        ("e.g. postiz, image-gen", None, ("postiz", "image-gen")),
        ("eg daily-posts", None, ("daily-posts",)),
        ("for example: Plus, Pro, and Unlimited", None, ("Plus", "Pro", "Unlimited")),
        ("Status of the run (e.g. queued, done)", None, ("queued", "done")),
        ("active | paused | ...", None, ("active", "paused")),
        ("display name", None, None),
        ("first4****last4", None, None),
        ("YYYY-MM-DD", None, None),
        ("a | this value is clearly a long sentence rather than a value", None, None),
    ],
)
def test_values_and_examples(comment, enum, examples):
    column = noted(comment)
    assert (column.enum, column.examples) == (enum, examples)


def test_null_alternative_is_nullability_not_a_value():
    column = noted("healthy | failed | null")
    assert column.enum == ("healthy", "failed") and column.nullable is True


@pytest.mark.parametrize(
    ("comment", "fk", "table", "columns"),
    [
        ("users._id via clerkId", True, "users", ("_id",)),
        ("users._id via clerkId", False, None, None),
        ("references users(id)", False, "users", ("id",)),
        ("References `auth.users`", False, "auth.users", ()),
        ("-> orgs.id", False, "orgs", ("id",)),
        ("FK to teams", False, "teams", ()),
        ("references the parent record", False, None, None),
        ("Convex file storage ref", False, None, None),
    ],
)
def test_references(comment, fk, table, columns):
    reference = noted(comment, fk).references
    if table is None:
        assert reference is None
    else:
        assert (reference.table, reference.columns) == (table, columns)


@pytest.mark.parametrize(
    ("comment", "nullable"),
    [
        ("optional cron expression", True),
        ("(optional) notes", True),
        ("nullable", True),
        ("required", False),
        ("owner", None),
    ],
)
def test_optionality(comment, nullable):
    assert noted(comment).nullable is nullable


def test_comment_does_not_override_what_the_notation_stated():
    column = read_comment(ColumnFragment("c", 1, nullable=False), "optional, for now")
    assert column.nullable is False


@pytest.mark.parametrize(
    ("raw", "name", "enum_name", "warns"),
    [
        ("varchar(20)", "varchar", None, False),
        ("OrderStatus", "enum", "OrderStatus", False),
        ("user_role", "enum", "user_role", False),
        ("tsvector", "text", None, True),
        ("Geometry", "text", None, True),
    ],
)
def test_column_type(raw, name, enum_name, warns):
    info, values, problem = column_type(raw)
    assert (info.name, info.enum_name, info.raw, problem is not None) == (name, enum_name, raw, warns)


def test_enum_type_with_values():
    info, values, _ = column_type("enum('a', 'b')")
    assert info.name == "enum" and values == ("a", "b")
