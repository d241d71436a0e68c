"""Rules written as sentences: which shapes are read, into which words, and which are only reported."""

from __future__ import annotations

import pytest

from docbase.readers._rules import looks_like_rule, rules_in, sentences
from docbase.readers._statements import read_statement


@pytest.mark.parametrize(
    ("sentence", "kind", "subject", "scope", "op", "bounds", "values"),
    [
        ("Each user appears once per organization.", "unique", (("user",), ("organization",)), (), None, (), ()),
        ("A member can only be added once to each team", "unique", (("member",), ("team",)), (), None, (), ()),
        ("Task titles are unique within a project.", "unique", (("task", "titles"),), ("project",), None, (), ()),
        ("Emails must be unique", "unique", (("emails",),), (), None, (), ()),
        ("The combination of user and workspace is unique", "unique", (("user",), ("workspace",)), (), None, (), ()),
        (
            "No two tasks in a project can have the same title",
            "unique",
            (("tasks", "title"),),
            ("project",),
            None,
            (),
            (),
        ),
        ("Priority must be between 1 and 5.", "check", (("priority",),), (), "between", ("1", "5"), ()),
        ("The rating ranges from 0 to 10", "check", (("rating",),), (), "between", ("0", "10"), ()),
        ("The amount must be positive.", "check", (("amount",),), (), ">", ("0",), ()),
        ("Stock cannot be negative", "check", (("stock",),), (), ">=", ("0",), ()),
        ("Quantity must be at least 1", "check", (("quantity",),), (), ">=", ("1",), ()),
        ("A discount's percent must be no more than 90", "check", (("discount", "percent"),), (), "<=", ("90",), ()),
        ("The title is required.", "not_null", (("title",),), (), None, (), ()),
        ("Email must not be empty", "not_null", (("email",),), (), None, (), ()),
        ("Every order must have a customer", "not_null", (("order", "customer"),), (), None, (), ()),
        ("The status is draft, sent or paid.", "enum", (("status",),), (), None, (), ("draft", "sent", "paid")),
        ("Role is one of Owner, Admin, Member", "enum", (("role",),), (), None, (), ("Owner", "Admin", "Member")),
        ("`visibility` must be `public` or `private`", "enum", (("visibility",),), (), None, (), ("public", "private")),
        ("Allowed currencies: eur, usd, gbp", "enum", (("currencies",),), (), None, (), ("eur", "usd", "gbp")),
    ],
)
def test_sentence_shapes(sentence, kind, subject, scope, op, bounds, values) -> None:
    found = rules_in(sentence, 7, "orders")
    assert len(found) == 1, found
    rule = found[0]
    assert (rule.kind, rule.subject, rule.scope, rule.op, rule.bounds, rule.values, rule.line, rule.table) == (
        kind,
        subject,
        scope,
        op,
        bounds,
        values,
        7,
        "orders",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Users are shown in a list.",
        "The admin or the owner can invite people.",
        "Status is Active or Disabled",  # capitalised words without "one of": display names, not a closed set
        "Projects contain tasks, and tasks contain comments.",
        "Each workspace has a unique slug that appears in URLs.",
    ],
)
def test_ordinary_prose_is_not_a_rule(sentence: str) -> None:
    assert rules_in(sentence, 1, None) == []


def test_rule_words_without_a_shape_are_noticed() -> None:
    assert looks_like_rule("Slugs are unique, except for archived ones, which may repeat.")
    assert not looks_like_rule("Slugs appear in URLs.")


def test_sentences_keep_the_line_they_start_on() -> None:
    text = "Priority must be\nbetween 1 and 5. The title is required.\nEmails must be unique"
    assert sentences(text, 10) == [
        ("Priority must be between 1 and 5.", 10),
        ("The title is required.", 11),
        ("Emails must be unique", 12),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Unique: (a, b)",
        "Eindeutig: (a, b)",
        "Уникальность: (a, b)",
        "唯一：(a, b)",
        "Ràng buộc: UNIQUE(a, b)",
        "Benzersiz: (a, b)",
    ],
)
def test_unique_column_lists_in_any_language(line: str) -> None:
    found = read_statement(line, 4, ("## t",)).fragments
    assert [(f.table, f.kind, f.columns, f.line) for f in found] == [("t", "unique", ("a", "b"), 4)]


@pytest.mark.parametrize(
    "sentence",
    [
        "`email` benzersiz olmalıdır",
        "`email` muss eindeutig sein",
        "`email` debe ser único",
        "`email` должен быть уникальным",
        "`email` 必须唯一",
    ],
)
def test_a_named_column_said_unique_in_another_language(sentence: str) -> None:
    assert [(r.kind, r.subject) for r in rules_in(sentence, 1, "users")] == [("unique", (("email",),))]


@pytest.mark.parametrize(
    ("sentence", "columns"),
    [
        ("`IX_Categories_Name_UserId` - unikalny indeks na (Name, UserId)", (("Name",), ("UserId",))),
        ("`ux_memberships` - unique index on (`user_id`, `workspace_id`)", (("user_id",), ("workspace_id",))),
    ],
)
def test_a_unique_index_bullet_is_on_its_listed_columns_not_its_name(sentence: str, columns: tuple) -> None:
    """The quoted word is the index's name; the parenthesised list says which columns are unique together."""
    assert [(r.kind, r.subject) for r in rules_in(sentence, 1, "t")] == [("unique", columns)]
