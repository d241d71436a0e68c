"""HTML ``<table>`` blocks in a Markdown document are read like pipe tables."""

from __future__ import annotations

from docbase.document import split
from docbase.pipeline import build_schema

DOC = """# Schema

<table>
  <tr>
    <th colspan="2">member</th>
  </tr>
  <tr>
    <td>id</td>
    <td>INT</td>
  </tr>
  <tr>
    <td>nick_name</td>
    <td>VARCHAR(30)</td>
  </tr>
</table>

## orders

<table>
  <tr><th>Column</th><th>Type</th><th>Constraints</th></tr>
  <tr><td>id</td><td>bigint</td><td>PRIMARY KEY</td></tr>
  <tr><td>member_id</td><td>INT</td><td>REFERENCES member(id)</td></tr>
</table>
"""


def test_html_tables_become_table_blocks_with_a_title_row_as_heading() -> None:
    blocks = [b for b in split(DOC, "s.md").blocks if b.kind == "table"]
    assert [(b.line, b.section, [(r.cells, r.line) for r in b.rows]) for b in blocks] == [
        (
            8,
            ("Schema", "member"),
            [(("Name", "Type"), 8), (("id", "INT"), 8), (("nick_name", "VARCHAR(30)"), 12)],
        ),
        (
            20,
            ("Schema", "orders"),
            [
                (("Column", "Type", "Constraints"), 20),
                (("id", "bigint", "PRIMARY KEY"), 21),
                (("member_id", "INT", "REFERENCES member(id)"), 22),
            ],
        ),
    ]


def test_an_html_column_table_gives_a_table_with_its_keys() -> None:
    schema = build_schema(DOC, "s.md")
    assert [(c.name, c.type) for c in schema.table("member").columns] == [("id", "integer"), ("nick_name", "varchar")]
    table = schema.table("orders")
    assert table.primary_key == ("id",)
    assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in table.foreign_keys] == [
        (("member_id",), "member", ("id",))
    ]
