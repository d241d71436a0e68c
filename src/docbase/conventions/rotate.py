"""``docbase rotate-key``: every secret column re-encrypted under a new key, in one transaction.

The new key is written to the key file first (older keys stay there), then
every envelope is decrypted and sealed again under it; if the database
step fails, nothing changed in the database and the old key still reads
everything. Values written before docbase encrypted them (plain text) are
encrypted on the way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..db import connections
from ..schema.model import Schema
from . import secrets
from .keyring import Keyring, SecretError, add_key, load_keyring
from .sqltext import Sql


class RotateError(Exception):
    """Rotation refused or failed; the message says why and nothing was changed in the database."""


def rotate(
    schema: Schema, url: str, doc: str | Path | None = None, toml: dict[str, Any] | None = None
) -> tuple[int, str]:
    """(values re-encrypted, new key id)."""
    applied = [a for a in secrets.detect(schema, toml) if [c for c in a.columns if c != a.role("masked")]]
    try:
        old = load_keyring(doc)
        new = add_key(doc)
    except SecretError as exc:
        raise RotateError(str(exc)) from None
    new.older = tuple(k for k in (old.current, *old.older) if k != new.current)
    engine = connections.engine(url, statement_timeout=0, poolclass=sa.pool.NullPool)
    count = 0
    try:
        with engine.begin() as conn:
            sql = Sql(conn.dialect.name)
            for a in applied:
                count += _rotate_table(conn, sql, schema, a, new)
    except (sa.exc.DBAPIError, SecretError) as exc:
        raise RotateError(f"nothing re-encrypted: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return count, new.current_id


def _rotate_table(conn: sa.Connection, sql: Sql, schema: Schema, applied: secrets.Applied, keys: Keyring) -> int:
    table = schema.table(applied.table)
    assert table is not None
    if len(table.primary_key) != 1:
        return 0
    key = table.primary_key[0]
    cols = [c for c in applied.columns if c != applied.role("masked")]
    select = f"SELECT {sql.q(key)}, {', '.join(sql.q(c) for c in cols)} FROM {sql.q(table.name)}"
    count = 0
    for row in conn.exec_driver_sql(select).fetchall():
        values = {}
        for name, stored in zip(cols, row[1:], strict=True):
            if stored is None:
                continue
            context = f"{table.name}.{name}"
            values[name] = keys.encrypt(keys.decrypt(stored, context), context)
        if not values:
            continue
        sets = ", ".join(f"{sql.q(n)} = :v{i}" for i, n in enumerate(values))
        params = {f"v{i}": v for i, v in enumerate(values.values())} | {"k": row[0]}
        conn.execute(sa.text(f"UPDATE {sql.q(table.name)} SET {sets} WHERE {sql.q(key)} = :k"), params)
        count += len(values)
    return count
