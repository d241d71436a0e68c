"""Membership roles and their order: ``owner`` > ``admin`` > ``member``/``user``/``editor`` > ``viewer``.

Role values come from the role column's enum or CHECK list when the document
gives one; otherwise from the default vocabulary below, which also knows the
scoped spellings (``org_owner`` > ``org_admin`` > ``project_admin`` > ...).
A value is placed by its words, so ``billing_admin`` is an admin and
``guest`` a reader; an organisation-wide role outranks a project one.
"""

from __future__ import annotations

import re

from .model import LEVELS, Role
from .names import words

DEFAULT_ROLES: tuple[str, ...] = (
    "org_owner",
    "owner",
    "org_admin",
    "admin",
    "project_admin",
    "project_editor",
    "editor",
    "member",
    "user",
    "project_viewer",
    "viewer",
)

_LEVEL_WORDS = {
    "owner": {"owner", "founder", "superadmin", "root"},
    "admin": {"admin", "administrator", "manager", "maintainer"},
    "reader": {"viewer", "reader", "guest", "readonly", "observer", "read", "auditor", "billing"},
}
_BROAD = ("org", "organization", "workspace", "team", "tenant", "account", "company")


def level_of(name: str) -> str:
    w = set(words(name))
    for level in ("owner", "admin", "reader"):
        if w & _LEVEL_WORDS[level]:
            return level
    return "writer"


def _breadth(name: str) -> int:
    w = words(name)
    if w and w[0] in _BROAD:
        return 0
    return 1 if len(w) == 1 else 2


def order_roles(names: tuple[str, ...] | list[str]) -> tuple[Role, ...]:
    """Highest first: by level, then organisation-wide before project-scoped, then as written."""
    unique = list(dict.fromkeys(n for n in names if n))
    ranked = sorted(enumerate(unique), key=lambda p: (-LEVELS.index(level_of(p[1])), _breadth(p[1]), p[0]))
    return tuple(Role(n, level_of(n)) for _, n in ranked)


def explicit_roles(names: list[str]) -> tuple[Role, ...]:
    """Roles exactly in the order a ``docbase.toml`` gives them; levels from their words."""
    return tuple(Role(n, level_of(n)) for n in dict.fromkeys(names))


_IN_LIST = re.compile(r"\bin\s*\(([^)]*)\)", re.IGNORECASE)


def values_from_check(expression: str | None, column: str) -> tuple[str, ...]:
    """``role IN ('owner','admin')`` -> ('owner', 'admin'); () when the check says otherwise."""
    if not expression or column.lower() not in expression.lower():
        return ()
    m = _IN_LIST.search(expression)
    if not m:
        return ()
    return tuple(v.strip().strip("'\"") for v in m.group(1).split(",") if v.strip())
