"""Helpers for migration tests: documents as text, and a plain SQLAlchemy engine to look inside."""

from __future__ import annotations

import sqlalchemy as sa


def engine_for(url: str) -> sa.Engine:
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def sql_doc(body: str) -> str:
    return f"# Design\n\n```sql\n{body.strip()}\n```\n"
