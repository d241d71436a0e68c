"""A unique violation's ``details`` on SQLite, as PostgreSQL writes it: ``Key (id)=(1) already exists.``

SQLite names the columns of a violated unique key but not the values, and clients show PostgreSQL's
sentence (postgrest-js's own tests compare it). After the refused INSERT (SQLite undoes only that
statement), docbase asks which written row's key is already in the table, key by key (primary key
first), in the same transaction. A duplicate inside the request's own rows is in no table yet: its
``details`` stay null rather than guessed.
"""

from __future__ import annotations

from typing import Any

from ..db.errors import DbError
from ..schema.model import Table
from .catalog import Catalog
from .sql.upsert import existing_rows


async def with_duplicate_detail(
    tx: Any, catalog: Catalog, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]], error: DbError
) -> DbError:
    """``error`` with PostgreSQL's ``Key (...)=(...) already exists.`` when it is SQLite's 23505 and a key found."""
    if catalog.dialect != "sqlite" or error.code != "23505" or error.details is not None:
        return error
    candidates = [table.primary_key, *(u.columns for u in table.unique if u.where is None)]
    for target in candidates:
        if not target or not set(target) <= set(keys):
            continue
        found = await existing_rows(tx, catalog, table, tuple(target), [(keys, rows)])
        if found:
            values = ", ".join(_text(v) for v in sorted(found, key=repr)[0])
            return DbError(
                error.status,
                error.code,
                error.message,
                f"Key ({', '.join(target)})=({values}) already exists.",
                error.hint,
            )
    return error


def _text(value: Any) -> str:
    """A value as PostgreSQL's text output shows it in the sentence."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)
