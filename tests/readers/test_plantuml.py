"""The PlantUML reader: entity/class/table blocks, key markers, and arrows that become foreign keys."""

from __future__ import annotations

from docbase.document import Block, split
from docbase.fragments import RelationshipFragment, TableFragment
from docbase.pipeline import build_schema
from docbase.readers import plantuml

DIAGRAM = """@startuml
' a comment
skinparam linetype ortho
!define pk(x) <b>x</b>

entity "Customer" as customers {
  * id : uuid <<PK>>
  --
  * email : varchar(255) <<unique>>
  nickname : text
}

entity orders {
  * id : bigint
  --
  * customer_id : uuid <<FK>>
  total : decimal(10,2)
  ~~ what is this ~~
}

class Invoice {
  +id : integer <<generated>>
  +order_id : bigint
  +getTotal() : decimal
}

table(line_items) {
  pk(id) INTEGER
  order_id INTEGER
  quantity INTEGER
}

customers ||--o{ orders
orders }o--|| customers : placed by
orders --> Invoice
orders "1" -- "*" line_items
this is not plantuml
@enduml
"""


def block(text: str, info: str = "plantuml", line: int = 1) -> Block:
    return Block("code", text, line, info=info)


def test_accepts_plantuml_fences_and_bare_startuml_only():
    assert plantuml.accepts(block(DIAGRAM))
    assert plantuml.accepts(block(DIAGRAM, info=""))
    assert plantuml.accepts(block(DIAGRAM, info="puml"))
    assert not plantuml.accepts(block(DIAGRAM, info="mermaid"))
    assert not plantuml.accepts(block("erDiagram\n  a { int id }", info=""))


def test_tables_columns_and_keys():
    reading = plantuml.read(block(DIAGRAM))
    tables = {f.name: f for f in reading.fragments if isinstance(f, TableFragment)}
    assert list(tables) == ["customers", "orders", "Invoice", "line_items"]
    cols = {
        n: [(c.name, c.type.name if c.type else None, c.nullable, c.primary_key) for c in t.columns]
        for n, t in tables.items()
    }
    assert cols["customers"] == [
        ("id", "uuid", False, True),
        ("email", "varchar", False, False),
        ("nickname", "text", None, False),
    ]
    assert tables["customers"].comment == "Customer"
    assert cols["orders"] == [
        ("id", "bigint", False, True),  # above `--` in an entity: the key
        ("customer_id", "uuid", False, False),
        ("total", "numeric", None, False),
    ]
    assert cols["Invoice"] == [("id", "integer", False, True), ("order_id", "bigint", None, False)]
    assert cols["line_items"] == [
        ("id", "integer", False, True),
        ("order_id", "integer", None, False),
        ("quantity", "integer", None, False),
    ]
    assert [c.unique for c in tables["customers"].columns] == [False, True, False]
    rels = [
        (r.left, r.right, r.left_cardinality, r.right_cardinality, r.label)
        for r in reading.fragments
        if isinstance(r, RelationshipFragment)
    ]
    assert rels == [
        ("customers", "orders", "||", "o{", None),
        ("orders", "customers", "}o", "||", "placed by"),
        ("orders", "Invoice", "||", "o{", None),
        ("orders", "line_items", "||", "o{", None),
    ]
    assert [(d.level, d.line, d.message) for d in reading.diagnostics if d.level == "warning"] == [
        ("warning", 18, "cannot read this PlantUML attribute: '~~ what is this ~~'; expected `name : type [<<PK>>]`"),
        (
            "warning",
            37,
            "cannot read this PlantUML line: 'this is not plantuml'; expected `entity Name {`, "
            "`name : type` inside it, or a relationship `A ||--o{ B`",
        ),
    ]


def test_arrows_give_foreign_keys_where_a_column_names_the_other_table():
    schema = build_schema("# Shop\n\n```plantuml\n" + DIAGRAM + "```\n")
    fks = {t.name: [(fk.columns, fk.ref_table, fk.ref_columns) for fk in t.foreign_keys] for t in schema.tables}
    assert fks == {
        "customers": [],
        "orders": [(("customer_id",), "customers", ("id",))],
        "Invoice": [(("order_id",), "orders", ("id",))],
        "line_items": [(("order_id",), "orders", ("id",))],
    }
    assert [u.columns for u in schema.table("customers").unique] == [("email",)]


def test_a_bare_diagram_with_blank_lines_is_one_block():
    text = "# Model\n\n@startuml\nentity a {\n  * id : int <<PK>>\n}\n\nentity b {\n  * id : int <<PK>>\n  a_id : int <<FK>>\n}\n\na ||--o{ b\n@enduml\n\nProse.\n"
    document = split(text)
    assert [(b.kind, b.line) for b in document.blocks if b.kind == "code"] == [("code", 3)]
    schema = build_schema(text)
    assert [t.name for t in schema.tables] == ["a", "b"]
    assert [(fk.columns, fk.ref_table) for fk in schema.table("b").foreign_keys] == [(("a_id",), "a")]
