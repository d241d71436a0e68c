"""Mermaid erDiagram reader: entities, attributes, comments, relationships, bad lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import RelationshipFragment, TableFragment
from docbase.readers import mermaid
from docbase.readers.registry import read_block
from docbase.readers.types import parse_type

from ..conftest import expected_tables, seed_file


def read(text: str, fenced: bool = True):
    doc = split(f"# Schema\n\n```mermaid\n{text}\n```\n" if fenced else f"# Schema\n\n{text}\n")
    blocks = [b for b in doc.blocks if mermaid.accepts(b)]
    assert len(blocks) == 1
    return mermaid.read(blocks[0])


def tables(reading) -> dict[str, TableFragment]:
    return {f.name: f for f in reading.fragments if isinstance(f, TableFragment)}


def relationships(reading) -> list[RelationshipFragment]:
    return [f for f in reading.fragments if isinstance(f, RelationshipFragment)]


def columns(table: TableFragment) -> dict:
    return {c.name: c for c in table.columns}


def test_accepts_fenced_and_bare_diagrams_only():
    doc = split(
        "```mermaid\nerDiagram\n  a {\n int id\n }\n```\n\n"
        "```mermaid\nflowchart LR\n  a --> b\n```\n\n"
        "erDiagram\n  b ||--o{ c : has\n\n"
        "```sql\nerDiagram\n```\n"
    )
    accepted = [b for b in doc.blocks if mermaid.accepts(b)]
    assert [b.line for b in accepted] == [2, 13]


def test_entity_attributes_types_and_keys():
    r = read(
        """erDiagram
    orders {
        uuid id PK
        varchar(255) email UK
        decimal(10,2) total
        decimal(12, 4) tax
        string[] tags
        uuid customer_id FK
        int a_b PK, FK
    }"""
    )
    assert r.diagnostics == []
    orders = tables(r)["orders"]
    assert orders.line == 5 and orders.source == "mermaid" and orders.section == ("Schema",)
    cols = columns(orders)
    assert list(cols) == ["id", "email", "total", "tax", "tags", "customer_id", "a_b"]
    assert cols["id"].primary_key and cols["id"].nullable is False and cols["id"].line == 6
    assert cols["email"].unique and cols["email"].type.name == "varchar" and cols["email"].type.length == 255
    assert (cols["total"].type.name, cols["total"].type.precision, cols["total"].type.scale) == ("numeric", 10, 2)
    assert (cols["tax"].type.precision, cols["tax"].type.scale) == (12, 4)
    assert (cols["tags"].type.name, cols["tags"].type.item) == ("array", "text")
    assert cols["customer_id"].fk_marked and not cols["customer_id"].primary_key
    assert cols["a_b"].fk_marked and cols["a_b"].primary_key
    assert orders.primary_key == ("id", "a_b")
    assert cols["total"].nullable is None  # Mermaid does not say


def test_comments_enum_examples_reference_optional():
    r = read(
        """erDiagram
    users {
        string role "user | admin"
        string tier "Tier: free | pro | null"
        string slug "e.g. postiz, image-gen"
        string kind "eg. a | b"
        string stage "draft | review | ..."
        string owner_id FK "users._id via clerkId"
        string team_id "references teams(id)"
        string org_id "-> orgs.id"
        string cron "optional cron expression"
        string label "display name"
    }"""
    )
    cols = columns(tables(r)["users"])
    assert cols["role"].enum == ("user", "admin") and cols["role"].comment == "user | admin"
    assert cols["tier"].enum == ("free", "pro") and cols["tier"].nullable is True
    assert cols["slug"].examples == ("postiz", "image-gen") and cols["slug"].enum is None
    assert cols["kind"].enum is None and cols["kind"].examples == ("a", "b")
    assert cols["stage"].enum is None and cols["stage"].examples == ("draft", "review")
    assert (cols["owner_id"].references.table, cols["owner_id"].references.columns) == ("users", ("_id",))
    assert (cols["team_id"].references.table, cols["team_id"].references.columns) == ("teams", ("id",))
    assert (cols["org_id"].references.table, cols["org_id"].references.columns) == ("orgs", ("id",))
    assert cols["cron"].nullable is True and cols["cron"].comment == "optional cron expression"
    assert cols["label"].enum is None and cols["label"].references is None and cols["label"].comment == "display name"


def test_a_dotted_comment_is_a_reference_only_on_an_fk_column():
    cols = columns(tables(read('erDiagram\n  t {\n    string file "config.json path"\n  }'))["t"])
    assert cols["file"].references is None


@pytest.mark.parametrize(
    ("spec", "left", "right"),
    [
        ("||--o{", "||", "o{"),
        ("|o--o|", "|o", "o|"),
        ("}o..o{", "}o", "o{"),
        ("}|--|{", "}|", "|{"),
        ("o|--|o", "|o", "o|"),
        ("1 to zero or more", "||", "o{"),
        ("only one optionally to one or many", "||", "|{"),
        ("zero or one to many(1)", "|o", "|{"),
        ("one or zero to 0+", "|o", "o{"),
        ("1+ to zero or many", "}|", "o{"),
    ],
)
def test_relationship_cardinalities(spec, left, right):
    rel = relationships(read(f"erDiagram\n  CAR {spec} NAMED-DRIVER : allows"))[0]
    assert (rel.left, rel.right, rel.left_cardinality, rel.right_cardinality) == ("CAR", "NAMED-DRIVER", left, right)
    assert rel.label == "allows" and rel.source == "mermaid" and rel.line == 5


def test_relationship_labels_comments_direction_and_relationship_only_entities():
    r = read(
        """---
