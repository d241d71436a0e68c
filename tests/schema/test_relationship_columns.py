"""A Mermaid relationship line makes the child's column named after the parent a foreign key, with a note."""

from __future__ import annotations

from docbase.pipeline import build_schema

DOC = """# Blog

```mermaid
erDiagram
    author ||--o{ post : writes
    post ||--o{ remark : has
    author {
        int id PK
        string name
    }
    post {
        int id PK
        int author_id
        string title
    }
    remark {
        int id PK
        int post_ref
        int author_id
    }
```
"""


def test_a_relationship_line_marks_the_column_named_after_the_parent() -> None:
    schema = build_schema(DOC, "blog.md")
    fks = {
        t.name: [(fk.columns, fk.ref_table, fk.ref_columns, fk.inferred) for fk in t.foreign_keys]
        for t in schema.tables
    }
    # post.author_id and remark.post_ref are named after a table the diagram relates theirs to;
    # remark.author_id has no relationship line to author, so it is not made a reference.
    assert fks == {
        "author": [],
        "post": [(("author_id",), "author", ("id",), True)],
        "remark": [(("post_ref",), "post", ("id",), True)],
    }
    said = {(d.line, d.level, d.message) for d in schema.diagnostics}
    assert (5, "info", "post.author_id references author (this relationship line)") in said
    assert (6, "info", "remark.post_ref references post (this relationship line)") in said
    assert (
        19,
        "info",
        "remark.author_id looks like a reference to author but is not marked as one; no foreign key made",
    ) in said


TWO_LINES = """# Clinic

```mermaid
erDiagram
    person ||--o{ visit : "sees (as doctor)"
    person ||--o{ visit : "attends (as patient)"
    person {
        int id PK
    }
    visit {
        int id PK
        int doctorId FK
        int patientId FK
        int nurseId FK
    }
```
"""


def test_two_relationship_lines_let_two_marked_columns_reference_the_same_table() -> None:
    schema = build_schema(TWO_LINES, "clinic.md")
    fks = [(fk.columns, fk.ref_table, fk.inferred) for fk in schema.table("visit").foreign_keys]
    assert fks == [(("doctorId",), "person", True), (("patientId",), "person", True)]
    said = {(d.line, d.level, d.message) for d in schema.diagnostics}
    assert (
        13,
        "info",
        "visit.patientId references person (another relationship line to the table, not yet claimed by a column)",
    ) in said
    assert (
        14,
        "warning",
        "visit.nurseId is marked as a foreign key but names no target, and none can be told from its name "
        "or the relationships; not a foreign key",
    ) in said
