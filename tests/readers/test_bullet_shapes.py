"""Bullet lists as teams write them: arrows to targets, two names in one bullet, sub-lists, `fk from X`."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "bullets_shapes.md"


def columns(table):
    return [(c.name, c.type, c.nullable, c.line) for c in table.columns]


def fks(table):
    return [(fk.columns, fk.ref_table, fk.ref_columns) for fk in table.foreign_keys]


def test_columns_of_one_table_across_shapes_and_sub_lists() -> None:
    s = load_schema(DOC)
    students = s.table("students")
    assert columns(students) == [
        ("id", "integer", False, 5),
        ("class_id", "integer", None, 6),
        ("mentor_id", "uuid", None, 7),
        ("full_name", "varchar", False, 8),  # character varying(100): a type of two words
        ("score", "float", None, 9),  # double precision
        ("created_at", "timestamptz", None, 11),  # two names in one bullet
        ("updated_at", "timestamptz", None, 11),
        ("nickname", "varchar", None, 13),  # "Extra column added by migration:" sub-list
        ("born_on", "date", None, 14),
    ]
    assert fks(students) == [(("class_id",), "classes", ("id",)), (("mentor_id",), "teachers", ("id",))]
    profiles = s.table("student_profiles")
    assert (profiles.primary_key, fks(profiles)) == (("student_id",), [(("student_id",), "students", ("id",))])


def test_entity_bullets_with_fields_and_fk_from() -> None:
    s = load_schema(DOC)
    assert fks(s.table("Enrollment")) == [
        (("student_id",), "students", ("id",)),  # "fk from Student"
        (("course_id",), "classes", ("id",)),
    ]
    assert columns(s.table("Grade")) == [
        ("id", "integer", False, 39),
        ("enrollment_id", "integer", None, 40),
        ("value", "numeric", None, 41),
    ]
    assert fks(s.table("Grade")) == [(("enrollment_id",), "Enrollment", ("id",))]


def test_a_column_line_that_is_not_understood_is_reported_and_relation_bullets_are_not() -> None:
    s = load_schema(DOC)
    assert [(d.level, d.line, d.message) for d in s.diagnostics if d.level != "info"] == [
        (
            "warning",
            10,
            "cannot read this column definition: 'legacy_code: VARCHAR(10) kept for the old importer'; "
            "write it as `name: TYPE, NOT NULL, UNIQUE, FK -> table(column)`",
        )
    ]


def test_untyped_column_lists_under_a_table_heading_or_a_fields_lead() -> None:
    s = load_schema(Path(__file__).parent / "docs" / "bullets_untyped.md")
    assert [(t.name, t.primary_key) for t in s.tables] == [("EpisodesTable", ("id",)), ("users", ()), ("members", ())]
    assert [(c.name, c.type, c.inferred, c.comment) for c in s.table("EpisodesTable").columns] == [
        ("id", "uuid", True, "chave primária"),  # "chave primária" marks the key, in Portuguese
        ("name", "text", True, "nome do episódio"),
        ("airDate", "date", True, "data de exibição"),
    ]
    assert [c.name for c in s.table("users").columns] == ["id", "full_name", "created_at"]
    # the types are inferred, and said so; "## Tecnologia" with `Drift: banco local` is no table
    notes = [(d.level, d.line) for d in s.diagnostics if "inferred from names" in d.message]
    assert notes == [("info", 11), ("info", 16), ("info", 26)]
    # "### 🛍 members (회원 테이블)": a table word in the parenthesis; a bullet of names only is several columns
    assert [c.name for c in s.table("members").columns] == ["id", "email", "created_at", "updated_at"]
    assert [(u.columns, u.line) for u in s.table("members").unique] == [(("email",), 32)]  # "benzersiz olmalıdır"
