"""Types for columns the document leaves untyped, and vector columns.

Evidence, strongest first: the type of the column a reference points to
(a foreign key has its target's type); the type the same column name has
elsewhere in the document (a box-only table's ``id`` is VARCHAR when the
document's other ``id`` columns are); then the name itself (``*_id``,
``*_at``, ``is_*``, ``*_count``, ``*_cents``, ``*_json``, ``metadata``...).
Each inferred column is marked ``inferred`` and reported once per table.

A ``float[]``/``number[]`` column described as ``N-dim``/``N dimensions``
(or typed ``vector(N)``) is a vector of N dimensions.
"""

from __future__ import annotations

import re
from collections import Counter

from ..document.diagnostics import Diagnostic, info
from ..fragments import TypeInfo
from .attach import resolve
from .drafts import ColumnDraft, TableDraft
from .names import words

_DIM = re.compile(r"(\d{2,5})\s*-?\s*(?:dim\b|dims\b|dimension|d\b|-d\b)", re.IGNORECASE)

_BY_SUFFIX: tuple[tuple[tuple[str, ...], str], ...] = (
    (("at", "on", "until", "expiry", "expires"), "timestamp"),
    (("date", "day"), "date"),
    (("count", "cents", "number", "seq", "sequence", "priority", "retries", "attempts", "port", "version"), "integer"),
    (("json", "metadata", "config", "settings", "context", "payload", "data", "properties", "preferences"), "jsonb"),
    (("ip",), "inet"),
    (("price", "amount", "balance", "rate", "percentage", "percent", "score"), "numeric"),
)
_BOOL_PREFIX = ("is", "has", "can", "should", "allow", "enable")
_BOOL_WORDS = ("enabled", "active", "verified", "visible", "default", "deleted", "archived", "published")


def infer(tables: dict[str, TableDraft], diags: list[Diagnostic]) -> None:
    by_name = _document_types(tables)
    timestamp = _timestamp_flavour(tables)
    for table in tables.values():
        guessed: list[str] = []
        for col in table.columns.values():
            _vector(col)
            if col.type is not None:
                continue
            col.type = _from_reference(col, tables) or by_name.get(col.name) or _from_name(col, timestamp)
            col.inferred = True
            guessed.append(f"{col.name}: {col.type.name}")
        if guessed:
            diags.append(
                info(
                    table.line,
                    f"{table.name}: the document gives no type for {len(guessed)} column(s); "
                    f"inferred from names: {', '.join(guessed)}",
                )
            )


def _document_types(tables: dict[str, TableDraft]) -> dict[str, TypeInfo]:
    """The type each column name most often has where the document states it."""
    seen: dict[str, Counter[TypeInfo]] = {}
    for table in tables.values():
        for col in table.columns.values():
            if col.type is not None and col.type.name not in ("enum",):
                plain = col.type if col.type.enum_name is None else _plain(col.type)
                seen.setdefault(col.name, Counter())[plain] += 1
    return {name: counts.most_common(1)[0][0] for name, counts in seen.items()}


def _plain(t: TypeInfo) -> TypeInfo:
    return TypeInfo(t.name, t.raw, t.length, t.precision, t.scale, t.item, t.dimension)


def _timestamp_flavour(tables: dict[str, TableDraft]) -> str:
    counts = Counter(
        c.type.name
        for t in tables.values()
        for c in t.columns.values()
        if c.type and c.type.name.startswith("timestamp")
    )
    return counts.most_common(1)[0][0] if counts else "timestamp"


def _from_reference(col: ColumnDraft, tables: dict[str, TableDraft]) -> TypeInfo | None:
    if col.references is None:
        return None
    target = resolve(tables, col.references.table)
    if target is None:
        return TypeInfo("uuid", "") if col.references.table == "auth.users" else None
    ref_cols = (
        col.references.columns
        or tuple(target.primary_key)
        or tuple(c.name for c in target.columns.values() if c.primary_key)
    )
    if len(ref_cols) != 1:
        return None
    ref = target.find(ref_cols[0])
    if ref is None or ref.type is None or ref.type.name == "enum":
        return None
    return _plain(ref.type)


def _from_name(col: ColumnDraft, timestamp: str) -> TypeInfo:
    ws = words(col.name)
    if not ws:
        return TypeInfo("text", "")
    last = ws[-1]
    if col.name.lower() in ("id", "_id") or last in ("id", "uuid"):
        return TypeInfo("uuid", "")
    if ws[0] in _BOOL_PREFIX or (len(ws) == 1 and last in _BOOL_WORDS):
        return TypeInfo("boolean", "")
    for suffixes, name in _BY_SUFFIX:
        if last in suffixes:
            return TypeInfo(timestamp if name == "timestamp" else name, "")
    if last in ("ts",):
        return TypeInfo("text", "")
    return TypeInfo("text", "")


def _vector(col: ColumnDraft) -> None:
    t = col.type
    if t is None:
        return
    if t.name == "vector":
        return
    if t.name == "array" and t.item == "float":
        m = _DIM.search(col.comment or "")
        if m:
            col.type = TypeInfo("vector", t.raw, dimension=int(m.group(1)))
            col.notes.append(f"vector: {m.group(1)} dimensions")
