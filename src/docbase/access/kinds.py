"""Tables with neither tenant nor owner: private internals or shared catalog data.

Private is judged by name (credentials, sign-in sessions, verification
codes, logs, idempotency keys, rate limits) and wins even over a tenant
path: a workspace's rate-limit counters are still not for its members to
edit. Catalog is what remains and looks like reference data: referenced by
other tables, or named like plans, prices, permissions or CMS pages.
Anything else left over is private too: deny by default.
"""

from __future__ import annotations

from ..schema.model import Schema, Table
from .names import words

_CATALOG_WORDS = {
    "plan", "price", "pricing", "product", "permission", "role", "page", "cm", "cms", "nav", "link",
    "menu", "category", "tag", "feature", "limit", "country", "currency", "language", "locale",
    "template", "faq", "article", "tier", "package", "catalog", "overage", "rate", "tax",
}  # fmt: skip


def private_reason(table: Table) -> str | None:
    w = words(table.name)
    s = set(w)
    if not w:
        return None
    if w[-1] in {"token", "secret", "credential"} or s & {"password", "otp"}:
        return "holds credentials (tokens, passwords): service_role only"
    if "session" in s and (len(w) == 1 or w[0] in {"user", "auth", "login", "sign"}):
        return "sign-in sessions: service_role only"
    if w in {("account",), ("user", "account"), ("auth", "account"), ("oauth", "account")}:
        return "sign-in accounts (provider tokens) of users: service_role only"
    if s & {"verification", "nonce", "otp"}:
        return "verification codes and tokens: service_role only"
    if "idempotency" in s:
        return "idempotency keys (internal): service_role only"
    if {"rate", "limit"} <= s or "throttle" in s:
        return "rate-limit tracking (internal): service_role only"
    if {"security", "event"} <= s:
        return "security events (internal): service_role only"
    if w[-1] == "log" and not s & {"audit", "activity", "change"}:
        return "an internal log: service_role only"
    if "webhook" in s and s & {"event", "delivery", "log", "idempotency"}:
        return "webhook bookkeeping (internal): service_role only"
    return None


def referenced_by(schema: Schema, name: str) -> list[str]:
    return [
        f"{t.name}.{','.join(fk.columns)}"
        for t in schema.tables
        if t.name != name
        for fk in t.foreign_keys
        if fk.ref_table == name
    ]


def leftover_kind(schema: Schema, table: Table, catalog_so_far: set[str]) -> tuple[str, str]:
    """Scope and reason for a table with no tenant and no owner."""
    refs = referenced_by(schema, table.name)
    if refs:
        return "catalog", f"no tenant or owner; referenced by {', '.join(refs[:3])}: shared reference data"
    hits = sorted(set(words(table.name)) & _CATALOG_WORDS)
    if hits:
        return "catalog", f"no tenant or owner; its name ({', '.join(hits)}) says shared reference data"
    targets = {fk.ref_table for fk in table.foreign_keys}
    if targets and targets <= catalog_so_far:
        return "catalog", f"links catalog tables ({', '.join(sorted(targets))})"
    return "private", "no tenant, no owner and nothing refers to it: internal, service_role only (deny by default)"
