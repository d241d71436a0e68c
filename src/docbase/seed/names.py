"""What a column's name says about its values: ``createdByUserId`` and ``created_by_user_id`` alike.

Seed data is realistic only when ``email`` holds emails and ``slug`` holds
slugs, so names are split into lower-case words (by ``schema.names``) and matched against
small vocabularies. The table's own words matter too: ``name`` is a person
in ``users`` and a company in ``organizations``.
"""

from __future__ import annotations

from ..schema.names import bare_words as words
from ..schema.names import singular

PERSON_TABLES = frozenset(
    {
        "user",
        "users",
        "profile",
        "profiles",
        "member",
        "members",
        "customer",
        "customers",
        "person",
        "people",
        "author",
        "authors",
        "contact",
        "contacts",
        "employee",
        "employees",
    }
)
COMPANY_TABLES = frozenset(
    {
        "organization",
        "organizations",
        "org",
        "orgs",
        "company",
        "companies",
        "workspace",
        "workspaces",
        "team",
        "teams",
        "tenant",
        "tenants",
        "account",
        "accounts",
    }
)


def has(ws: tuple[str, ...], *vocabulary: str) -> bool:
    return any(w in vocabulary for w in ws)


def is_plural(name: str) -> bool:
    """``artifactPaths``, ``tags``: the last word is plural (a list, when the type allows one)."""
    ws = words(name)
    if not ws:
        return False
    return singular(ws[-1]) != ws[-1]


def table_kind(table: str) -> str:
    """``person``, ``company`` or ``thing``: what a bare ``name`` column in this table means."""
    ws = set(words(table))
    if ws & PERSON_TABLES:
        return "person"
    if ws & COMPANY_TABLES:
        return "company"
    return "thing"
