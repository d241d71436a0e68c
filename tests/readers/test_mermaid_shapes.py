"""Mermaid erDiagrams as people write them: key lists, pseudo-attributes, sized types, comments, words."""

from __future__ import annotations

from docbase.document import Block
from docbase.fragments import RelationshipFragment, TableFragment
from docbase.pipeline import build_schema
from docbase.readers import mermaid

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


FLOWCHART = """# SaaS

```mermaid
graph TB
    subgraph "Core"
        T[tenants]
        U[users]
    end
    T -->|1:N| U
    BE -->|extends| U
```

```mermaid
graph LR
    subgraph "tenants"
        T_id[id: uuid PK]
        T_slug[slug: string UK]
    end
    subgraph "users"
        U_id[id: uuid PK]
        U_tenant[tenantId: uuid FK]
        U_email["email: varchar(255) UK"]
    end
```

```mermaid
graph TD
    A[Start] --> B[Stop]
```
"""


def test_flowchart_subgraphs_of_column_nodes_are_tables():
    schema = build_schema(FLOWCHART)
    assert [(t.name, t.primary_key) for t in schema.tables] == [("tenants", ("id",)), ("users", ("id",))]
    users = schema.table("users")
    assert [(c.name, c.type, c.length) for c in users.columns] == [
        ("id", "uuid", None),
        ("tenantId", "uuid", None),
        ("email", "varchar", 255),
    ]
    assert [(fk.columns, fk.ref_table) for fk in users.foreign_keys] == [(("tenantId",), "tenants")]
    assert [u.columns for u in schema.table("tenants").unique] == [("slug",)]
    assert [d.level for d in schema.diagnostics] == ["info"]  # the FK target, told from the 1:N edge / name


def test_an_fk_whose_target_is_only_in_a_relationship_line():
    doc = (
        "```mermaid\nerDiagram\n  CUSTOMER {\n    int id PK\n  }\n  INVOICE {\n    int id PK\n    int payer FK\n  }\n"
        "  CUSTOMER ||--o{ INVOICE : pays\n```\n"
    )
    schema = build_schema(doc)
    assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in schema.table("INVOICE").foreign_keys] == [
        (("payer",), "CUSTOMER", ("id",))
    ]
    assert [(d.level, d.line, d.message) for d in schema.diagnostics] == [
        ("info", 8, "INVOICE.payer references CUSTOMER (the one related table no other column references)")
    ]


PRISMA_ERD = """```mermaid
erDiagram

        Status {
            OPEN OPEN
CLOSED CLOSED
        }

  "Ticket" {
    Int id "🗝️"
    String title
    Status status
    DateTime closedAt "❓"
    }

    "Ticket" |o--|| "Status" : "enum:status"
```
"""


def test_prisma_erd_generator_enums_keys_and_optional_markers():
    schema = build_schema(PRISMA_ERD)
    assert [t.name for t in schema.tables] == ["Ticket"]
    ticket = schema.table("Ticket")
    assert ticket.primary_key == ("id",)
    assert [(c.name, c.type, c.nullable, c.enum) for c in ticket.columns] == [
        ("id", "integer", False, None),
        ("title", "text", None, None),
        ("status", "enum", None, ("OPEN", "CLOSED")),
        ("closedAt", "timestamp", True, None),
    ]
    assert [d for d in schema.diagnostics if d.level == "warning"] == []
