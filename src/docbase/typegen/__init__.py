"""Types for client code: what ``supabase gen types typescript`` writes, and typed Python models.

Built from the document (not from a live database), so a project can
generate its client types in CI before anything is deployed. Both writers
read the same per-column facts (:mod:`.columns`: JSON type, NULL in rows,
optional on insert), so TypeScript and Python agree with each other and
with what ``/rest/v1`` returns.
"""

from __future__ import annotations

from pathlib import Path

from ..access.model import AccessModel
from ..ddl.metadata import build
from ..ddl.postgres import enum_types
from ..schema.model import Schema
from .columns import client_tables
from .functions import functions
from .python import to_python
from .typescript import to_typescript

LANGUAGES = ("typescript", "python")


def generate(schema: Schema, language: str, access: AccessModel | None = None) -> tuple[str, list[tuple[int, str]]]:
    """The types module for ``language``, and (line, message) for whatever was left out or guessed.

    Example:
        >>> from docbase.schema.model import Column, Schema, Table
        >>> text, _ = generate(Schema((Table("tags", (Column("id", "integer", nullable=False),), ("id",)),)), "typescript")
        >>> 'tags: {' in text
        True
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be typescript or python, not {language!r}")
    tables, notes = client_tables(schema, access)
    routines, more = functions(schema)
    enums = dict(enum_types(schema, build(schema, "postgresql")))
    if language == "typescript":
        return to_typescript(tables, routines, enums), notes + more
    doc = "the document" if schema.path.startswith("<") else Path(schema.path).name
    return to_python(tables, routines, enums, doc), notes + more


__all__ = ["LANGUAGES", "generate"]
