"""``docbase_migrations``: one row per applied plan (document hash, time, operations as JSON).

The table is how docbase tells its own database from one holding unrelated
tables, and lets people see what each ``docbase migrate`` changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from .live import HISTORY_TABLE
from .plan import Plan

_DDL = {
    "postgresql": (
        f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (id bigserial PRIMARY KEY, applied_at timestamptz NOT NULL, "
        "document_hash text NOT NULL, operations jsonb NOT NULL)"
    ),
    "sqlite": (
        f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, applied_at TEXT NOT NULL, "
        "document_hash TEXT NOT NULL, operations TEXT NOT NULL)"
    ),
}


def has_history(conn: sa.Connection) -> bool:
    schema = "public" if conn.dialect.name == "postgresql" else None
    return sa.inspect(conn).has_table(HISTORY_TABLE, schema=schema)


def record(conn: sa.Connection, plan: Plan) -> None:
    now = datetime.now(UTC)
    conn.exec_driver_sql(_DDL[conn.dialect.name])
    conn.execute(
        sa.text(f"INSERT INTO {HISTORY_TABLE} (applied_at, document_hash, operations) VALUES (:at, :hash, :ops)"),
        {
            # sqlite3's datetime adapter is deprecated; PostgreSQL wants a real timestamp
            "at": now if conn.dialect.name == "postgresql" else now.isoformat(),
            "hash": plan.document_hash,
            "ops": json.dumps([op.to_json() for op in plan.ordered()]),
        },
    )


def applied(conn: sa.Connection) -> list[dict[str, object]]:
    """Every recorded plan, oldest first."""
    if not has_history(conn):
        return []
    rows = conn.execute(sa.text(f"SELECT applied_at, document_hash, operations FROM {HISTORY_TABLE} ORDER BY id"))
    out = []
    for at, digest, ops in rows:
        out.append(
            {
                "applied_at": str(at),
                "document_hash": digest,
                "operations": ops if isinstance(ops, list) else json.loads(ops),
            }
        )
    return out
