"""Stage 4 (consumer): the schema model -> SQLAlchemy MetaData -> DDL for SQLite and PostgreSQL."""

from .metadata import build_metadata
from .render import statements, to_ddl

__all__ = ["build_metadata", "statements", "to_ddl"]
