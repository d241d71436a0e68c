"""File columns: a column that holds a reference to a stored file (``avatar_url``, ``logo``, ``storage_id``).

The seeds keep avatars, organisation logos, invoice PDFs, test-run reports and
generated media as columns beside their rows; the files themselves belong in
``/storage/v1``. docbase recognises such columns from their names (and comments)
so ``inspect`` can list them and the console can upload into them and preview
them. Nothing about the column changes in the database: it stays the document's
text (or uuid) column, and a client may write any value into it.

A column is a file column when its name is a file noun (``logo``, ``avatar``,
``image``, ``faviconLogo``), or a reference word (``url``, ``path``, ``key``,
``id``, ``ref``) after a file word (``avatar_url``, ``storage_path``,
``reportS3Url``, ``invoice_pdf_url``), or when its comment says it refers to
file storage. Links to elsewhere (``website_url``, ``repository_url``) are not.

What the console writes into it depends on the last word: a URL for ``*_url``
and bare nouns (the object's ``/storage/v1/object/...`` address), the object's
path inside its bucket for ``path``/``key``/``ref`` (``<bucket>/<path>``, what
supabase-js calls ``fullPath``), and the object's id for ``id``.

Switched off per table with ``[conventions.users] file_columns = false`` (or for the
whole document with ``[conventions] file_columns = false``); the bucket the console
uploads into is ``[storage] files_bucket`` (default ``files``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schema.model import Column, Schema, Table
from .base import Applied, enabled, text_of, words

NAME = "file_columns"

# A column named by one of these alone is a file (its value a URL).
NOUNS = frozenset(
    {"avatar", "logo", "image", "photo", "picture", "thumbnail", "icon", "favicon", "screenshot", "screenshots"}
    | {"attachment", "attachments", "video", "audio", "pdf", "banner", "cover", "headshot", "portrait"}
)
# Words that make the reference word after them (url, path, key, id, ref) a file reference.
STEMS = NOUNS | frozenset(
    {"file", "files", "storage", "s3", "object", "blob", "upload", "uploaded", "media", "artifact", "artifacts"}
    | {"report", "logs", "document", "receipt", "invoice", "resume", "cv", "recording", "asset", "download"}
)
# Only these make an ``id`` a stored object's id (``file_id`` usually points at a files table instead).
ID_STEMS = frozenset({"storage", "object", "blob", "s3", "upload"})
REFERENCES = {"url": "url", "uri": "url", "href": "url", "path": "path", "key": "path", "ref": "path", "id": "id"}
COMMENT_WORDS = ("file storage", "storage ref", "storage path", "uploaded file", "upload", "s3 ", "bucket")
TEXT_TYPES = frozenset({"text", "varchar", "char", "citext", "string"})
DEFAULT_BUCKET = "files"
SHORT = {"url": "URL", "path": "path in storage", "id": "object id"}


@dataclass(frozen=True)
class FileColumn:
    """One file column: where it is, what the console writes into it (``url``, ``path`` or ``id``), and why."""

    table: str
    column: str
    kind: str
    line: int
    why: str


def file_columns(schema: Schema, toml: dict[str, Any] | None = None) -> list[FileColumn]:
    """Every file column of ``schema`` that ``docbase.toml`` leaves on, in table then column order.

    Example:
        >>> from docbase.pipeline import build_schema
        >>> s = build_schema("```sql\\nCREATE TABLE users (id int PRIMARY KEY, avatar_url text, website_url text);\\n```")
        >>> [(f.column, f.kind) for f in file_columns(s)]
        [('avatar_url', 'url')]
    """
    found: list[FileColumn] = []
    for table in schema.tables:
        if not enabled(toml, NAME, table.name):
            continue
        for column in table.columns:
            kind = _kind(table, column)
            if kind is not None:
                found.append(FileColumn(table.name, column.name, kind, column.line or table.line, _why(column, kind)))
    return found


def files_bucket(toml: dict[str, Any] | None) -> str:
    """The bucket the console uploads file columns into: ``[storage] files_bucket``, default ``files``."""
    section = (toml or {}).get("storage") or {}
    value = section.get("files_bucket", DEFAULT_BUCKET) if isinstance(section, dict) else DEFAULT_BUCKET
    return value if isinstance(value, str) and value else DEFAULT_BUCKET


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    """One ``Applied`` per table with file columns (for ``inspect``'s conventions list)."""
    by_table: dict[str, list[FileColumn]] = {}
    for f in file_columns(schema, toml):
        by_table.setdefault(f.table, []).append(f)
    out = []
    for name, columns in by_table.items():
        listed = ", ".join(f"{f.column} ({SHORT[f.kind]})" for f in columns)
        why = (
            f"{listed} hold{'s' if len(columns) == 1 else ''} stored files: the console uploads into and previews them"
        )
        out.append(Applied(NAME, name, tuple(f.column for f in columns), why, columns[0].line))
    return out


def _kind(table: Table, column: Column) -> str | None:
    if column.type not in TEXT_TYPES and column.type != "uuid":
        return None
    if any(column.name in fk.columns for fk in table.foreign_keys):
        return None  # a reference to another row, not to a file
    parts = _parts(column.name)
    if not parts:
        return None
    last = parts[-1]
    if last == "id":
        return "id" if any(p in ID_STEMS for p in parts[:-1]) else None
    if column.type == "uuid":
        return None
    if last in NOUNS:
        return "url"
    if last in REFERENCES and any(p in STEMS for p in parts[:-1]):
        return REFERENCES[last]
    comment = text_of(column)
    if any(word in comment for word in COMMENT_WORDS) and column.name not in table.primary_key:
        return REFERENCES.get(last, "path")
    return None


def _parts(name: str) -> list[str]:
    """The name's words in lower case, with ``s3`` kept whole (``reportS3Url`` splits as report, s, 3, url)."""
    out: list[str] = []
    for word in (w.lower() for w in words(name)):
        if out and out[-1].isalpha() and word.isdigit() and len(out[-1]) == 1:
            out[-1] += word
        else:
            out.append(word)
    return out


def _why(column: Column, kind: str) -> str:
    said = {
        "url": "holds a file's URL",
        "path": "holds a file's path in storage",
        "id": "holds a stored file's id",
    }[kind]
    source = "its comment" if not _named_as_file(column) else "its name"
    return f"{said} (from {source}): the console uploads into it and previews it"


def _named_as_file(column: Column) -> bool:
    parts = _parts(column.name)
    return bool(parts) and (parts[-1] in NOUNS or any(p in STEMS for p in parts[:-1]))
