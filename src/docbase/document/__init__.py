"""Stage 1: a document's text split into located blocks."""

from .blocks import Block, Document, ListItem, TableRow, read_text, split
from .diagnostics import Diagnostic, error, info, warning

__all__ = ["Block", "Diagnostic", "Document", "ListItem", "TableRow", "error", "info", "read_text", "split", "warning"]
