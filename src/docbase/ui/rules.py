"""The rules the tables state (docbase.rules: quotas, ledgers, RBAC), per table, for the console.

The same decisions ``docbase access`` prints as located notes, each with the document line it came from.
"""

from __future__ import annotations

from typing import Any

from ..access import AccessModel
from ..rules.ledgers import detect_ledgers
from ..rules.quotas import detect_quotas
from ..schema.model import Schema


def table_rules(schema: Schema, model: AccessModel, toml: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """``{table: [{"kind": "quota" | "ledger" | "rbac", "text": ..., "line": ...}]}``."""
    found: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, kind: str, text: str, line: int) -> None:
        found.setdefault(table, []).append({"kind": kind, "text": text, "line": line})

    for quota in detect_quotas(schema, toml)[0]:
        add(quota.table, "quota", quota.why(), quota.line)
    for ledger in detect_ledgers(schema, toml):
        add(ledger.table, "ledger", ledger.why(), ledger.line)
        add(ledger.owner_table, "ledger", ledger.why(), ledger.line)
    rbac = model.rbac
    if rbac is not None:
        r = rbac.rbac
        for table, _names in rbac.tables:
            add(table, "rbac", rbac.note(table).removeprefix("rbac: "), r.line)
        for table in (r.roles, r.permissions, r.grants, r.assignments):
            add(table, "rbac", r.why(), r.line)
    return found
