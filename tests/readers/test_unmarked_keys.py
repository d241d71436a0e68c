"""Documents that mark no key anywhere: each table's ``id`` is its key, and each choice is reported."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOCS = Path(__file__).parent / "docs"


def test_id_is_the_key_when_the_document_marks_none() -> None:
    s = load_schema(DOCS / "unmarked_keys.md")
    assert s.table("users").primary_key == ("id",)
    assert s.table("sessions").primary_key == ()  # no `id`: nothing is guessed (token is not made a key)
    infos = [(d.line, d.message) for d in s.diagnostics if d.level == "info" and "marks no primary key" in d.message]
    assert infos[0] == (
        4,
        "users: the document marks no primary key anywhere; 'id' is read as this table's key "
        "(write PK beside it to say so)",
    )
    assert s.table("users").column("id").default is None
    # the quoted name is the table, the parenthetical after it a gloss in the document's language
    assert [t.name for t in s.tables] == [
        "users",
        "sessions",
        "permissions",
    ]  # a key, never a serial or uuid default invented


def test_a_document_that_marks_keys_is_read_as_written() -> None:
    s = load_schema(DOCS / "marked_keys.md")
    assert s.table("users").primary_key == ("id",)
    assert s.table("notes").primary_key == ()
    assert any(d.level == "warning" and "notes has no primary key" in d.message for d in s.diagnostics)
