"""Stage: Supabase Storage (/storage/v1): buckets and objects as rows, bytes in a local store.

What other stages use:
- ``storage_routes(schema, url, secret)``: the routes to mount at ``/storage/v1``.
- ``storage_tables(dialect)`` / ``create_storage_tables(conn)``: the one definition of
  ``storage.buckets`` and ``storage.objects`` (``storage_*`` on SQLite).
"""

from .routes import build_storage, storage_routes
from .tables import create_storage_tables, storage_tables

__all__ = ["build_storage", "create_storage_tables", "storage_routes", "storage_tables"]
