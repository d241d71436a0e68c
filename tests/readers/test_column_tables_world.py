"""Column tables in fourteen languages, with names in headings, flags, spelled-out keys and side lines.

The document is ``docs/column_tables_world.md``; each table there exercises one
way teams write column tables (the header words come from headers.toml).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from docbase.readers._values import read_values

DOC = Path(__file__).parent / "docs" / "column_tables_world.md"


def facts(table):
    return (
        table.primary_key,
        [u.columns for u in table.unique],
        [(fk.columns, fk.ref_table, fk.ref_columns) for fk in table.foreign_keys],
        [(c.name, c.type, c.nullable, c.enum) for c in table.columns],
    )


def test_every_table_is_read_with_its_name_from_the_heading() -> None:
    s = load_schema(DOC)
    assert [(t.name, t.line) for t in s.tables] == [
        ("khach_hang", 5),  # ## Bảng `khach_hang`
        ("заказы", 12),  # ## Таблица заказы
        ("users", 19),  # ### 1. User table (users)
        ("products", 26),  # ## 테이블 products
        ("categories", 33),  # ## 表 categories
        ("Clientes", 40),  # *Tabla Clientes* (an emphasised lead)
        ("pedidos", 47),  # ## Tabela `pedidos`
        ("ordini_righe", 55),
        ("siparisler", 62),  # ## siparisler Tablosu
        ("płatności", 69),
        ("kunden_adressen", 76),
        ("factures", 86),  # no outer pipes
        ("employees", 93),  # ## جدول الموظفين (employees)
        ("pelanggan", 100),
        ("sessions", 109),  # no header row
        ("автор", 116),  # PKey / FKey / Uniq columns of + and -
    ]
    assert [(d.level, d.line) for d in s.diagnostics] == [("warning", 55)]  # ordini_righe states no key


def test_constraint_cells_flags_and_value_lists() -> None:
    s = load_schema(DOC)
    assert facts(s.table("khach_hang")) == (
        ("id",),
        [("email",)],
        [],
        [("id", "integer", False, None), ("email", "varchar", False, None)],
    )
    assert facts(s.table("заказы"))[0:3] == (("id",), [], [(("khach_hang_id",), "khach_hang", ("id",))])
    assert facts(s.table("users"))[3] == [("id", "bigint", False, None), ("nickname", "varchar", True, None)]
    assert facts(s.table("products"))[3] == [("id", "bigint", False, None), ("name", "varchar", False, None)]
    assert facts(s.table("categories"))[0] == ("id",)
    assert s.table("categories").column("title").nullable is True
    assert s.table("Clientes").column("pais").enum == ("es", "fr", "pt")
    assert facts(s.table("pedidos"))[2] == [(("cliente_id",), "Clientes", ("id",))]
    assert s.table("pedidos").column("estado").enum == ("aberto", "pago", "enviado")
    assert facts(s.table("ordini_righe"))[2] == [(("pedido_id",), "pedidos", ("id",))]
    assert s.table("siparisler").column("durum").enum == ("beklemede", "onaylandi", "iptal")
    assert facts(s.table("płatności"))[3] == [("id", "integer", False, None), ("kwota", "numeric", False, None)]
    assert facts(s.table("factures"))[0:2] == (("id",), [("numero",)])
    assert facts(s.table("sessions")) == (
        ("id",),
        [("token",)],
        [(("user_id",), "users", ("id",))],
        [("id", "uuid", False, None), ("token", "text", None, None), ("user_id", "bigint", None, None)],
    )


def test_side_lines_under_a_table_in_any_language() -> None:
    s = load_schema(DOC)
    assert [u.columns for u in s.table("kunden_adressen").unique] == [("kunde_id", "strasse")]
    assert [u.columns for u in s.table("pelanggan").unique] == [("status", "id")]
    assert s.table("pelanggan").column("status").enum == ("aktif", "nonaktif")


@pytest.mark.parametrize(
    ("description", "enum"),
    [
        ("PENDING / PAID / CANCELLED", ("PENDING", "PAID", "CANCELLED")),  # constants in capitals
        ("draft, sent or paid", ("draft", "sent", "paid")),
        ("Values: NEW_ORDER, SHIPPED", ("NEW_ORDER", "SHIPPED")),
        ("CCCD/CMND", None),  # short capitals are acronyms, not a set of codes
        ("Active / Inactive", None),  # capitalised words are display names
    ],
)
def test_value_lists_in_description_cells(description: str, enum) -> None:
    assert read_values(description, "varchar").enum == enum


def test_a_table_of_tables_with_field_lists_gives_untyped_tables_below_fuller_descriptions() -> None:
    s = load_schema(Path(__file__).parent / "docs" / "table_of_tables.md")
    assert [(c.name, c.type, c.inferred) for c in s.table("users").columns] == [
        ("id", "bigint", True),
        ("name", "text", True),
        ("phone", "text", True),
    ]
    # the column table for orders is the fuller description: its columns and types win, paid_at included
    assert [(c.name, c.type) for c in s.table("orders").columns] == [
        ("id", "bigint"),
        ("user_id", "bigint"),
        ("total", "numeric"),
        ("status", "varchar"),
        ("paid_at", "timestamptz"),
    ]
    assert [t.name for t in s.tables] == ["users", "orders"]
    assert [(d.line, d.message.split(";")[0]) for d in s.diagnostics if "table of tables" in d.message] == [
        (9, "this row of the table of tables names no table or lists no columns")
    ]


def test_a_table_named_in_an_orm_class_section_by_a_table_lead() -> None:
    from docbase.pipeline import build_schema

    s = build_schema(
        "### class User(Base)\n\n**Table:** `users`\n\n| Column | Type | Notes |\n|---|---|---|\n"
        "| id | Integer | PK |\n| email | String(255) | unique |\n"
    )
    assert [(t.name, t.primary_key, [u.columns for u in t.unique]) for t in s.tables] == [
        ("users", ("id",), [("email",)])
    ]


def test_plus_minus_key_columns_and_comparisons_in_a_constraints_cell() -> None:
    t = load_schema(DOC).table("автор")
    assert (t.primary_key, [u.columns for u in t.unique]) == (("id_author",), [("name",)])
    assert [(c.name, c.check) for c in t.columns] == [
        ("id_author", "id_author > 0"),  # ">0" in the Constraints cell
        ("name", None),
        ("price", "price >= 0"),
    ]
