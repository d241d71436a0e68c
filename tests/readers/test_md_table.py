"""Markdown column tables and index tables, as a reader of a design document sees them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import IndexTableFragment, TableFragment
from docbase.readers import md_table

from ..conftest import SEEDS_DIR


def read(text: str):
    fragments, diagnostics = [], []
    for block in split(text).blocks:
        if md_table.accepts(block):
            reading = md_table.read(block)
            fragments += reading.fragments
            diagnostics += reading.diagnostics
    return fragments, diagnostics


def table(text: str) -> TableFragment:
    fragments, _ = read(text)
    tables = [f for f in fragments if isinstance(f, TableFragment)]
    assert len(tables) == 1, fragments
    return tables[0]


def col(t: TableFragment, name: str):
    return next(c for c in t.columns if c.name == name)


BASIC = """\
### {heading}

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | UUID | PRIMARY KEY | Row id |
"""


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("1. USERS", "users"),
        ("4. WORKSPACE_INVITATIONS", "workspace_invitations"),
        ("`users` (Extended profile)", "users"),
        ("Table: users", "users"),
        ("orderItems", "orderItems"),
        ("`billing.invoices` table", "billing.invoices"),
        ("2.1) Orders — what customers bought", "Orders"),
        ("orders 🛒", "orders"),
        ("📦 Table: `line_items`:", "line_items"),
    ],
)
def test_table_name_comes_from_the_heading_above(heading: str, name: str) -> None:
    t = table(BASIC.format(heading=heading))
    assert t.name == name
    assert t.source == "column_table"
    assert t.primary_key == ("id",)


def test_a_heading_that_names_no_table_is_reported_with_the_line() -> None:
    fragments, diagnostics = read(BASIC.format(heading="Relationship Summary"))
    assert fragments == []
    assert len(diagnostics) == 1
    assert diagnostics[0].level == "warning" and diagnostics[0].line == 3
    assert "Relationship Summary" in diagnostics[0].message


def test_a_table_lead_names_the_table_when_the_heading_does_not() -> None:
    text = "## Schema\n\n**Table: accounts**\n\n| Field | Type |\n|---|---|\n| id | int |\n| owner | text |\n"
    assert table(text).name == "accounts"


def test_constraint_cells_cover_keys_nulls_defaults_and_references() -> None:
    t = table(
        """\
### 3. MEMBERSHIPS

| Column | Type | Constraints | Description |
|--------|------|-------------|-------------|
| id | VARCHAR | PRIMARY KEY | UUID |
| workspace_id | VARCHAR | FK, UNIQUE → workspaces.id (CASCADE) | One per workspace |
| user_id | VARCHAR | FK -> users(id), NULLABLE | Member |
| org_id | uuid | REFERENCES orgs(id) ON DELETE SET NULL | Org |
| team | VARCHAR | FK | Team, target not named |
| is_paid | BOOLEAN | DEFAULT FALSE | Paid? |
| kind | VARCHAR | DEFAULT 'team' | Kind |
| created_at | TIMESTAMP | DEFAULT NOW() | Created |
| updated_at | TIMESTAMP | ON UPDATE | Last update |
| email | VARCHAR(255) | UNIQUE, NOT NULL | Email |
"""
    )
    assert col(t, "id").primary_key and col(t, "id").nullable is False
    ws = col(t, "workspace_id")
    assert ws.unique and ws.references.table == "workspaces" and ws.references.columns == ("id",)
    assert ws.references.on_delete == "cascade"
    user = col(t, "user_id")
    assert (user.references.table, user.references.columns, user.nullable) == ("users", ("id",), True)
    assert col(t, "org_id").references.on_delete == "set null"
    team = col(t, "team")
    assert team.fk_marked and team.references is None
    assert col(t, "is_paid").default == "FALSE"
    assert col(t, "kind").default == "'team'"
    assert col(t, "created_at").default == "NOW()" and col(t, "created_at").nullable is None
    assert col(t, "updated_at").default is None and "on update" in col(t, "updated_at").notes
    email = col(t, "email")
    assert email.unique and email.nullable is False and email.type.length == 255
    assert col(t, "id").comment == "UUID"


def test_separate_nullable_default_and_key_columns() -> None:
    t = table(
        """\
## orders