title: Shop
---
erDiagram
    %% the customer side
    direction LR
    customer ||--o{ order : "places many" %% trailing comment
    order }|..|{ "line item" : contains

    customer {
        int id PK
    }
    classDef big fill:#f9f
    style customer fill:#eee
"""
    )
    assert r.diagnostics == []
    rels = relationships(r)
    assert [(x.left, x.right, x.label, x.line) for x in rels] == [
        ("customer", "order", "places many", 10),
        ("order", "line item", "contains", 11),
    ]
    found = tables(r)
    assert set(found) == {"customer", "order", "line item"}
    assert found["order"].columns == () and found["order"].line == 10
    assert list(columns(found["customer"])) == ["id"]


def test_alias_quoted_names_and_one_line_entities():
    r = read('erDiagram\n  p["Person"] {\n    string name\n  }\n  "Order Item" { int qty }\n  empty { }')
    assert r.diagnostics == []
    found = tables(r)
    assert found["p"].comment == "Person" and list(columns(found["p"])) == ["name"]
    assert list(columns(found["Order Item"])) == ["qty"]
    assert found["empty"].columns == ()


def test_unknown_types_become_enum_or_text_with_a_warning():
    r = read(
        "erDiagram\n  t {\n    OrderStatus status\n    user_role role\n    tsvector search\n    enum(a, b) kind\n  }"
    )
    cols = columns(tables(r)["t"])
    assert (cols["status"].type.name, cols["status"].type.enum_name) == ("enum", "OrderStatus")
    assert (cols["role"].type.name, cols["role"].type.enum_name) == ("enum", "user_role")
    assert (cols["search"].type.name, cols["search"].type.raw) == ("text", "tsvector")
    assert cols["kind"].type.name == "enum" and cols["kind"].enum == ("a", "b")
    assert [(d.level, d.line) for d in r.diagnostics] == [("warning", 8)]
    assert "tsvector" in r.diagnostics[0].message


def test_bad_lines_are_reported_and_the_rest_is_read():
    r = read(
        """erDiagram
    users {
        uuid id PK
        this is not = an attribute
        text email
    }
    users ||--o{ posts
    users ~~~ posts : broken
    posts {
        uuid id PK
"""
    )
    errors = [(d.level, d.line) for d in r.diagnostics]
    assert ("warning", 7) in errors  # the bad attribute
    assert ("warning", 11) in errors  # the bad relationship line
    assert ("warning", 12) in errors  # posts { is never closed
    assert list(columns(tables(r)["users"])) == ["id", "email"]
    assert list(columns(tables(r)["posts"])) == ["id"]
    assert [(x.left, x.right, x.label) for x in relationships(r)] == [("users", "posts", None)]


def test_a_missing_closing_brace_is_reported_at_the_entity():
    r = read("erDiagram\n  a {\n    int id PK\n  b {\n    int id PK\n  }\n  a ||--o{ b : has")
    assert [(d.level, d.line) for d in r.diagnostics] == [("warning", 5)]
    assert set(tables(r)) == {"a", "b"} and len(relationships(r)) == 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                ["{", "}", "a {", "int id PK", '"x', "a ||--o{ b", ": l", "%%", "u", "---", "accDescr {", "p[", "]"]
            ),
        ),
        max_size=12,
    )
)
def test_never_raises(lines):
    block_text = "erDiagram\n" + "\n".join(lines)
    reading = mermaid.read(split("```mermaid\n" + block_text + "\n```").blocks[0])
    assert all(d.line >= 1 for d in reading.diagnostics)


@pytest.mark.parametrize("seed", [seed_file("003"), seed_file("004")], ids=["003", "004"])
def test_seed_entities_attributes_markers_and_enums(seed):
    expected = expected_tables(seed)
    doc = split(seed.read_text())
    readings = [read_block(b, [mermaid]) for b in doc.blocks if mermaid.accepts(b)]
    assert readings and all(r.diagnostics == [] for r in readings)
    found = {f.name: f for r in readings for f in r.fragments if isinstance(f, TableFragment)}
    assert set(found) == set(expected)
    for name, table in expected.items():
        cols = columns(found[name])
        assert list(cols) == list(table["columns"]), name
        assert list(found[name].primary_key) == table["primary_key"], name
        for col_name, col in table["columns"].items():
            assert cols[col_name].type.name == parse_type(col["type"]).name, (name, col_name)
            assert cols[col_name].nullable == col["nullable"], (name, col_name)
        assert {c.name for c in cols.values() if c.fk_marked} == {fk["columns"][0] for fk in table["foreign_keys"]}
        assert {(c.name,) for c in cols.values() if c.unique} == {tuple(u) for u in table["unique"]}
        assert {c.name: list(c.enum) for c in cols.values() if c.enum} == table["enums"], name
        assert {c.name: list(c.examples) for c in cols.values() if c.examples} == table.get("examples", {}), name


def test_seed_004_relationships_and_stated_reference():
    doc = split(seed_file("004").read_text())
    reading = mermaid.read(next(b for b in doc.blocks if mermaid.accepts(b)))
    rels = relationships(reading)
    assert len(rels) == 11
    assert ("users", "subscriptions", "||", "o|", "has") in {
        (r.left, r.right, r.left_cardinality, r.right_cardinality, r.label) for r in rels
    }
    user_id = columns(tables(reading)["deployments"])["userId"]
    assert (user_id.references.table, user_id.references.columns) == ("users", ("_id",))
