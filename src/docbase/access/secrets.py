"""Columns no ordinary user may read: passwords, tokens, keys, encrypted values.

Judged from the column's words and notes (``password_hash``, ``access_token``,
``api_key``, ``config_encrypted``, a note saying *encrypted*); a
``token_type`` or ``tokens_used`` column describes a token and stays visible.
"""

from __future__ import annotations

from ..schema.model import Column, Table
from .names import words

_SECRET_LAST = {"password", "secret", "token", "hash", "salt", "encrypted", "credential", "otp", "pin"}
_DESCRIBES = {"is", "has", "max", "min", "total", "num", "count", "prompt", "completion"}
_SECRET_KEY_PREFIX = {"api", "private", "secret", "access", "app", "signing", "encryption", "client"}


def is_secret(column: Column, table: Table | None = None) -> bool:
    w = words(column.name)
    if not w or w[0] in _DESCRIBES or column.name.lower().endswith("tokens") or column.type == "boolean":
        return False
    if w[0] == "encrypted" or "encrypted" in w or w[-1] in _SECRET_LAST:
        return True
    if "password" in w and w[-1] != "at":
        return True
    if w[-1] == "key" and len(w) >= 2 and w[-2] in _SECRET_KEY_PREFIX:
        return True
    if w == ("key",) and table is not None and "key" in table.name.lower():
        return True
    notes = " ".join(column.notes).lower() + " " + (column.comment or "").lower()
    return "encrypted" in notes or "secret" in notes


def hidden_columns(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if is_secret(c, table))
