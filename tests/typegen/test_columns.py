"""What the types leave out is said, never silent: a credential column the API hides is reported with its line."""

from __future__ import annotations

from docbase.access import build_access
from docbase.pipeline import build_schema
from docbase.typegen import generate

DOC = (
    "# A\n\n```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL);\n```\n"
)


def test_hidden_columns_are_left_out_and_reported():
    schema = build_schema(DOC, "a.md")
    for language in ("typescript", "python"):
        text, notes = generate(schema, language, build_access(schema))
        assert "password_hash" not in text and "email" in text
        assert notes == [
            (
                4,
                "users.password_hash left out of the types: the API never returns it "
                "(a secret or credential column; docbase access DOC lists them)",
            )
        ]


def test_without_an_access_model_every_column_is_typed():
    text, notes = generate(build_schema(DOC, "a.md"), "typescript")
    assert "password_hash: string" in text and notes == []
