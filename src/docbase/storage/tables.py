"""The storage tables, one definition for every dialect: ``storage.buckets`` and ``storage.objects``.

PostgreSQL keeps them in schema ``storage`` with Supabase's names and the columns
clients and SQL written for Supabase read (``bucket_id``, ``name``, ``owner_id``,
``metadata``, ``user_metadata``, ``public``, ``file_size_limit``,
``allowed_mime_types``). SQLite has no schemas, so the same tables are
``storage_buckets`` and ``storage_objects`` (docbase.migrate treats the prefix as
docbase's own, never the document's). The bytes are not in the database: an object
row names its blob (``version``) in the store. ``uploads`` holds resumable (TUS)
uploads under way.

Like the auth tables they are created on first use (``create_storage_tables``), so a
database migrated before storage existed gains them without a migration step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

SCHEMA = "storage"
SQLITE_PREFIX = "storage_"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TEXTS = sa.JSON().with_variant(ARRAY(sa.Text), "postgresql")
_TS = sa.DateTime(timezone=True)


@dataclass(frozen=True)
class StorageTables:
    metadata: sa.MetaData
    buckets: sa.Table
    objects: sa.Table
    uploads: sa.Table


def table_names(dialect: str) -> tuple[str, str]:
    """How SQL in this dialect names the two tables."""
    if dialect == "postgresql":
        return f"{SCHEMA}.buckets", f"{SCHEMA}.objects"
    return f"{SQLITE_PREFIX}buckets", f"{SQLITE_PREFIX}objects"


@cache
def storage_tables(dialect: str) -> StorageTables:
    """The tables for ``dialect`` (schema ``storage`` on PostgreSQL, the ``storage_`` prefix elsewhere)."""
    pg = dialect == "postgresql"
    md = sa.MetaData(schema=SCHEMA if pg else None)
    prefix = "" if pg else SQLITE_PREFIX
    buckets = sa.Table(
        prefix + "buckets",
        md,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("owner", sa.Uuid, nullable=True, comment="deprecated in Supabase: owner_id"),
        sa.Column("owner_id", sa.Text, nullable=True),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("file_size_limit", sa.BigInteger, nullable=True),
        sa.Column("allowed_mime_types", _TEXTS, nullable=True),
        sa.Column("type", sa.Text, nullable=False, server_default="STANDARD"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    objects = sa.Table(
        prefix + "objects",
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "bucket_id",
            sa.Text,
            sa.ForeignKey(f"{SCHEMA}.buckets.id" if pg else f"{prefix}buckets.id"),
            nullable=False,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner", sa.Uuid, nullable=True, comment="deprecated in Supabase: owner_id"),
        sa.Column("owner_id", sa.Text, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("last_accessed_at", _TS, nullable=False),
        sa.Column("metadata", _JSON, nullable=True, comment="size, mimetype, eTag, cacheControl, ..."),
        sa.Column("user_metadata", _JSON, nullable=True),
        sa.Column("version", sa.Text, nullable=False, comment="the blob holding the bytes, in the store"),
        sa.UniqueConstraint("bucket_id", "name", name="bucketid_objname"),
    )
    uploads = sa.Table(
        prefix + "uploads",
        md,
        sa.Column("id", sa.Text, primary_key=True, comment="TUS upload id; its bytes gather in the store"),
        sa.Column("bucket_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner_id", sa.Text, nullable=True),
        sa.Column("upsert", sa.Boolean, nullable=False),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("mimetype", sa.Text, nullable=False),
        sa.Column("cache_control", sa.Text, nullable=False),
        sa.Column("user_metadata", _JSON, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    return StorageTables(md, buckets, objects, uploads)


def create_storage_tables(conn: sa.Connection) -> None:
    """Create schema and tables on a (sync) connection when missing; leave existing ones alone."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    storage_tables(conn.dialect.name).metadata.create_all(conn, checkfirst=True)
