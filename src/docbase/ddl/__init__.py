"""Stage 4 (consumer): the schema model -> SQLAlchemy MetaData -> DDL for SQLite and PostgreSQL."""

from .metadata import build_metadata

__all__ = ["build_metadata"]
