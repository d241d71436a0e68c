"""Conventions through embedded resources: secrets are masked at every depth; who asks for soft-deleted rows.

``docbase.conventions`` sees one table at a time and knows nothing of
PostgREST's ``select`` tree, so its hooks cover the top-level table only.
Here the tree is walked with the catalog's relationships: every embedded
row, spread or not, is presented like a top-level row (decrypted for
service_role, masked for everyone else), aliases and ``::text`` casts
included, so ``select=k:api_key`` is no way around the mask.

Soft-deleted rows are not left out here: that is the access layer's row
filter (docbase.access.live_rows), at every depth; ``wants_deleted`` only
says whether service_role asked to see them.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..conventions import secrets, soft_delete
from ..conventions.runtime import Conventions
from .catalog import Catalog
from .query import Embed, SelectColumn
from .query.syntax import SelectStar

_TRUE = ("true", "1", "yes")
_PLAIN_CASTS = (None, "text", "varchar")


def wants_deleted(role: str, items: list[tuple[str, str]], prefer: str | None) -> bool:
    """service_role asking for soft-deleted rows (``?include_deleted=true`` or ``Prefer: include-deleted``)."""
    if role != "service_role":
        return False
    asked = any(k == soft_delete.QUERY_FLAG and v.lower() in _TRUE for k, v in items)
    return asked or soft_delete.PREFER_FLAG in (prefer or "")


def needs_presenting(conventions: Conventions, catalog: Catalog, table: str, items: tuple) -> bool:
    """Whether any table in the response (top level or embedded) has rows to reshape on the way out."""
    if conventions.reshapes(table):
        return True
    for item in items:
        if isinstance(item, Embed):
            target = catalog.resolve(table, item.name, item.hint).target
            if needs_presenting(conventions, catalog, target, item.items):
                return True
    return False


def present_text(
    conventions: Conventions,
    catalog: Catalog,
    table: str,
    items: tuple,
    text: bytes,
    role: str,
    revealed: list | None = None,
) -> bytes:
    """The response body with every table's rows presented; ``text`` unchanged when nothing needs it."""
    if not needs_presenting(conventions, catalog, table, items):
        return text
    rows = orjson.loads(text)
    return orjson.dumps(present_rows(conventions, catalog, table, items, rows, role, revealed))


def present_rows(
    conventions: Conventions,
    catalog: Catalog,
    table: str,
    items: tuple,
    rows: list[dict[str, Any]],
    role: str,
    revealed: list | None = None,
) -> list[dict[str, Any]]:
    rows = conventions.present(table, rows, role, revealed)
    renamed = _renamed_secrets(conventions, table, items)
    embeds = [(i, catalog.resolve(table, i.name, i.hint).target) for i in items if isinstance(i, Embed)]
    if not renamed and not embeds:
        return rows
    return [_present_one(conventions, catalog, table, row, role, renamed, embeds) for row in rows]


def _present_one(conventions, catalog, table, row, role, renamed, embeds) -> dict[str, Any]:
    if not isinstance(row, dict):
        return row
    row = dict(row)
    if renamed:
        view = {column: row[key] for key, column in renamed.items() if key in row}
        opened = conventions.present(table, [view], role)[0]
        for key, column in renamed.items():
            if key in row:
                row[key] = opened[column]
    for item, target in embeds:
        if item.spread:
            keys = _spread_keys(catalog, target, item)
            part = {k: row[k] for k in keys if k in row}
            row.update(present_rows(conventions, catalog, target, item.items, [part], role)[0])
            continue
        value = row.get(item.key)
        if isinstance(value, list):
            row[item.key] = present_rows(conventions, catalog, target, item.items, value, role)
        elif isinstance(value, dict):
            row[item.key] = present_rows(conventions, catalog, target, item.items, [value], role)[0]
    return row


def _renamed_secrets(conventions: Conventions, table: str, items: tuple) -> dict[str, str]:
    """Output keys that carry a secret column under another name (``k:api_key``) -> the column."""
    secret = conventions.get(secrets.NAME, table)
    if secret is None:
        return {}
    out = {}
    for item in items:
        if (
            isinstance(item, SelectColumn)
            and item.field.name in secret.columns
            and item.key != item.field.name
            and not item.field.json_path
            and item.aggregate is None
            and item.cast in _PLAIN_CASTS
        ):
            out[item.key] = item.field.name
    return out


def _spread_keys(catalog: Catalog, target: str, item: Embed) -> list[str]:
    keys: list[str] = []
    for sub in item.items:
        if isinstance(sub, SelectStar):
            keys.extend(c.name for c in catalog.tables[target].columns)
        elif isinstance(sub, SelectColumn | Embed):
            keys.append(sub.key)
    return keys
