"""Indented field lists in a plain code block (``table:`` then ``  column: type``) are read as tables."""

from __future__ import annotations

from docbase.pipeline import build_schema

DOC = """# Library

```
author:
\tid: int
\tname: string

book:
\tid: int
\tauthor_id: foreign key
\tisbn: varchar(13) unique not null
\tformat: PAPER | EBOOK | AUDIO
\tthis line is not a field
```

```yaml
services:
  web:
    image: nginx
```
"""


def facts(table):
    return (
        table.primary_key,
        [u.columns for u in table.unique],
        [(fk.columns, fk.ref_table, fk.ref_columns, fk.inferred) for fk in table.foreign_keys],
        [(c.name, c.type, c.nullable, c.enum) for c in table.columns],
    )


def test_field_lists_give_tables_keys_by_id_and_inferred_references() -> None:
    schema = build_schema(DOC, "library.md")
    assert [t.name for t in schema.tables] == ["author", "book"]
    assert facts(schema.table("author")) == (
        ("id",),
        [],
        [],
        [("id", "integer", False, None), ("name", "text", None, None)],
    )
    assert facts(schema.table("book")) == (
        ("id",),
        [("isbn",)],
        [(("author_id",), "author", ("id",), True)],
        [
            ("id", "integer", False, None),
            ("author_id", "integer", None, None),
            ("isbn", "varchar", False, None),
            ("format", "enum", None, ("PAPER", "EBOOK", "AUDIO")),
        ],
    )
    said = {(d.line, d.level, d.message) for d in schema.diagnostics}
    assert (9, "info", "book.id is taken as the primary key (no key is marked)") in said
    assert (10, "info", "book.author_id references author (its name names author)") in said
    assert (
        13,
        "warning",
        "cannot read this line of a field list: 'this line is not a field'; expected `column: type`",
    ) in said
