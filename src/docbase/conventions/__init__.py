"""Conventions the document implies: secrets, hashed tokens, soft delete, audit, job queues, vectors...

Each module decides from the model alone where it applies
(``detect(schema, toml) -> list[Applied]``) and owns what it does at run
time; ``detect_all`` lists them all for ``docbase inspect``, and
``Conventions`` (in ``runtime``) is what the API calls on every request.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Schema
from . import (
    api_keys,
    audit,
    files,
    hashed_tokens,
    invitations,
    job_queue,
    provider_accounts,
    schedules,
    secrets,
    soft_delete,
    vectors,
)
from .access_notes import access_notes
from .base import Applied

MODULES = (
    secrets,
    hashed_tokens,
    soft_delete,
    audit,
    job_queue,
    vectors,
    schedules,
    invitations,
    api_keys,
    files,
    provider_accounts,
)

__all__ = ["MODULES", "Applied", "access_notes", "detect_all"]


def detect_all(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    """Every convention that applies to ``schema``, in module order then table order.

    Args:
        schema: the model.
        toml: ``docbase.toml`` as a dict (its ``[conventions]`` tables switch conventions off).

    Example:
        >>> from docbase.pipeline import build_schema
        >>> s = build_schema("```sql\\nCREATE TABLE files (id int PRIMARY KEY, is_deleted boolean);\\n```")
        >>> [(a.convention, a.table) for a in detect_all(s)]
        [('soft_delete', 'files')]
    """
    found: list[Applied] = []
    for module in MODULES:
        found.extend(module.detect(schema, toml))
    return found
