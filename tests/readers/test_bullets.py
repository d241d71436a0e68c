"""Bullet lists that define columns."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import ConstraintFragment, TableFragment
from docbase.readers import bullets

from ..conftest import SEEDS_DIR


def read(text: str):
    fragments, diagnostics = [], []
    for block in split(text).blocks:
        if bullets.accepts(block):
            reading = bullets.read(block)
            fragments += reading.fragments
            diagnostics += reading.diagnostics
    return fragments, diagnostics


def tables(text: str) -> dict[str, TableFragment]:
    return {f.name: f for f in read(text)[0] if isinstance(f, TableFragment)}


def col(t: TableFragment, name: str):
    return next(c for c in t.columns if c.name == name)


def test_colon_form_with_constraint_words() -> None:
    t = tables(
        """\
### 1. `organizations`

* `id`: UUID, Primary Key, Default: `gen_random_uuid()`
* `name`: VARCHAR(100), Not Null, Unique
* `website`: VARCHAR(500), Nullable
* `is_active`: BOOLEAN, Not Null, Default: `true`
* `currency`: VARCHAR(3), Not Null, Default: 'USD'
* `price`: INTEGER, Not Null, Comment: 'Price in cents'
* `created_at`: TIMESTAMP with timezone, Not Null, Default: `NOW()`
* `parent_id`: UUID, Nullable, Foreign Key to `organizations.id`
"""
    )["organizations"]
    assert t.source == "bullets" and t.primary_key == ("id",) and t.line == 3
    assert col(t, "id").default == "gen_random_uuid()" and col(t, "id").nullable is False
    assert col(t, "name").unique and col(t, "name").type.length == 100
    assert col(t, "website").nullable is True
    assert col(t, "is_active").default == "true"
    assert col(t, "currency").default == "'USD'"
    assert col(t, "price").comment == "Price in cents"
    assert col(t, "created_at").type.name == "timestamptz"
    ref = col(t, "parent_id").references
    assert (ref.table, ref.columns) == ("organizations", ("id",))


def test_example_lists_are_examples_never_enums() -> None:
    t = tables("### subs\n\n- `status`: VARCHAR(50), Not Null (e.g., 'trial', 'active')\n- `id`: UUID, Primary Key\n")[
        "subs"
    ]
    status = col(t, "status")
    assert status.examples == ("trial", "active") and status.enum is None and status.nullable is False


def test_parenthetical_prose_is_a_comment() -> None:
    t = tables("### tx\n\n- `amount`: INTEGER, Not Null (positive for credits added)\n- `id`: UUID, PK\n")["tx"]
    assert col(t, "amount").comment == "positive for credits added"


def test_schema_list_nested_in_a_description_list() -> None:
    text = """\
### 2. `roles`

*   **Description:** Defines roles.
*   **Schema:**
    *   `id`: UUID, Primary Key
    *   `name`: VARCHAR(50), Not Null, Unique
*   **Capabilities (from `rbac/roles/service.py`):**
    *   Create new roles.
    *   Delete roles (also handles associated `user_roles`).
"""
    t = tables(text)["roles"]
    assert [c.name for c in t.columns] == ["id", "name"]
    assert t.comment == "Defines roles."


@pytest.mark.parametrize(
    "item",
    [
        "- email (varchar(255), unique, not null) - where we write",
        "- email: varchar(255), unique, not null",
        "- email VARCHAR(255) UNIQUE NOT NULL",
    ],
)
def test_three_shapes_of_a_column_item(item: str) -> None:
    t = tables(f"## users\n\n- id (uuid, PK)\n{item}\n")["users"]
    email = col(t, "email")
    assert (email.type.name, email.type.length, email.unique, email.nullable) == ("varchar", 255, True, False)
    assert col(t, "id").primary_key


def test_parenthesised_flags_are_constraints() -> None:
    t = tables("### users\n\n- email: string (required) - where we write\n- id: uuid (PK)\n- bio: text (optional)\n")[
        "users"
    ]
    assert col(t, "email").nullable is False and col(t, "email").comment == "where we write"
    assert col(t, "id").primary_key and col(t, "bio").nullable is True


def test_parent_bullets_name_their_tables() -> None:
    text = """\
## Data model

- **Table: users**
  - id: uuid, primary key
  - email: text, unique
- `posts` table
  - id: uuid, primary key
  - author_id: uuid, references users(id) on delete cascade
