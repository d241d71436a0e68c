"""DBML and Prisma as documents write them: blank lines before `}`, `[pk, unique]`, relations over several
lines, and enums declared in another fence."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "dbml_prisma_shapes.md"


def facts(table):
    return (
        table.primary_key,
        [u.columns for u in table.unique],
        [(fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in table.foreign_keys],
        [(c.name, c.type, c.nullable, c.enum) for c in table.columns],
    )


def test_dbml_blank_line_before_the_brace_and_an_enum_in_another_fence() -> None:
    s = load_schema(DOC)
    assert facts(s.table("customers")) == (
        ("id",),
        [("email",)],
        [],
        [("id", "integer", False, None), ("email", "varchar", False, None)],
    )
    assert facts(s.table("orders")) == (
        ("id",),
        [],
        [(("customer_id",), "customers", ("id",), None)],
        [
            ("id", "integer", False, None),
            ("customer_id", "integer", True, None),
            ("status", "enum", True, ("draft", "paid")),
        ],
    )


def test_prisma_relation_spread_over_lines_or_on_the_next_line() -> None:
    s = load_schema(DOC)
    assert facts(s.table("Post"))[2] == [
        (("authorId",), "User", ("id",), "cascade"),
        (("editorId",), "User", ("id",), None),
    ]
    assert [c.name for c in s.table("Post").columns] == ["id", "authorId", "editorId", "kind"]
    assert s.table("Post").column("kind").enum == ("NOTE", "ARTICLE")


def test_prisma_type_from_another_fence_is_an_enum_a_relation_or_reported() -> None:
    s = load_schema(DOC)
    assert facts(s.table("Comment"))[3] == [
        ("id", "integer", False, None),
        ("audience", "enum", False, ("everyone", "members")),
        ("postId", "integer", False, None),
        ("writer", "text", False, None),
        ("mood", "text", True, None),
    ]
    assert [(d.level, d.line, d.message) for d in s.diagnostics] == [
        ("warning", 60, "Comment.writer: type Person is defined nowhere; read as text"),
        ("warning", 61, "Comment.mood: type Feeling is defined nowhere; read as text"),
    ]


def test_bare_dbml_with_blank_lines_inside_a_table_is_one_diagram() -> None:
    """Unfenced DBML with a blank line before ``indexes {`` keeps the table's indexes and closing brace."""
    s = load_schema(Path(__file__).parent / "docs" / "dbml_bare_blank_lines.md")
    assert [t.name for t in s.tables] == ["members", "rooms"]
    assert facts(s.table("members"))[:3] == (("id",), [], [(("room_id",), "rooms", ("id",), None)])
    assert [(ix.column_names, ix.unique) for ix in s.table("members").indexes] == [(("user_id", "room_id"), True)]
    assert facts(s.table("rooms"))[:2] == (("id",), [("code",)])
    assert not [d for d in s.diagnostics if "never closed" in d.message]
