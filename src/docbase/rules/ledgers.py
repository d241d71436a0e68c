"""Ledgers with running balances: a transactions table whose rows move a balance its owner carries.

The shape: a table with an ``amount`` and a ``balance_after`` (or ``running_balance``, ``new_balance``)
and a foreign key to an owner whose numeric balance column (``credit_balance``, ``balance``...) the
amounts move. Seed 002's ``credit_transactions`` and ``organizations.credit_balance`` are one.

Posting is ``rpc/post_<entry>`` (``post_credit_transaction``): it moves the balance and inserts the
entry with its ``balance_after`` in one transaction, the owner's row locked, so concurrent postings
form one consistent chain; an overdraft is refused unless the document allows negative balances (the
balance or ``balance_after`` column's description says it may go negative, or overdrafts are allowed) or
``docbase.toml`` does (``[rules.credit_transactions] allow_negative = true``; ``false`` overrides the document). The tables themselves stay written by
service_role alone (docbase.access.ledger), so the RPC is the only way a user moves a balance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..schema.model import Column, Schema, Table
from ..schema.names import singular, words
from .columns import column_named

AMOUNT_NAMES = ("amount", "amount_cents", "delta", "change")
AFTER_NAMES = ("balance_after", "running_balance", "new_balance", "balance_after_cents")
NUMERIC_TYPES = ("integer", "bigint", "smallint", "numeric", "decimal", "float", "real", "double")


@dataclass(frozen=True)
class Ledger:
    table: str
    amount: str
    balance_after: str
    owner_column: str  # ledger.<fk> -> owner
    owner_table: str
    owner_key: str
    balance: str  # owner's balance column
    allow_negative: bool
    line: int
    negative_from: str | None = None  # why negative balances are allowed: a document line, or docbase.toml

    @property
    def rpc(self) -> str:
        """``credit_transactions`` -> ``post_credit_transaction``."""
        ws = words(self.table)
        return "post_" + "_".join([*ws[:-1], singular(ws[-1])])

    def why(self) -> str:
        sign = f"may go negative: {self.negative_from}" if self.allow_negative else "never below zero"
        return (
            f"{self.table} is a ledger of {self.owner_table}.{self.balance} ({sign}): rpc/{self.rpc} moves the "
            f"balance and writes {self.balance_after} in one transaction"
        )


def _balance_column(owner: Table, ledger: Table) -> Column | None:
    """The owner's balance the ledger moves: a numeric ``*balance*`` column, preferring one named like the ledger."""
    candidates = [c for c in owner.columns if "balance" in words(c.name) and c.type in NUMERIC_TYPES]
    ledger_words = {singular(w) for w in words(ledger.name)}
    candidates.sort(key=lambda c: -len({singular(w) for w in words(c.name)} & ledger_words))
    return candidates[0] if candidates else None


#: A description allowing negative balances: "may go negative", "can be below zero", "overdrafts allowed".
_NEGATIVE = re.compile(
    r"\b(?:can|may|might|could|allowed\s+to)\s+(?:go|be|become|fall|drop|run)\s+(?:below\s+(?:zero|0)|negative)"
    r"|\bnegative(?:\s+balances?)?\s+(?:are\s+|is\s+)?(?:allowed|permitted|ok|possible)"
    r"|\boverdrafts?\s+(?:are\s+|is\s+)?(?:allowed|permitted|possible)"
    r"|\ballows?\s+(?:negative|overdrafts?)",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|never|no|cannot|can't|won't|isn't|aren't)\b[^.;]{0,12}$", re.IGNORECASE)
_NON_NEGATIVE_CHECK = re.compile(r">=?\s*0\b|\bbetween\s+0\b", re.IGNORECASE)


def _document_allows_negative(*columns: Column | None) -> str | None:
    """The document line allowing negative balances, from the balance columns' descriptions; None when
    none does, or when a CHECK on one keeps it at or above zero (the database would refuse anyway)."""
    if any(c is not None and c.check and _NON_NEGATIVE_CHECK.search(c.check) for c in columns):
        return None
    for column in columns:
        if column is None:
            continue
        for text in (column.comment or "", *column.notes):
            found = _NEGATIVE.search(text)
            if found and not _NEGATED.search(text[: found.start()]):
                return f"line {column.line} says {found.group(0)!r}"
    return None


def _allowed_negative(toml: dict[str, Any] | None, table: str, document: str | None) -> tuple[bool, str | None]:
    """docbase.toml's ``allow_negative`` when it says either way, else the document's description."""
    per_table = ((toml or {}).get("rules") or {}).get(table)
    said = per_table.get("allow_negative") if isinstance(per_table, dict) else None
    if isinstance(said, bool):
        return said, f"docbase.toml [rules.{table}] allow_negative" if said else None
    return document is not None, document


def _enabled(toml: dict[str, Any] | None, table: str) -> bool:
    section = (toml or {}).get("rules") or {}
    if not isinstance(section, dict) or section.get("ledgers") is False:
        return not isinstance(section, dict)
    per_table = section.get(table)
    return not (isinstance(per_table, dict) and per_table.get("ledger") is False)


def detect_ledgers(schema: Schema, toml: dict[str, Any] | None = None) -> list[Ledger]:
    """Every ledger the tables state (``[rules] ledgers = false`` or ``[rules.<t>] ledger = false`` switch off)."""
    found: list[Ledger] = []
    for table in schema.tables:
        amount, after = column_named(table, *AMOUNT_NAMES), column_named(table, *AFTER_NAMES)
        if amount is None or after is None or amount.type not in NUMERIC_TYPES or not _enabled(toml, table.name):
            continue
        for fk in table.foreign_keys:
            owner = schema.table(fk.ref_table)
            if owner is None or len(fk.columns) != 1:
                continue
            balance = _balance_column(owner, table)
            if balance is None:
                continue
            negative, why = _allowed_negative(toml, table.name, _document_allows_negative(balance, after))
            found.append(
                Ledger(
                    table=table.name,
                    amount=amount.name,
                    balance_after=after.name,
                    owner_column=fk.columns[0],
                    owner_table=owner.name,
                    owner_key=fk.ref_columns[0],
                    balance=balance.name,
                    allow_negative=negative,
                    line=after.line or table.line,
                    negative_from=why,
                )
            )
            break
    return found
