"""Secret columns: encrypted at rest (AES-256-GCM), masked for users, clear only for service_role.

A column is secret when the document says so: a name ending in
``_encrypted`` (``config_encrypted``, ``value_encrypted``, ``encryptedValue``),
a note or comment saying *encrypted*, or a credential's usual name
(``access_token``, ``refresh_token``, ``api_key``, ``app_key``,
``secret_access_key``, ``session_token``...), or ``password`` in a
configuration/integration table. Hashes (``password_hash``, ``token_hash``)
are one-way already and are left alone, as are the users table's password
columns (docbase.auth owns those) and token columns that ``hashed_tokens``
stores as hashes.

A column holding the masked form (``maskedValue``, noted ``first4****last4``)
is filled from the table's secret on every write; in a table without a
secret column it keeps only the masked form of whatever is written to it.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..schema.model import Column, Schema, Table
from . import hashed_tokens
from .base import Applied, enabled, norm, text_of, words
from .keyring import Keyring, SecretError

NAME = "secrets"
_CREDENTIALS = {
    norm(n)
    for n in (
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
        "api_token",
        "app_key",
        "secret_access_key",
        "session_token",
        "client_secret",
        "private_key",
        "secret_key",
        "webhook_secret",
        "signing_secret",
        "bot_token",
        "auth_token",
    )
}
_CONFIG_WORDS = {"config", "configuration", "integration", "setting", "credential", "connection", "installation"}


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    out = []
    for table in schema.tables:
        if not enabled(toml, NAME, table.name):
            continue
        hashed = set(hashed_tokens.token_columns(table))
        cols = tuple(c.name for c in table.columns if c.name not in hashed and is_secret(c, table))
        masked = masked_column(table)
        if not cols and masked is None:
            continue
        roles = (("masked", masked.name),) if masked is not None else ()
        if cols:
            why = f"{', '.join(cols)} {'is' if len(cols) == 1 else 'are'} a secret the document names: encrypted with AES-256-GCM before it reaches the database, returned masked except to service_role"
            if masked is not None:
                why += f"; {masked.name} is filled with its masked form"
        else:
            assert masked is not None
            why = f"{masked.name} holds a masked value ({text_of(masked) or 'first4****last4'}): only the masked form of what is written is kept"
        out.append(Applied(NAME, table.name, cols + ((masked.name,) if masked else ()), why, table.line, roles))
    return out


def is_secret(column: Column, table: Table) -> bool:
    if column.type not in ("text", "varchar"):
        return False
    w = words(column.name)
    name = norm(column.name)
    if not w or w[-1] in ("hash", "at", "type", "id", "expiry") or w[0] in ("is", "has", "masked"):
        return False
    if "encrypted" in w or name.endswith("encrypted"):
        return True
    if "encrypted" in text_of(column) and "hash" not in text_of(column):
        return True
    if name in _CREDENTIALS:
        return True
    if name in ("password", "secret") and _CONFIG_WORDS & set(words(table.name)):
        return True
    return False


def masked_column(table: Table) -> Column | None:
    for column in table.columns:
        w = words(column.name)
        if w and w[0] == "masked" or "****" in text_of(column):
            return column
    return None


def mask(plain: str) -> str:
    """``sk-abcdef...9f2c`` -> ``sk-a****9f2c``: first four and last four characters, or only stars when short."""
    if len(plain) < 12:
        return "****"
    return plain[:4] + "****" + plain[-4:]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def seal_row(applied: Applied, row: dict[str, Any], keyring: Keyring) -> dict[str, Any]:
    """A row about to be written: secrets encrypted, the masked column filled. Other keys pass through."""
    masked = applied.role("masked")
    out = dict(row)
    first_plain = None
    for name in applied.columns:
        if name == masked or name not in row or row[name] is None:
            continue
        plain = _text(row[name])
        if first_plain is None:
            first_plain = plain
        out[name] = keyring.encrypt(plain, f"{applied.table}.{name}")
    if masked is not None:
        if first_plain is not None:
            out[masked] = mask(first_plain)
        elif masked in row and row[masked] is not None and not _looks_masked(_text(row[masked])):
            out[masked] = mask(_text(row[masked]))
    return out


def _looks_masked(value: str) -> bool:
    return "****" in value


def open_row(applied: Applied, row: dict[str, Any], keyring: Keyring, clear: bool) -> dict[str, Any]:
    """A row read back: secrets decrypted for service_role (``clear``), masked for everyone else."""
    masked = applied.role("masked")
    out = row
    for name in applied.columns:
        if name == masked or name not in row or row[name] is None:
            continue
        try:
            plain = keyring.decrypt(row[name], f"{applied.table}.{name}") if isinstance(row[name], str) else row[name]
        except SecretError:  # written past docbase, or under a key this server lacks: show nothing of it
            plain, clear_this = "", False
        else:
            clear_this = clear
        if out is row:
            out = dict(row)
        out[name] = plain if clear_this else mask(_text(plain))
    return out
