"""Mermaid erDiagrams as people write them: key lists, pseudo-attributes, sized types, comments, words."""

from __future__ import annotations

from docbase.document import Block
from docbase.readers import mermaid
from docbase.readers.fragments import RelationshipFragment, TableFragment
from docbase.schema import build_schema

DOC = """---
title: Shop
---
# Shop

```mermaid
---
title: Orders
---
erDiagram
    %% a comment
    # another comment
    USER {
        uuid id PK
        varchar_50 name "display name"
        string email UK NOT NULL
        boolean active DEFAULT true
        string tier DEFAULT 'free' "plan tier"
        decimal_19_4 balance NULL
    }
    ORDER {
        uuid id PK
        uuid user_id PK, FK
        User owner FK
        uuid shop_id FK UK
        int qty
        unique "user_id, qty"
    }
    LINE {
        uuid product_id PK_FK
        int position PK
    }
    USER only one to zero or more ORDER : places
    ORDER ||--|{ LINE : has
    LINE }o--|| PRODUCT : of
    SHOP ||--o{ ORDER : sells
```

```mermaid
erDiagram
    PRODUCT {
        uuid id PK
        text title
    }
```
"""


def test_attribute_shapes_become_columns_keys_and_constraints():
    schema = build_schema(DOC)
    user = schema.table("USER")
    assert [(c.name, c.type, c.length, c.precision, c.scale, c.nullable, c.default) for c in user.columns] == [
        ("id", "uuid", None, None, None, False, None),
        ("name", "varchar", 50, None, None, None, None),
        ("email", "text", None, None, None, False, None),
        ("active", "boolean", None, None, None, None, "true"),
        ("tier", "text", None, None, None, None, "'free'"),
        ("balance", "numeric", None, 19, 4, True, None),
    ]
    order = schema.table("ORDER")
    assert order.primary_key == ("id", "user_id")
    assert [(fk.columns, fk.ref_table) for fk in order.foreign_keys] == [(("user_id",), "USER"), (("owner",), "USER")]
    assert order.column("owner").type == "uuid"
    assert [u.columns for u in order.unique] == [("shop_id",), ("user_id", "qty")]
    line = schema.table("LINE")
    assert line.primary_key == ("product_id", "position")
    assert [(fk.columns, fk.ref_table) for fk in line.foreign_keys] == [(("product_id",), "PRODUCT")]
    assert [t.name for t in schema.tables] == ["USER", "ORDER", "LINE", "PRODUCT"]
    warnings = [(d.line, d.message) for d in schema.diagnostics if d.level == "warning"]
    assert warnings == [
        (25, "ORDER.shop_id references unknown table 'SHOP'; no foreign key made"),
        (
            36,
            "table 'SHOP' has no columns (it is only named, e.g. in a relationship line); "
            "not created: describe its columns to create it",
        ),
    ]


def test_word_cardinalities_and_several_diagrams_in_one_block():
    text = (
        "erDiagram\n  A {\n    int id PK\n  }\n  A only one to one or more B : x\n"
        "  A zero or one to zero or many C : y\nerDiagram\n  B {\n    int id PK\n  }\n"
    )
    reading = mermaid.read(Block("code", text, 1, info="mermaid"))
    rels = [
        (r.left, r.right, r.left_cardinality, r.right_cardinality)
        for r in reading.fragments
        if isinstance(r, RelationshipFragment)
    ]
    assert rels == [("A", "B", "||", "|{"), ("A", "C", "|o", "o{")]
    tables = {f.name: [c.name for c in f.columns] for f in reading.fragments if isinstance(f, TableFragment)}
    assert tables == {"A": ["id"], "B": ["id"], "C": []}
    assert reading.diagnostics == []
