"""API keys: a table with a ``key`` and an owner (seed 003 ``apikey``) issues keys that act as their owner.

``rpc/create_api_key`` makes a random key, stores only its SHA-256 (the
``hashed_tokens`` convention), fills ``start`` (its first characters) and
``prefix``, and returns the plaintext once. A request whose ``apikey``
header or Bearer token is such a key then acts as the owner; ``enabled``,
``expiresAt``, ``remaining`` and ``rateLimit*`` are honoured (401 / 429)
and ``requestCount``, ``remaining`` and ``lastRequest`` kept up to date.
The RPC is the only way a user gets a key row: docbase.access.grants keeps
the table's INSERT for service_role, lets the owner list (without the hash)
and revoke, and refuses every write to a request made with a key.
"""

from __future__ import annotations

from typing import Any

from ..access.grants import ENABLED_NAMES, EXPIRES_NAMES, key_table
from ..schema.model import Schema, Table
from .base import Applied, column_named, enabled

NAME = "api_keys"
ROLE_NAMES = {
    "start": ("start", "key_start", "key_preview"),
    "prefix": ("prefix", "key_prefix"),
    "name": ("name", "key_name"),
    "enabled": ENABLED_NAMES,
    "expires": EXPIRES_NAMES,
    "limit_enabled": ("rate_limit_enabled",),
    "window": ("rate_limit_time_window", "rate_limit_window"),
    "limit": ("rate_limit_max", "rate_limit"),
    "count": ("request_count",),
    "remaining": ("remaining",),
    "last": ("last_request", "last_used_at", "last_request_at"),
    "created": ("created_at",),
    "updated": ("updated_at",),
}


def key_roles(table: Table, users_table: str | None) -> dict[str, str] | None:
    """The columns the runtime uses, by role; the key and owner are found as docbase.access.grants finds them."""
    found = key_table(table, users_table)
    if found is None:
        return None
    roles = {"key": found[0], "owner": found[1], "id": table.primary_key[0]}
    for role, names in ROLE_NAMES.items():
        column = column_named(table, *names)
        if column is not None:
            roles[role] = column.name
    return roles


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    from ..access import build_access

    model = build_access(schema)
    users = model.users_table
    scopes = {k.table: k for k in model.key_scopes}
    out = []
    for table in schema.tables:
        roles = key_roles(table, users)
        if roles is None or not enabled(toml, NAME, table.name):
            continue
        why = (
            f"{table.name}.{roles['key']} is an API key owned by {roles['owner']}: rpc/create_api_key returns it once "
            "and stores its hash; a request carrying it acts as the owner"
        )
        if "enabled" in roles or "expires" in roles:
            why += "; disabled or expired keys get 401"
        if "limit" in roles or "remaining" in roles:
            why += "; rate limit and remaining uses are enforced (429)"
        scope = scopes.get(table.name)
        if scope is not None:
            why += f"; with {scope.tenant_column} set, a key acts as that {scope.root} row at its role"
        if scope is not None and scope.project is not None:
            why += f"; with {scope.project[0]} set, only inside that {scope.project[1]} row"
        out.append(
            Applied(NAME, table.name, tuple(dict.fromkeys(roles.values())), why, table.line, tuple(roles.items()))
        )
    return out
