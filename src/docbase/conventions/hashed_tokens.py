"""Token columns of invitation, verification and API-key tables, stored as SHA-256 hashes.

Such a token is a bearer credential that is only ever compared, never shown
again, so the database keeps ``sha256(token)`` in hex: a stolen database
file lets nobody accept an invitation or use a key. On insert the caller's
token (or, when none is given, a fresh random one) is hashed; the plaintext
is in the insert's response, once. A filter such as ``?token=eq.<plaintext>``
is hashed before it reaches SQL, so lookups go by hash (and use the index).
When a table has both ``token`` and ``token_hash`` ("for O(1) lookup"), both
hold the hash; a ``token_hash`` the caller computes is kept as written.
"""

from __future__ import annotations

import hashlib
import secrets as _random
from typing import Any

from ..schema.model import Schema, Table
from .base import Applied, enabled, norm, words

NAME = "hashed_tokens"
_TABLE_WORDS = {"invitation", "invite", "verification", "verify", "confirmation", "reset", "apikey", "magic", "otp"}
_TOKEN_NAMES = {"token", "tokenhash", "hashedtoken", "key", "keyhash", "hashedkey"}
_PURPOSE = {"verification", "invitation", "invite", "reset", "confirmation"}


def token_columns(table: Table) -> tuple[str, ...]:
    table_words = set(words(table.name))
    is_key_table = "apikey" in norm(table.name) or {"api", "key"} <= table_words
    out = []
    for column in table.columns:
        if column.type not in ("text", "varchar"):
            continue
        name = norm(column.name)
        w = words(column.name)
        if name in _TOKEN_NAMES and (table_words & _TABLE_WORDS or is_key_table):
            if name.startswith("key") and not is_key_table:
                continue
            out.append(column.name)
        elif len(w) >= 2 and w[-1] == "token" and w[0] in _PURPOSE:
            out.append(column.name)
    return tuple(out)


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        cols = token_columns(table)
        if cols and enabled(toml, NAME, table.name):
            why = (
                f"{', '.join(cols)} of {table.name} {'is a token' if len(cols) == 1 else 'are tokens'}: stored as a "
                "SHA-256 hash, the plaintext returned once when the row is created; lookups go by hash"
            )
            out.append(Applied(NAME, table.name, cols, why, table.line))
    return out


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def new_token() -> str:
    return _random.token_urlsafe(32)


def is_hash_column(name: str) -> bool:
    """``token_hash``, ``keyHash``, ``hashed_token``: the column is named as holding a hash already."""
    return "hash" in words(name) or "hashed" in words(name)


def hash_row(applied: Applied, row: dict[str, Any], generate: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """(row with hashes, {column: plaintext}) for an insert (``generate``) or an update (only what is written).

    A plaintext column (``token``) is hashed; a column named as a hash (``token_hash``) keeps a hash the
    caller computed, and is filled from the plaintext when the caller leaves it out.
    """
    plain_columns = [c for c in applied.columns if not is_hash_column(c)]
    given = next((row[c] for c in plain_columns if isinstance(row.get(c), str)), None)
    if given is None and not plain_columns:  # only hash columns: what is written is the plaintext
        given = next((row[c] for c in applied.columns if isinstance(row.get(c), str)), None)
        plain_columns = list(applied.columns)
    if given is None and not generate:
        return row, {}
    if given is None and any(isinstance(row.get(c), str) for c in applied.columns):
        return row, {}  # only a caller-made hash was written: keep it
    plain = given if given is not None else new_token()
    out = dict(row)
    for name in applied.columns:
        if name in plain_columns or not isinstance(row.get(name), str):
            out[name] = digest(plain)
    return out, {plain_columns[0]: plain}


def hash_filter(value: str) -> str:
    """``eq.<plaintext>`` -> ``eq.<hash>``; ``in.(a,b)`` -> ``in.(<hash a>,<hash b>)``; other operators unchanged."""
    op, dot, operand = value.partition(".")
    if not dot:
        return value
    if op == "eq":
        return f"eq.{digest(operand)}"
    if op == "in" and operand.startswith("(") and operand.endswith(")"):
        items = [i.strip().strip('"') for i in operand[1:-1].split(",") if i.strip()]
        return "in.(" + ",".join(digest(i) for i in items) + ")"
    return value
