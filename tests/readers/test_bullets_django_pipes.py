"""Bullets as some teams write them: no space after the dash with a bar before the type, Django fields,
and a table's list continued after a line of prose under the same heading."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "bullets_django_pipes.md"


def test_tight_piped_bullets_under_a_table_word_heading() -> None:
    s = load_schema(DOC)
    auto = s.table("auto")  # "struttura della tabella auto": the name after the table word
    assert [(c.name, c.type, c.nullable) for c in auto.columns] == [
        ("id", "bigint", False),
        ("marca", "varchar", False),
        ("carrozzeria", "varchar", False),
        ("potenza_CV", "smallint", True),  # a name with a space: read with _, and noted
        ("anno", "smallint", False),  # MySQL YEAR
        ("km", "integer", False),
    ]
    assert auto.primary_key == ("id",)
    assert auto.column("marca").length == 15
    assert auto.column("carrozzeria").enum == ("berlina", "SUV", "coupé")  # the values after the name
    assert auto.column("km").default == "0"  # DEFAULT(0)
    assert "spaces read as _" in " ".join(auto.column("potenza_CV").notes)


def test_django_fields_and_a_continued_list() -> None:
    s = load_schema(DOC)
    team, customer = s.table("team"), s.table("customer")
    assert (team.primary_key, team.column("id").type) == (("id",), "integer")  # "primary key / int"
    assert (team.column("username").type, team.column("username").length) == ("varchar", 50)
    assert customer.primary_key == ("id",)
    amount = customer.column("amount")
    assert (amount.type, amount.precision, amount.scale) == ("numeric", 10, 2)
    # the list after "FK: Team -> ..." continues customer's columns; ForeignKey(team) names the target
    assert [c.name for c in customer.columns] == ["id", "email", "amount", "sales_contact"]
    assert [(fk.columns, fk.ref_table) for fk in customer.foreign_keys] == [(("sales_contact",), "team")]
    assert any(d.line == 25 and "continues the table's description" in d.message for d in s.diagnostics)
    assert not [d for d in s.diagnostics if d.level == "error"]


def test_key_words_before_the_type_and_fk_to_in_indonesian() -> None:
    categories = load_schema(DOC).table("Categories")
    assert categories.primary_key == ("category_id",)
    assert categories.column("category_id").type == "uuid"  # "(PRIMARY KEY, UUID)": the type after the key
    assert [(fk.columns, fk.ref_table) for fk in categories.foreign_keys] == [(("team_id",), "team")]  # "ke": to
