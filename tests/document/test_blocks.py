"""Splitting documents into located blocks."""

from __future__ import annotations

from docbase.document import read_text, split

DOC = """# Schema

## Users

Intro paragraph.

```sql
CREATE TABLE users (id uuid);
```

| Column | Type |
|--------|------|
| id | uuid |

**Constraints:**
- UNIQUE(a, b)
  - nested item

┌──────────┐
│  USERS   │
├──────────┤
│ id (PK)  │
└──────────┘
"""


def test_blocks_keep_kind_line_and_section():
    doc = split(DOC, "d.md")
    kinds = [(b.kind, b.line) for b in doc.blocks]
    assert kinds == [
        ("heading", 1),
        ("heading", 3),
        ("paragraph", 5),
        ("code", 8),
        ("table", 11),
        ("paragraph", 15),
        ("list", 16),
        ("code", 19),
    ]
    code = doc.blocks[3]
    assert code.info == "sql" and code.text == "CREATE TABLE users (id uuid);"
    assert code.section == ("Schema", "Users")


def test_table_rows_keep_cells_and_lines():
    table = next(b for b in split(DOC).blocks if b.kind == "table")
    assert [(r.cells, r.line) for r in table.rows] == [(("Column", "Type"), 11), (("id", "uuid"), 13)]


def test_list_items_have_depth_line_and_lead():
    lst = next(b for b in split(DOC).blocks if b.kind == "list")
    assert [(i.text, i.line, i.depth) for i in lst.items] == [("UNIQUE(a, b)", 16, 1), ("nested item", 17, 2)]
    assert lst.lead == "**Constraints:**"


def test_unfenced_box_diagram_is_a_code_block():
    box = split(DOC).blocks[-1]
    assert box.kind == "code" and not box.fenced and "USERS" in box.text and box.line == 19


def test_heading_section_is_its_parents():
    doc = split("# A\n## B\n### C\n## D\n")
    assert [(b.text, b.section) for b in doc.blocks] == [("A", ()), ("B", ("A",)), ("C", ("A", "B")), ("D", ("A",))]


def test_unterminated_fence_is_reported_with_its_line():
    doc = split("# x\n\n```sql\nCREATE TABLE t (id int);\n")
    assert [(d.level, d.line) for d in doc.diagnostics] == [("warning", 3)]
    assert doc.blocks[-1].text == "CREATE TABLE t (id int);"


def test_empty_document_is_an_error():
    assert [d.level for d in split("   \n").diagnostics] == ["error"]


def test_binary_and_bad_utf8():
    text, diags = read_text("x.bin", b"\x89PNG\x00\x00data")
    assert text is None and "binary" in diags[0].message
    text, diags = read_text("x.md", b"# ok\n\xff\xfe bad\n")
    assert text is not None and diags[0].line == 2


def test_crlf_line_endings_keep_line_numbers():
    doc = split("# A\r\n\r\n```sql\r\nCREATE TABLE t (id int);\r\n```\r\n")
    assert doc.blocks[1].line == 4