"""
    found = tables(text)
    assert set(found) == {"users", "posts"}
    ref = col(found["posts"], "author_id").references
    assert (ref.table, ref.columns, ref.on_delete) == ("users", ("id",), "cascade")


def test_a_table_lead_names_the_table() -> None:
    assert set(tables("## Schema\n\n**Table: accounts**\n\n- id: bigint, PK\n- owner: text\n")) == {"accounts"}


def test_convex_field_lists() -> None:
    t = tables(
        '### messages\n\n- `channel`: v.id("channels")\n- `body`: v.string()\n- `editedAt`: v.optional(v.number())\n'
    )["messages"]
    assert col(t, "channel").references.table == "channels"
    assert col(t, "editedAt").nullable is True and col(t, "editedAt").type.name == "float"


@pytest.mark.parametrize(
    "text",
    [
        "### Key Features\n\n- **Multi-tenant Architecture**: Organizations contain projects\n- **Audit Trail**: Complete audit logging\n",
        "### Sprint 1\n\n- users, workspaces, workspace_members\n- Basic RLS policies\n",
        "### Notes\n\n- Text fields are trimmed\n- Date columns use UTC\n",
        "### Role Hierarchy\n\n- **Organization Level**: `org_owner`, `org_admin`\n- **Project Level**: `project_admin`\n",
    ],
)
def test_prose_lists_are_not_column_lists(text: str) -> None:
    assert not any(bullets.accepts(b) for b in split(text).blocks)


def test_unreadable_item_in_a_column_list_is_reported() -> None:
    fragments, diagnostics = read("### t\n\n- id: uuid, PK\n- name: text\n- price: ???, Not Null\n- body: text\n")
    assert [c.name for c in fragments[0].columns] == ["id", "name", "body"]
    assert [(d.level, d.line) for d in diagnostics] == [("warning", 5)]


def test_no_table_name_is_a_warning() -> None:
    fragments, diagnostics = read("## Table Descriptions\n\n- id: uuid, PK\n- name: text\n")
    assert fragments == [] and diagnostics[0].line == 3 and "no table name" in diagnostics[0].message


def test_constraints_inside_a_column_list_are_still_read() -> None:
    fragments, _ = read(
        "### members\n\n- **Columns:**\n  - user_id: uuid\n  - org_id: uuid\n- **Constraints:**\n  - UNIQUE(user_id, org_id)\n"
    )
    constraint = next(f for f in fragments if isinstance(f, ConstraintFragment))
    assert (constraint.table, constraint.kind, constraint.columns) == ("members", "unique", ("user_id", "org_id"))


def test_seed_002_matches_the_hand_reading() -> None:
    expected = json.loads((SEEDS_DIR / "expected" / "002_e7a1635b430f2a63.json").read_text())["tables"]
    fragments, diagnostics = read((SEEDS_DIR / "002_e7a1635b430f2a63.txt").read_text())
    assert diagnostics == []
    found = {f.name: f for f in fragments if isinstance(f, TableFragment)}
    assert set(found) == set(expected)
    for name, want in expected.items():
        t = found[name]
        assert [c.name for c in t.columns] == list(want["columns"]), name
        assert list(t.primary_key) == want["primary_key"], name
        got_fks = [
            {
                "columns": [c.name],
                "references": c.references.table,
                "ref_columns": list(c.references.columns),
                "on_delete": None,
            }
            for c in t.columns
            if c.references is not None
        ]
        assert got_fks == want["foreign_keys"], name
        assert [[c.name] for c in t.columns if c.unique] == want["unique"], name
        for c in t.columns:
            w = want["columns"][c.name]
            assert (c.type.name, c.nullable, c.default) == (w["type"], w["nullable"], w["default"]), (name, c.name)
            assert c.enum is None, (name, c.name)
            assert c.examples == tuple(want.get("examples", {}).get(c.name, ())) or (
                c.examples is None and c.name not in want.get("examples", {})
            ), (name, c.name)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.text(max_size=40)), min_size=1, max_size=8))
def test_never_raises_on_any_list(items: list[tuple[int, str]]) -> None:
    lines = ["  " * depth + "- " + text.replace("\n", " ") for depth, text in items]
    read("### t\n\n" + "\n".join(lines) + "\n")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "`id`:",
                "id",
                "(",
                ")",
                "UUID",
                "Not Null",
                ",",
                "Default:",
                "`x`",
                "e.g.,",
                "'a'",
                "Foreign Key to",
                "→",
                "v.id(",
                '"u"',
            ]
        ),
        min_size=1,
        max_size=10,
    )
)
def test_never_raises_on_keyword_soup(words: list[str]) -> None:
    item = " ".join(words)
    read(f"### t\n\n- {item}\n- {item}\n- id: uuid\n")


def test_a_bare_name_beside_columns_is_said_not_dropped():
    from docbase.pipeline import build_schema

    doc = "# School\n\n## Class\n- Title\n- Teacher name\n- Room number\n"
    schema = build_schema(doc)
    said = [d for d in schema.diagnostics if "'Title'" in d.message]
    assert [(d.level, d.line) for d in said] == [("warning", 4)]
    assert "give it a type (`Title: TEXT`)" in said[0].message
