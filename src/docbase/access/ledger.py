"""Money and metering: tables and columns that only the system (service_role) writes.

A tenant's subscription, invoices, credit movements and usage counters are
facts the billing side records; if a tenant's own admin could write them, a
``PATCH /organizations?id=eq.A {"credit_balance": 1e9}`` or an inserted
``credit_transactions`` row would be free money. So these stay readable by
whoever may read the tenant's (or owner's) rows, and writable by
service_role alone. Judged from names, like every other scope hint:

- a *ledger table* is tenant or owned data named for billing (``invoices``,
  ``billing_*``, ``credit_*``, ``usage_*``, ``payments``, ``*_transactions``),
  or a subscription: ``subscriptions`` alone, a tenant's or user's
  subscription (``organization_subscriptions``) or one that points at a plan
  or price. A status-page subscription (``status_page_component_subscriptions``)
  names none of these and stays ordinary tenant data;
- an *audit trail* (``audit_logs``, ``activity_log``) is the same kind of
  record: members read their tenant's history, only the system writes it;
- *ledger columns* on the tenant root and the users table (balances, credits,
  plan, subscription, usage counters, payment-provider ids) are left out of
  the columns ordinary users may insert or update.
Catalog tables (plans, prices, credit products) are unchanged: they were
already service_role-written.
"""

from __future__ import annotations

from ..schema.model import Schema, Table
from .names import words

_LEDGER_WORDS = {
    "invoice", "billing", "credit", "payment", "transaction", "ledger", "balance", "usage", "charge",
    "refund", "payout", "receipt",
}  # fmt: skip
_HOLDER_WORDS = {"organization", "org", "workspace", "team", "tenant", "account", "user", "customer", "company"}
_PRICED_WORDS = {"plan", "price", "pricing", "tier", "product", "package"}
_COLUMN_WORDS = {
    "credit", "balance", "ledger", "paid", "quota", "limit", "plan", "subscription", "usage", "used", "billing",
    "stripe", "polar", "paddle", "invoice", "payment", "customer",
}  # fmt: skip


_AUDIT_NAMES = ({"audit"}, {"activity", "log"}, {"audit", "log"}, {"activity", "logs"})


def ledger_reason(schema: Schema, table: Table) -> str | None:
    """Why ``table`` is a ledger (readable, written by service_role only), or None."""
    w = words(table.name)
    if any(names <= set(w) for names in _AUDIT_NAMES):
        return "it is an audit trail: docbase writes it on every change, nobody edits it"
    hits = sorted(set(w) & _LEDGER_WORDS)
    if hits:
        return f"its name ({', '.join(hits)}) says billing or metering"
    if "subscription" not in w:
        return None
    if len(w) == 1 or w[0] in _HOLDER_WORDS:
        return "a tenant's or user's subscription"
    priced = [fk.ref_table for fk in table.foreign_keys if set(words(fk.ref_table)) & _PRICED_WORDS]
    if priced:
        return f"a subscription to {priced[0]}"
    return None


def ledger_columns(table: Table, primary_key: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Columns of a tenant root or users table that record money, plan or usage."""
    out = []
    for column in table.columns:
        if column.name in primary_key:
            continue
        if set(words(column.name)) & _COLUMN_WORDS:
            out.append(column.name)
    return tuple(out)
