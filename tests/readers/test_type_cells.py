"""Type cells that carry more than a type: ``pk(INT)``, ``fk(INT)`` (a key marker wrapped around the type)."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "type_cells.md"


def test_key_wrapped_types_mark_keys_and_keep_the_type() -> None:
    s = load_schema(DOC)
    carts, owners = s.table("carts"), s.table("owners")
    assert (carts.primary_key, owners.primary_key) == (("id",), ("id",))
    assert [(c.name, c.type) for c in carts.columns] == [
        ("id", "integer"),
        ("owner_id", "integer"),
        ("label", "varchar"),
    ]
    assert owners.column("id").type == "uuid"
    # fk(INT) names no target: the schema stage takes it from the column's name, and says so
    assert [(fk.columns, fk.ref_table) for fk in carts.foreign_keys] == [(("owner_id",), "owners")]
    assert [(fk.columns, fk.ref_table) for fk in owners.foreign_keys] == [(("cart_id",), "carts")]
    # "sub_category" names subcategories (word breaks are spelling), not categories by its last word
    assert [(fk.columns, fk.ref_table) for fk in s.table("categories").foreign_keys] == [
        (("sub_category_id",), "subcategories")
    ]
    assert not [d for d in s.diagnostics if d.level != "info"]


def test_rails_readme_tables_glued_table_word_and_options() -> None:
    s = load_schema(DOC.with_name("rails_and_shared_rows.md"))
    members = s.table("members")  # "membersテーブル": the table word glued to the name
    email, nickname, cart = members.columns
    assert (email.nullable, nickname.nullable) == (False, False)  # "null: false"
    assert [u.columns for u in members.unique] == [("email",)]  # "unique:true"
    assert (cart.type, cart.nullable) == ("bigint", False)  # Rails `references`: a bigint reference


def test_one_row_naming_several_columns_gives_each() -> None:
    s = load_schema(DOC.with_name("rails_and_shared_rows.md"))
    assert [(c.name, c.type) for c in s.table("produk").columns] == [
        ("id", "uuid"),
        ("nama", "varchar"),
        ("created_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("width", "integer"),
        ("height", "integer"),
    ]


def test_a_description_that_starts_with_a_constraint_word() -> None:
    products = load_schema(DOC).table("products")
    assert [u.columns for u in products.unique] == [("uuid",)]  # "unique, route key"; not "Unique identifier, …"
