"""The one place readers are registered, and the loop that runs them.

Order matters only for ``accepts``: the first reader that accepts a block
reads it. Specific notations (SQL, Mermaid, DBML, Prisma, ASCII boxes) come
before the generic ones (column tables, bullets, prose).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from ..document import Block, Document, warning
from .base import Reading
from .continued import join_continued
from .described_references import infer_described_references
from .unmarked_keys import infer_unmarked_keys

_ORDER = (
    "sql",
    "mermaid",
    "plantuml",
    "dbml",
    "prisma",
    "ascii",
    "fields",
    "md_table",
    "relational",
    "bullets",
    "prose",
)


def readers() -> list[ModuleType]:
    """The reader modules present, in order (a notation not yet built is skipped)."""
    found = []
    for name in _ORDER:
        try:
            found.append(importlib.import_module(f"{__package__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
    return found


def read_block(block: Block, modules: list[ModuleType] | None = None) -> Reading:
    for module in modules if modules is not None else readers():
        if module.accepts(block):
            try:
                return module.read(block)
            except Exception as exc:  # a reader bug must not lose the rest of the document
                return Reading(diagnostics=[warning(block.line, f"{module.NAME} reader failed on this block: {exc!r}")])
    return Reading()


def read_document(document: Document, progress: Callable[[int, int], None] | None = None) -> Reading:
    """Run every block through the first reader that accepts it; ``progress(done, total)`` after each."""
    modules = readers()
    result = Reading(diagnostics=list(document.diagnostics))
    total = len(document.blocks)
    for done, block in enumerate(document.blocks, 1):
        result.extend(read_block(block, modules))
        if progress is not None:
            progress(done, total)
    result.fragments = join_continued(result.fragments, result.diagnostics)
    result.fragments = infer_unmarked_keys(result.fragments, result.diagnostics)
    result.fragments = infer_described_references(result.fragments, result.diagnostics)
    return result
