"""The rules docbase found, as located lines for ``inspect``, ``access`` and ``migrate``.

Each enforced rule is a ``note`` (docbase decided it from the tables: it must
say so, with the line); each limit-looking column it does not enforce is a
``warning`` with why. Both in the editors' ``path:line: level: message`` form.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Schema
from .ledgers import detect_ledgers
from .quotas import detect_quotas
from .rbac import detect_rbac


def rule_lines(schema: Schema, path: str, toml: dict[str, Any] | None = None) -> list[str]:
    quotas, notes = detect_quotas(schema, toml)
    lines = [f"{path}:{q.line}: note: quota: {q.why()}" for q in quotas]
    lines += [f"{path}:{n.line}: warning: {n.plan_table}.{n.limit} looks like a plan limit: {n.message}" for n in notes]
    lines += [f"{path}:{ledger.line}: note: ledger: {ledger.why()}" for ledger in detect_ledgers(schema, toml)]
    rbac = detect_rbac(schema, toml)
    if rbac is not None:
        lines.append(
            f"{path}:{rbac.line}: note: rbac: {rbac.why()}; while a permission row names a tenant's table, they "
            "decide who reads and writes it, replacing the role order (docbase access lists each table)"
        )
        lines += _alias_lines(schema, path, toml)
    return lines


def _alias_lines(schema: Schema, path: str, toml: dict[str, Any] | None) -> list[str]:
    """Each permission resource the document says names a table: what docbase read, where, and its switch."""
    section = (toml or {}).get("rules")
    off = isinstance(section, dict) and section.get("document_aliases") is False
    out = []
    for table in schema.tables:
        for resource, line in table.aliases:
            if off:
                out.append(
                    f"{path}:{line}: info: rbac: the document says a {resource!r} permission also names "
                    f"{table.name}; ignored ([rules] document_aliases = false)"
                )
            else:
                out.append(
                    f"{path}:{line}: info: rbac: a permission on {resource!r} also names {table.name}, as this "
                    "line says ([rules] document_aliases = false ignores it)"
                )
    return out


def rules_dict(schema: Schema, toml: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """For ``--json``: the quotas per things table, the limits not enforced, and the ledgers."""
    quotas, notes = detect_quotas(schema, toml)
    return {
        "quotas": [
            {
                "table": q.table,
                "limit": f"{q.plan_table}.{q.limit}",
                "tenant": q.tenant_table,
                "line": q.line,
                "why": q.why(),
            }
            for q in quotas
        ],  # fmt: skip
        "not_enforced": [{"limit": f"{n.plan_table}.{n.limit}", "line": n.line, "why": n.message} for n in notes],
        "ledgers": [
            {"table": x.table, "balance": f"{x.owner_table}.{x.balance}", "rpc": x.rpc, "line": x.line, "why": x.why()}
            for x in detect_ledgers(schema, toml)
        ],
        "rbac": (lambda r: None if r is None else {"line": r.line, "why": r.why()})(detect_rbac(schema, toml)),
    }