| Field | Data type | Null | Key | Default | Notes |
|-------|-----------|------|-----|---------|-------|
| id | bigint | NO | PRI | | |
| customer_id | bigint | YES | MUL | `NULL` | |
| code | varchar(20) | ✓ | UNI | - | |
| total | numeric(10,2) | NO | | 0 | |
"""
    )
    assert col(t, "id").primary_key and col(t, "id").nullable is False
    assert col(t, "customer_id").nullable is True and col(t, "customer_id").default == "NULL"
    assert col(t, "code").unique and col(t, "code").default is None and col(t, "code").nullable is True
    assert col(t, "total").default == "0" and col(t, "total").type.precision == 10
    assert [i.columns[0].name for i in t.indexes] == ["customer_id"]


def test_one_column_per_property() -> None:
    t = table(
        """\
### posts

| Attribute | Type | PK | FK | Unique | Nullable |
|---|---|---|---|---|---|
| id | int | ✓ | | | NOT NULL |
| author_id | int | | users.id | | |
| slug | text | | | yes | no |
| editor_id | int | | ✓ | | YES |
"""
    )
    assert col(t, "id").primary_key and col(t, "id").nullable is False
    assert (col(t, "author_id").references.table, col(t, "author_id").references.columns) == ("users", ("id",))
    assert col(t, "slug").unique and col(t, "slug").nullable is False
    assert col(t, "editor_id").fk_marked and col(t, "editor_id").references is None and col(t, "editor_id").nullable


def test_required_column_means_the_opposite_of_nullable() -> None:
    t = table("### items\n\n| Name | Type | Required |\n|---|---|---|\n| sku | text | yes |\n| note | text | no |\n")
    assert col(t, "sku").nullable is False and col(t, "note").nullable is True


@pytest.mark.parametrize(
    "header",
    [
        "| Spalte | Typ | Beschreibung |",
        "| Colonne | Type | Description |",
        "| Campo | Tipo | Notas |",
        "| 列 | 型 | 説明 |",
    ],
)
def test_headers_in_other_languages(header: str) -> None:
    t = table(f"### kunden\n\n{header}\n|---|---|---|\n| id | INTEGER | x |\n| name | VARCHAR(80) | y |\n")
    assert [c.name for c in t.columns] == ["id", "name"]
    assert col(t, "name").type.name == "varchar"


def test_a_column_table_is_recognised_by_its_cells_when_headers_say_nothing() -> None:
    t = table("### widgets\n\n| A | B | C |\n|---|---|---|\n| id | UUID | key |\n| size | INTEGER | how big |\n")
    assert [(c.name, c.type.name) for c in t.columns] == [("id", "uuid"), ("size", "integer")]


def test_tables_that_are_not_column_tables_are_left_alone() -> None:
    text = "### Plans\n\n| Feature | Free | Pro |\n|---|---|---|\n| Seats | 1 | 10 |\n| Support | email | phone |\n"
    assert read(text) == ([], [])


@pytest.mark.parametrize(
    ("type_", "description", "enum", "examples"),
    [
        ("ENUM", "personal or team", ("personal", "team"), None),
        ("ENUM", "Role: OWNER or USER", ("OWNER", "USER"), None),
        ("VARCHAR", "active, disabled, error", ("active", "disabled", "error"), None),
        ("VARCHAR", "github \\| gitlab", ("github", "gitlab"), None),
        ("VARCHAR(50)", '"Free" or "Pro"', None, None),
        ("VARCHAR", 'Company domain (e.g., "acme.com")', None, ("acme.com",)),
        ("VARCHAR", "e.g. web, slack", None, ("web", "slack")),
        ("VARCHAR", "User's full name", None, None),
        ("INTEGER", "1 or 2", None, None),
        ("VARCHAR", "queued, running, ...", None, None),
        ("ENUM('a','b')", "whatever it says", ("a", "b"), None),
    ],
)
def test_value_lists_become_enums_only_when_closed(type_, description, enum, examples) -> None:
    t = table(f"### t\n\n| Column | Type | Description |\n|---|---|---|\n| c | {type_} | {description} |\n")
    assert col(t, "c").enum == enum
    assert col(t, "c").examples == examples
    assert col(t, "c").comment == description.replace("\\|", "|")


def test_null_in_a_value_list_means_nullable_not_a_value() -> None:
    t = table(
        "### t\n\n| Column | Type | Description |\n|---|---|---|\n| h | VARCHAR | healthy, failed, null (unchecked) |\n"
    )
    assert col(t, "h").enum == ("healthy", "failed") and col(t, "h").nullable is True


def test_convex_and_nosql_type_words() -> None:
    t = table(
        """\
### deployments

