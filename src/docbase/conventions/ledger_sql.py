"""``rpc/post_<entry>``: one ledger posting (docbase.rules.ledgers), atomic on both databases.

In one transaction: move the owner's balance with a single ``UPDATE ... SET
balance = balance + amount ... RETURNING balance`` (PostgreSQL locks the
owner's row until commit, SQLite holds its one write lock), refuse the
posting if that leaves the balance below zero (unless the ledger allows
negative balances; raising rolls the UPDATE back), then insert the entry with
``balance_after`` set to the new balance. Concurrent postings to one owner
therefore queue on its row and form one chain: each ``balance_after`` is the
previous one plus its amount, and the final balance is the sum.

Who may post: service_role, any amount. A signed-in member of the owner (one
who may read the owner's row) may post a *negative* amount: spending what
the tenant holds. Adding credit is the billing side's job (service_role), or
any member could mint credit for themself.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..rules.ledgers import Ledger
from ..schema.model import Schema, Table
from .errors import ConventionError, bad_argument
from .sqltext import Sql, as_datetime

_TIME_TYPES = ("timestamp", "timestamptz", "date")


def _amount(value: Any, column_type: str) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad_argument("amount must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise bad_argument("amount must be a number") from None
    if not number.is_finite() or number == 0:
        raise bad_argument("amount must be a non-zero finite number")
    if column_type in ("integer", "bigint", "smallint"):
        if number != number.to_integral_value():
            raise bad_argument("amount must be a whole number for this ledger")
        return int(number)
    return number


def _value(sql: Sql, table: Table, name: str, value: Any) -> Any:
    """A JSON argument as the driver wants it for the column's type."""
    column = table.column(name)
    assert column is not None
    if value is None:
        return None
    if column.type in ("json", "jsonb"):
        return sql.json(value)
    if column.type == "boolean":
        if not isinstance(value, bool):
            raise bad_argument(f"{name} must be true or false")
        return sql.boolean(value)
    if column.type in _TIME_TYPES:
        try:
            return sql.time(as_datetime(value), column.type)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_argument(f"{name} must be a date and time") from None
    if isinstance(value, dict | list):
        raise bad_argument(f"{name} must be a single value")
    return value


def arguments(schema: Schema, ledger: Ledger, body: dict[str, Any]) -> tuple[Any, int | float | Decimal]:
    """The owner and the amount of a posting; 400 for anything else wrong with the body."""
    table = schema.table(ledger.table)
    assert table is not None
    unknown = sorted(set(body) - {c.name for c in table.columns})
    if unknown:
        raise bad_argument(f"{ledger.table} has no column {unknown[0]}")
    if ledger.balance_after in body:
        raise bad_argument(f"{ledger.balance_after} is computed by the posting; leave it out")
    owner = body.get(ledger.owner_column)
    if owner is None or isinstance(owner, dict | list | bool):
        raise bad_argument(f"{ledger.owner_column} names whose balance moves")
    return owner, _amount(body.get(ledger.amount), table.column(ledger.amount).type)  # type: ignore[union-attr]


def refuse_credit(ledger: Ledger) -> ConventionError:
    return ConventionError(
        403, "42501", f"only the service role adds to {ledger.owner_table}.{ledger.balance}",
        None, "A member may spend (a negative amount); credit comes from billing.",
    )  # fmt: skip


async def post(tx: Any, sql: Sql, schema: Schema, ledger: Ledger, body: dict[str, Any]) -> dict[str, Any]:
    """Move the balance and insert the entry (the caller is already authorised); the inserted entry."""
    table = schema.table(ledger.table)
    assert table is not None
    q = sql.q
    owner, amount = arguments(schema, ledger, body)
    floor = "" if ledger.allow_negative else f" AND {q(ledger.balance)} + ? >= 0"
    moved = await tx.rows(
        sql.render(
            f"UPDATE {q(ledger.owner_table)} SET {q(ledger.balance)} = {q(ledger.balance)} + ? "
            f"WHERE {q(ledger.owner_key)} = ?{floor} RETURNING {q(ledger.balance)}"
        ),
        [amount, owner] + ([] if ledger.allow_negative else [amount]),
    )
    if not moved:
        found = await tx.rows(
            sql.render(f"SELECT {q(ledger.balance)} FROM {q(ledger.owner_table)} WHERE {q(ledger.owner_key)} = ?"),
            [owner],
        )
        if not found:
            raise ConventionError(404, "P0002", f"no {ledger.owner_table} {owner}")
        raise ConventionError(
            400, "P0001", f"insufficient balance: {ledger.owner_table}.{ledger.balance} is {found[0][0]}",
            f"Posting {amount} would leave {found[0][0] + amount}.", "Add credit first, or post a smaller amount.",
        )  # fmt: skip
    values = {name: _value(sql, table, name, v) for name, v in body.items()}
    values[ledger.amount] = amount
    values[ledger.balance_after] = moved[0][0]
    names = list(values)
    inserted = await tx.rows(
        sql.render(
            f"INSERT INTO {q(ledger.table)} ({', '.join(q(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)}) RETURNING *"
        ),
        [values[n] for n in names],
    )
    return dict(zip([c.name for c in table.columns], inserted[0], strict=False))
