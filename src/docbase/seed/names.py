"""What a column's name says about its values: ``createdByUserId`` and ``created_by_user_id`` alike.

Seed data is realistic only when ``email`` holds emails and ``slug`` holds
slugs, so names are split into lower-case words once and matched against
small vocabularies. The table's own words matter too: ``name`` is a person
in ``users`` and a company in ``organizations``.
"""

from __future__ import annotations

import re

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

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


def words(name: str) -> tuple[str, ...]:
    """``schema.camelCase_name`` -> lower-case words, schema prefix dropped (no singularising)."""
    name = name.rsplit(".", 1)[-1]
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(w.lower() for w in _CAMEL.findall(part))
    return tuple(out)


def has(ws: tuple[str, ...], *vocabulary: str) -> bool:
    return any(w in vocabulary for w in ws)


def is_plural(name: str) -> bool:
    """``artifactPaths``, ``tags``: the last word is plural (a list, when the type allows one)."""
    ws = words(name)
    if not ws:
        return False
    last = ws[-1]
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is", "status"))


def table_kind(table: str) -> str:
    """``person``, ``company`` or ``thing``: what a bare ``name`` column in this table means."""
    ws = set(words(table))
    if ws & PERSON_TABLES:
        return "person"
    if ws & COMPANY_TABLES:
        return "company"
    return "thing"
