"""``PUT /rest/v1/<table>?pk=eq.x``: PostgREST's single-row upsert, checked before anything is written.

PUT names one row by its whole primary key in the URL and gives the whole
row in the body; it inserts the row or replaces it. PostgREST refuses
anything looser, with these codes: filters other than ``eq`` on exactly the
primary key columns (PGRST105, 405), a body missing any column (PGRST102),
or a body whose key differs from the URL's (PGRST115). The write itself is
the ordinary upsert on the primary key.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Table
from .catalog import Catalog
from .coerce import coerce
from .errors import ApiError, bad_body
from .query import Filter, Query


def put_row(catalog: Catalog, table: Table, query: Query, body: Any) -> dict[str, Any]:
    """The one row a PUT writes, after PostgREST's checks; raises ApiError otherwise."""
    keys = _key_filters(table, query)
    if isinstance(body, list):
        if len(body) != 1:
            raise bad_body("PUT takes exactly one row", f"the body holds {len(body)} rows")
        body = body[0]
    columns = catalog.columns[table.name]
    missing = [c.name for c in table.columns if c.name not in body]
    if missing:
        raise bad_body("You must specify all columns in the payload when using PUT", f"missing: {', '.join(missing)}")
    unknown = [name for name in body if name not in columns]
    if unknown:
        raise bad_body(f"Could not find the '{unknown[0]}' column of '{table.name}' in the schema cache")
    for name, text in keys.items():
        column = columns[name]
        wanted = coerce(column, text, catalog.dialect, writing=False)
        given = None if body[name] is None else coerce(column, body[name], catalog.dialect, writing=False)
        if wanted != given:
            raise ApiError(
                400,
                "PGRST115",
                "Payload values do not match URL in primary key column(s)",
                f"URL has {name}={text}, the body has {body[name]!r}",
            )
    return body


def _key_filters(table: Table, query: Query) -> dict[str, str]:
    pk = list(table.primary_key)
    found: dict[str, str] = {}
    conds = query.where.get((), [])
    ok = bool(pk) and len(query.where) <= 1 and len(conds) == len(pk)
    for cond in conds:
        if not (
            isinstance(cond, Filter)
            and cond.op == "eq"
            and not cond.negate
            and cond.quantifier is None
            and not cond.field.json_path
            and cond.field.name in pk
            and cond.field.name not in found
            and isinstance(cond.value, str)
        ):
            ok = False
            break
        found[cond.field.name] = cond.value
    if not ok or set(found) != set(pk):
        raise ApiError(
            405,
            "PGRST105",
            "Filters must include all and only primary key columns with 'eq' operators",
            f"'{table.name}' has the primary key ({', '.join(pk) or 'none'})",
        )
    return found
