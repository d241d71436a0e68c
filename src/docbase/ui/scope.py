"""The console's schema JSON as one role may see it, as the OpenAPI at ``/rest/v1/`` is.

``/console/api/schema`` is readable without sign-in (the page bootstraps from
it), so the anonymous answer lists only the tables anon may use, without
their hidden columns (secrets, password hashes), plus the anon key and the
document's name the sign-in form needs. A signed-in user gets what the
``authenticated`` role may use; the service_role key gets everything. The
rule for "may use" is the REST gate's (docbase.access.decide.TablePermissions):
a table appears when the role may run at least one command on it.
Anything that could name a hidden table or column (diagnostics, policies
and routines of other tables, foreign keys and indexes over hidden columns)
is left out of the scoped answers.
"""

from __future__ import annotations

from typing import Any

from ..access import AccessModel
from ..access.decide import TablePermissions
from ..auth import hidden_columns as auth_hidden
from ..schema.model import Schema


def visible(schema: Schema, model: AccessModel, role: str) -> dict[str, frozenset[str]]:
    """Per table ``role`` may use, the columns it may not see."""
    permissions = TablePermissions(schema, model, auth_hidden(schema))
    return {t.name: permissions.hidden(t.name, role) for t in schema.tables if permissions.usable(t.name, role)}


def scoped(data: dict[str, Any], shown: dict[str, frozenset[str]]) -> dict[str, Any]:
    """``data`` (ui.data.console_data) cut down to the tables and columns in ``shown``."""
    out = dict(data)
    out["tables"] = [_table(entry, shown) for entry in data["tables"] if entry["name"] in shown]
    out["sections"] = [
        {"name": s["name"], "tables": names}
        for s in data["sections"]
        if (names := [n for n in s["tables"] if n in shown])
    ]
    out["relationships"] = [
        r
        for r in data["relationships"]
        if r["from"] in shown
        and r["to"] in shown
        and not _names_hidden(r["columns"], shown[r["from"]])
        and not _names_hidden(r["ref_columns"], shown[r["to"]])
    ]
    out["policies"] = [p for p in data["policies"] if p["table"].rsplit(".", 1)[-1] in shown]
    out["routines"] = [r for r in data["routines"] if r["table"] in shown]
    out["diagnostics"] = []
    access = dict(data["access"])
    access["roots"] = [r for r in access["roots"] if r.get("table") in shown]
    access["diagnostics"] = []
    if access.get("users_table") not in shown:
        access["users_table"] = None
    out["access"] = access
    return out


def _names_hidden(columns: list[str], hidden: frozenset[str]) -> bool:
    return any(c in hidden for c in columns)


def _table(entry: dict[str, Any], shown: dict[str, frozenset[str]]) -> dict[str, Any]:
    hidden = shown[entry["name"]]
    out = dict(entry)
    out["columns"] = [c for c in entry["columns"] if c["name"] not in hidden]
    out["conventions"] = [c for c in entry["conventions"] if c.get("column") not in hidden]
    out["foreign_keys"] = [
        fk
        for fk in entry["foreign_keys"]
        if fk["ref_table"] in shown
        and not _names_hidden(fk["columns"], hidden)
        and not _names_hidden(fk["ref_columns"], shown[fk["ref_table"]])
    ]
    out["unique"] = [u for u in entry["unique"] if not _names_hidden(u["columns"], hidden)]
    out["indexes"] = [i for i in entry["indexes"] if not _names_hidden(i["columns"], hidden)]
    out["checks"] = [c for c in entry["checks"] if not any(h in (c["expression"] or "") for h in hidden)]
    if entry.get("access"):
        out["access"] = _access(entry["access"], hidden, shown)
    return out


def _access(access: dict[str, Any], hidden: frozenset[str], shown: dict[str, frozenset[str]]) -> dict[str, Any]:
    """A table's access row without the hidden columns' names and references to tables not shown."""
    out = dict(access, hidden_columns=[])
    for key in ("creator_columns", "ledger_columns", "frozen_columns"):
        out[key] = [c for c in access[key] if c not in hidden]
    out["authority_columns"] = [a for a in access["authority_columns"] if a["name"] not in hidden]
    out["references"] = [r for r in access["references"] if r["ref_table"] in shown]
    out["limits"] = [x for x in access["limits"] if x["column"] not in hidden]
    return out
