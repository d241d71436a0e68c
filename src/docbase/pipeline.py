"""Document text -> Schema: split (document), read (readers), merge (schema).

The composition of the three stages lives here, above them, so that no stage
imports a later one: readers and schema share only the fragment types
(``docbase.fragments``), and neither imports the other.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .document import read_text, split
from .readers import read_document
from .schema.merge import merge
from .schema.model import Schema

Progress = Callable[[int, int], None]
"""Called with (blocks read, blocks in the document) as reading goes; the CLI draws it on stderr."""


def build_schema(text: str, path: str = "<document>", progress: Progress | None = None) -> Schema:
    """Build the schema model of a design document's text.

    Example:
        >>> s = build_schema("```sql\\nCREATE TABLE t (id uuid PRIMARY KEY);\\n```")
        >>> s.table("t").primary_key
        ('id',)
    """
    with _gc_paused():
        document = split(text, path)
        reading = read_document(document, progress)
        schema = merge(reading.fragments, reading.diagnostics, path)
        # Freed by reference counting here, while collection is still paused: left alive until the
        # collector is switched back on, the blocks and fragments would be the first pass's work.
        del document, reading
    return schema


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading allocates many small objects and frees few; the cyclic collector's passes over the
    growing heap made time grow faster than the document (bench/read.py: 1.2x per table at 2,000
    tables, 1.0x with collection paused). Nothing here needs cycles collected mid-read."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_schema(path: str | Path, progress: Progress | None = None) -> Schema:
    """Read a document file (Markdown or text) into a Schema; bad bytes become diagnostics."""
    p = Path(path)
    text, diagnostics = read_text(str(p), p.read_bytes())
    if text is None:
        return Schema(tables=(), diagnostics=tuple(diagnostics), path=str(p))
    schema = build_schema(text, str(p), progress)
    if diagnostics:
        from dataclasses import replace

        schema = replace(schema, diagnostics=tuple(diagnostics) + schema.diagnostics)
    return schema
