"""The document's provider-account table, said by inspect: OAuth sign-ins keep it in step (docbase.auth.provider_accounts).

Switched off with ``[conventions] provider_accounts = false`` (then no row is written).
"""

from __future__ import annotations

from typing import Any

from ..auth.provider_accounts import find_account_table
from ..schema.model import Schema
from .base import Applied, enabled

NAME = "provider_accounts"


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    found = find_account_table(schema)
    if found is None or not enabled(toml, NAME, found.table.name):
        return []
    cols = (found.user, found.provider, found.subject)
    return [Applied(NAME, found.table.name, cols, found.why(), found.table.line)]
