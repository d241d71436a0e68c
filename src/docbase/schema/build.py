"""Document text -> Schema: split, read, merge, infer, validate."""

from __future__ import annotations

from pathlib import Path

from ..document import read_text, split
from ..readers import read_document
from .merge import merge
from .model import Schema


def build_schema(text: str, path: str = "<document>") -> Schema:
    """Build the schema model of a design document's text.

    Example:
        >>> s = build_schema("```sql\\nCREATE TABLE t (id uuid PRIMARY KEY);\\n```")
        >>> s.table("t").primary_key
        ('id',)
    """
    document = split(text, path)
    reading = read_document(document)
    return merge(reading.fragments, reading.diagnostics, path)


def load_schema(path: str | Path) -> Schema:
    """Read a document file (Markdown or text) into a Schema; bad bytes become diagnostics."""
    p = Path(path)
    text, diagnostics = read_text(str(p), p.read_bytes())
    if text is None:
        return Schema(tables=(), diagnostics=tuple(diagnostics), path=str(p))
    schema = build_schema(text, str(p))
    if diagnostics:
        from dataclasses import replace

        schema = replace(schema, diagnostics=tuple(diagnostics) + schema.diagnostics)
    return schema
