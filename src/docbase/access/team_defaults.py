"""Access defaults a team expects, inferred from structure and each switchable in ``[access.defaults]``.

- ``admin_deletes_top_level``: a table whose rows belong straight to the
  tenant and have rows of their own (``projects`` under ``organizations``,
  with ``tasks`` beneath) is deleted by an admin of the tenant, not by any
  writer: one DELETE would take every row below with it. Writers still
  delete the leaf rows they may edit.

Each default applied is a located warning (``design.md:12: warning: ...``)
that ``docbase inspect`` and ``docbase access`` print, naming the switch.
A per-table rule in ``[access.tables.<name>]`` always wins over a default.
"""

from __future__ import annotations

from dataclasses import replace

from ..document.diagnostics import Diagnostic, warning
from ..schema.model import Schema
from .model import TableAccess
from .overrides import AccessOverrides

TOP_LEVEL = "admin_deletes_top_level"


def children_of(schema: Schema, table: str) -> tuple[str, ...]:
    """Tables with a foreign key to ``table`` (itself left out), in document order."""
    return tuple(
        t.name for t in schema.tables if t.name != table and any(fk.ref_table == table for fk in t.foreign_keys)
    )


def admin_deletes_top_level(
    schema: Schema, decided: list[TableAccess], ov: AccessOverrides, diags: list[Diagnostic]
) -> list[TableAccess]:
    """Top-level tenant rows with children: DELETE takes an admin (the default ``admin_deletes_top_level``)."""
    if not ov.default_on(TOP_LEVEL):
        return decided
    out = []
    for access in decided:
        table = schema.table(access.table)
        override = ov.tables.get(access.table)
        named = override is not None and any(c == "delete" for c, _ in override.rules)
        top = access.scope == "tenant" and len(access.path) == 1 and access.path[0].ref_table == access.tenant
        children = children_of(schema, access.table) if top and table is not None else ()
        if not children or named or access.rule("delete") not in ("member", "writer"):
            out.append(access)
            continue
        rules = tuple((c, "admin" if c == "delete" else r) for c, r in access.rules)
        out.append(replace(access, rules=rules))
        diags.append(
            warning(
                table.line,
                f"access: deleting a row of {access.table} takes an admin of {access.tenant} "
                f"({', '.join(children)} rows depend on it; writers still delete those); "
                f"switch off with [access.defaults] {TOP_LEVEL} = false in docbase.toml, "
                f'or set [access.tables.{access.table}] delete = "writer"',
            )
        )
    return out
