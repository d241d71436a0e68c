"""One naming module: every stage reads a table name the same way (issue 13)."""

from __future__ import annotations

import pathlib
import re

import pytest

from docbase.access import names as access_names
from docbase.schema.names import bare_words, key, singular, singular_words, words
from docbase.seed import names as seed_names

SINGULARS = {
    "ties": "tie",
    "categories": "category",
    "statuses": "status",
    "people": "person",
    "addresses": "address",
    "analyses": "analysis",
    "data": "data",
    "media": "media",
    "companies": "company",
    "boxes": "box",
    "status": "status",
    "users": "user",
    "ids": "ids",
}


@pytest.mark.parametrize(("plural", "expected"), sorted(SINGULARS.items()))
def test_every_stage_singularises_alike(plural: str, expected: str) -> None:
    assert singular(plural) == expected
    assert singular(plural.upper()) == expected
    assert access_names.words(plural) == (expected,)
    assert key(plural) == expected
    assert seed_names.words(plural) == (plural,)


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("organizationId", ["organization", "id"]),
        ("organization_id", ["organization", "id"]),
        ("LLMConfigStatus", ["llm", "config", "status"]),
        ("refresh_tokens", ["refresh", "tokens"]),
        ("refreshTokens", ["refresh", "tokens"]),
        ("ORDER_ITEMS_2", ["order", "items", "2"]),
    ],
)
def test_camel_and_snake_case_split_to_the_same_words(name: str, split: list[str]) -> None:
    assert words(name) == split
    assert bare_words(f"public.{name}") == tuple(split)
    assert seed_names.words(f"app.{name}") == tuple(split)
    assert singular_words(name) == tuple(singular(w) for w in split)


def test_the_stages_share_one_key_for_a_table_name() -> None:
    assert access_names.words("public.companyTies") == ("company", "tie")
    assert key("company_ties") == key("CompanyTie") == "company_tie"
    assert seed_names.is_plural("companyTies") is True
    assert seed_names.is_plural("status") is False
    assert seed_names.is_plural("data") is False


def test_no_other_module_splits_or_singularises_names() -> None:
    src = pathlib.Path(__file__).resolve().parents[2] / "src" / "docbase"
    copies = [
        str(p.relative_to(src))
        for p in sorted(src.rglob("*.py"))
        if p != src / "schema" / "names.py"
        and re.search(r"def singular\b|_CAMEL\s*=|\.findall\(part\)|singularize\(", p.read_text())
    ]
    assert copies == []
