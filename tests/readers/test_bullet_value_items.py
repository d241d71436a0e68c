"""A column listed by name only, its allowed values as nested bullets: read as a text column with those values."""

from __future__ import annotations

from docbase.pipeline import load_schema

DOC = """# tickets

- id (primary key / int)
- title (varchar(100))
- body (text)
- opened_at (datetime)
- status
    * open = waiting for someone
        * anyone on the team may take it
    * closed = done
    * archived: kept for audits
- priority
"""


def test_nested_values_under_an_untyped_item_are_its_allowed_values(tmp_path) -> None:
    path = tmp_path / "design.md"
    path.write_text(DOC, encoding="utf-8")
    s = load_schema(path)
    status = s.table("tickets").column("status")
    assert status.enum == ("open", "closed", "archived")
    said = [d for d in s.diagnostics if d.line == 7]
    assert said and "allowed values" in said[0].message and said[0].level == "warning"
    # a bare name with nothing under it stays unread, and is said
    assert s.table("tickets").column("priority") is None
    assert any(d.line == 12 and "is not read" in d.message for d in s.diagnostics)