| Field | Type | Notes |
|---|---|---|
| _id | Id<"deployments"> | |
| userId | v.id("users") | owner |
| model | v.optional(v.string()) | |
| status | "running" \\| "stopped" | |
| tags | string[] | |
| payload | Mixed | |
"""
    )
    assert col(t, "userId").references.table == "users" and col(t, "userId").type.name == "text"
    assert col(t, "model").nullable is True and col(t, "model").type.name == "text"
    assert col(t, "status").type.name == "enum" and col(t, "status").enum == ("running", "stopped")
    assert col(t, "tags").type.name == "array" and col(t, "tags").type.item == "text"
    assert col(t, "payload").type.name == "jsonb"


def test_unknown_types_are_reported_and_enum_type_names_kept() -> None:
    fragments, diagnostics = read(
        "### t\n\n| Column | Type |\n|---|---|\n| a | uuid |\n| b | job_status |\n| c | weird type!! |\n| d | text |\n"
    )
    t = fragments[0]
    assert col(t, "b").type.name == "enum" and col(t, "b").type.enum_name == "job_status"
    assert col(t, "c").type is None
    assert [(d.level, d.line) for d in diagnostics] == [("info", 6), ("warning", 7)]


def test_type_cell_with_constraints() -> None:
    t = table("### t\n\n| Column | Type |\n|---|---|\n| id | UUID PRIMARY KEY |\n| n | VARCHAR(10) NOT NULL |\n")
    assert col(t, "id").primary_key and col(t, "n").nullable is False and col(t, "n").type.length == 10


def test_rows_without_a_readable_name_are_skipped_with_a_warning() -> None:
    fragments, diagnostics = read("### t\n\n| Column | Type |\n|---|---|\n| id | uuid |\n| two words | text |\n")
    assert [c.name for c in fragments[0].columns] == ["id"]
    assert diagnostics[0].line == 6


def test_index_table_rows_become_index_fragments() -> None:
    fragments, _ = read(
        """\
## Index Summary

