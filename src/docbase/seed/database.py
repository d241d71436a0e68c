"""Make sure the database has the document's tables before seeding it.

``docbase seed`` on a fresh URL should just work, so missing tables are
created the way ``docbase migrate`` creates them. When the migrate package
is not importable (a trimmed install), the same DDL statements from
``docbase.ddl`` are run directly on an empty database.
"""

from __future__ import annotations

import sqlalchemy as sa

from .. import dburl
from ..db import connections
from ..ddl import statements
from ..schema.model import Schema


def dialect_of(url: str) -> str:
    return dburl.parse(url).dialect


def engine_url(url: str) -> str:
    """SQLAlchemy URL with psycopg (v3) for PostgreSQL, as the rest of docbase uses."""
    return dburl.parse(url).sqlalchemy()


def ensure_tables(schema: Schema, url: str) -> None:
    """Create the document's tables when the database lacks them."""
    try:
        from ..migrate import migrate  # type: ignore[attr-defined]
    except ImportError:
        migrate = None
    if migrate is not None:
        migrate(schema, url)
        return
    create_tables(schema, url)


def create_tables(schema: Schema, url: str) -> None:
    """Run docbase's DDL for the document on a database that has none of its tables yet."""
    dialect = dialect_of(url)
    engine = connections.engine(url, statement_timeout=0)
    try:
        with engine.begin() as conn:
            present = set(sa.inspect(conn).get_table_names())
            if {t.name for t in schema.tables} <= present:
                return
            cursor = conn.connection.dbapi_connection.cursor()
            for sql in statements(schema, dialect).statements:
                cursor.execute(sql)  # no parameters: psycopg leaves % in PL/pgSQL alone
    finally:
        engine.dispose()
