"""Stage: Supabase-compatible auth (/auth/v1) and the API keys that go with it.

What other stages use:
- ``auth_routes(schema, engine, config, secret)``: the /auth/v1 routes to mount.
- ``auth_metadata(dialect)`` / ``create_auth_tables(conn)``: the one definition of the
  auth tables (schema ``auth`` on PostgreSQL, ``auth_*`` on SQLite), e.g. for the
  ``auth.users`` a document references.
- ``hidden_columns(schema)``: password-hash columns the REST API must never return.
"""

from .config import AuthConfig
from .profiles import find_profile_table, hidden_columns
from .routes import auth_routes
from .tables import auth_metadata, auth_tables, create_auth_tables, users_table_name

__all__ = [
    "AuthConfig",
    "auth_metadata",
    "auth_routes",
    "auth_tables",
    "create_auth_tables",
    "find_profile_table",
    "hidden_columns",
    "users_table_name",
]