| Table | Index | Fields | Purpose |
|-------|-------|--------|---------|
| users | `by_clerkId` | clerkId | Lookup |
| deployments | `by_userId_status` | userId, status | Filter |
| knowledge | `by_embedding` | embedding (vector) | Similarity search |
"""
    )
    indexes = [f.index for f in fragments if isinstance(f, IndexTableFragment)]
    assert [(i.table, i.name, [c.name for c in i.columns], i.method) for i in indexes] == [
        ("users", "by_clerkId", ["clerkId"], None),
        ("deployments", "by_userId_status", ["userId", "status"], None),
        ("knowledge", "by_embedding", ["embedding"], "vector"),
    ]
    assert indexes[0].line == 5


def test_index_table_without_a_table_column_uses_the_heading() -> None:
    fragments, _ = read("### orders\n\n| Index | Columns | Type |\n|---|---|---|\n| ix_a | created_at DESC | btree |\n")
    index = fragments[0].index
    assert (index.table, index.columns[0].desc, index.method) == ("orders", True, "btree")


def test_seed_004_index_summary_matches_the_hand_reading() -> None:
    path = SEEDS_DIR / "004_f422d86982fdc7a1.txt"
    expected = json.loads((SEEDS_DIR / "expected" / "004_f422d86982fdc7a1.json").read_text())
    fragments, diagnostics = read(path.read_text())
    assert diagnostics == []
    got: dict[str, list] = {}
    for f in fragments:
        got.setdefault(f.index.table, []).append(
            {"name": f.index.name, "columns": [c.name for c in f.index.columns], "method": f.index.method}
        )
    want = {
        name: [{k: i[k] for k in ("name", "columns", "method")} for i in t["indexes"]]
        for name, t in expected["tables"].items()
        if t["indexes"]
    }
    assert got == want


def test_seed_000_column_tables_match_the_hand_reading() -> None:
    expected = json.loads((SEEDS_DIR / "expected" / "000_33417f4944292711.json").read_text())["tables"]
    fragments, diagnostics = read((SEEDS_DIR / "000_33417f4944292711.txt").read_text())
    assert diagnostics == []
    tables = {f.name: f for f in fragments}
    assert len(tables) == 13
    for name, t in tables.items():
        want = expected[name]
        assert [c.name for c in t.columns] == list(want["columns"]), name
        assert list(t.primary_key) == want["primary_key"], name
        fks = {fk["columns"][0]: fk for fk in want["foreign_keys"]}
        for c in t.columns:
            w = want["columns"][c.name]
            assert c.type.name == w["type"], (name, c.name)
            assert c.default == w["default"], (name, c.name)
            # services.repository_id is nullable only by the ASCII box's "Optional" note, not by its table row
            if (name, c.name) != ("services", "repository_id"):
                assert c.nullable == w["nullable"], (name, c.name)
            if c.references is None:
                assert c.name not in fks, (name, c.name)
            else:
                fk = fks[c.name]
                assert (c.references.table, list(c.references.columns)) == (fk["references"], fk["ref_columns"])
                # cascade stated only in the Relationships list is prose's to give, not the row's
                assert c.references.on_delete in (fk["on_delete"], None), (name, c.name)
            want_enum = want["enums"].get(c.name)
            if c.enum is not None:
                assert want_enum and {v.lower() for v in c.enum} <= set(want_enum), (name, c.name)
            elif want_enum and want["columns"][c.name]["type"] != "enum":
                pytest.fail(f"{name}.{c.name}: expected enum {want_enum}")
        uniques = [[c.name] for c in t.columns if c.unique]
        assert all(u in want["unique"] for u in uniques), name


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=25), min_size=1, max_size=5), min_size=1, max_size=6))
def test_never_raises_on_any_table(rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    lines = [
        "| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in r + [""] * (width - len(r))) + " |"
        for r in rows
    ]
    lines.insert(1, "|" + "---|" * width)
    read("### t\n\n" + "\n".join(lines) + "\n")


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["id", "x", "Name", "ENUM", "FK →", "DEFAULT", "(", "'a'", "v.id(", "|", "e.g.", "null"]).flatmap(
        lambda w: st.lists(
            st.sampled_from([w, "uuid", "NOT NULL", "FK → t.c (CASCADE)", "a, b or c", "`x`", ")"]), max_size=6
        )
    )
)
def test_never_raises_on_cells_made_of_keywords(words: list[str]) -> None:
    cell = " ".join(words)
    read(
        f"### t\n\n| Column | Type | Constraints | Description |\n|---|---|---|---|\n| c | {cell} | {cell} | {cell} |\n"
    )


@pytest.mark.parametrize(
    ("row", "unique", "primary_key"),
    [
        ("| *(promotion_id, product_id)* | | **UK** | unique together |", (("promotion_id", "product_id"),), ()),
        ("| (`promotion_id`, `product_id`) | | PK | |", (), ("promotion_id", "product_id")),
    ],
)
def test_a_row_naming_columns_in_parentheses_is_a_composite_key(row: str, unique: tuple, primary_key: tuple) -> None:
    """The row is a key over columns the table has, not a column of its own (it was skipped with a warning)."""
    fragments, diagnostics = read(
        "### `promotion_product`\n\n| Kolom | Tipe | Key | Keterangan |\n|---|---|---|---|\n"
        "| promotion_id | BIGINT | FK → promotions | |\n| product_id | UUID | FK → products | |\n" + row + "\n"
    )
    (t,) = fragments
    assert [c.name for c in t.columns] == ["promotion_id", "product_id"]
    assert tuple(u.columns for u in t.unique) == unique and t.primary_key == primary_key
    assert [(d.level, d.line) for d in diagnostics] == [("info", 7)]


def test_a_row_naming_columns_without_a_key_is_reported() -> None:
    fragments, diagnostics = read("### `t`\n\n| Column | Type | Key |\n|---|---|---|\n| a | INT | |\n| (a, b) | | |\n")
    assert [c.name for c in fragments[0].columns] == ["a"] and not fragments[0].unique
    assert [(d.level, d.line) for d in diagnostics] == [("warning", 6)]
    assert "marks no key" in diagnostics[0].message


def test_an_index_table_named_by_index_name_column_and_kind() -> None:
    """``| インデックス名 | カラム | 種別 |`` (index name, column, kind): it was reported as a column table without
    types, so the composite UNIQUE was lost; PRIMARY KEY and INDEX are kinds, not access methods."""
    from docbase.pipeline import build_schema

    s = build_schema(
        "### t\n\n| カラム名 | データ型 |\n|---|---|\n| id | BIGINT |\n| a | TEXT |\n| b | TEXT |\n\n"
        "#### インデックス\n| インデックス名 | カラム | 種別 |\n|---|---|---|\n| PRIMARY | id | PRIMARY KEY |\n"
        "| uk_t_ab | a, b | UNIQUE |\n| idx_t_b | b | INDEX |\n"
    )
    t = s.table("t")
    assert t.primary_key == ("id",)
    assert [(i.name, i.column_names, i.unique, i.method) for i in t.indexes] == [
        ("uk_t_ab", ("a", "b"), True, None),
        ("idx_t_b", ("b",), False, None),
    ]
    assert not [d for d in s.diagnostics if d.level == "warning"]
