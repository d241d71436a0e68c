"""What a short column comment says: closed values, examples, a reference, optionality.

Diagram notations (Mermaid ``"user | admin"``, DBML ``note: '...'``) carry
facts in free text. The rules, in order:

* introduced by *e.g.* / *for example* / *such as*: **examples**, never an enum
  (the list is not closed); a list ending in ``...`` or *etc* is examples too;
* ``a | b | c`` (optionally after ``Label:``), or *one of a, b, c*: an **enum**;
  a ``null`` alternative means the column is nullable, not a value;
* *references t(c)*, *-> t.c*, *FK to t*, or (on an FK-marked column) a comment
  starting with ``t.c``: a **reference** to table t, columns c;
* starting *optional*, or saying *nullable*: nullable; *required* / *not null*: not.

The comment itself is always kept; this only adds what it states.

``column_type`` settles a written type docbase does not know: ``enum``
(``enum_name`` = the type) when the name looks like an enum type
(``OrderStatus``, ``user_role``), else ``text`` with the type as written
kept in ``raw`` and a message for the caller to report.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..fragments import ColumnFragment, Reference, TypeInfo
from .types import parse_type

_EXAMPLES = re.compile(
    r"(?i)(?:^|[\s(,;])(?:e\.\s?g\.?|eg\.?|for example|for instance|such as|examples?\s*:)(?=[\s:,]|$)\s*[:,]?\s*"
)
_EXAMPLES_CJK = re.compile(r"(?:예시|예\s*[:：)]|例如|比如|例えば|例\s*[:：]|など)\s*[:：]?\s*")
_DEFAULT_CLAUSE = re.compile(r"(?i)\s*[,;，]?\s*\(?(?:default|기본값?|默认值?|デフォルト)\s*[:=：]?\s*[\w'\"]+\)?\s*$")
_CODE = re.compile(r"^(?:[A-Z][A-Z0-9_]*|[^\x00-\x7f\s/,()]+)$")  # ACTIVE, IN_PROGRESS, 매입
_SLASH_ITEM = r"[^\s/,()|]+"
_SLASH_LIST = re.compile(rf"^{_SLASH_ITEM}(?:\s*/\s*{_SLASH_ITEM})+$")
_LABELLED = re.compile(r"^[^()]{1,40}?\s*[(（](?P<body>[^()（）]+)[)）]$")
_ONE_OF = re.compile(r"(?i)^(?:one of|either|allowed(?: values)?|values|enum)\s*[:(]?\s*(.+?)\)?$")
_OPEN_END = re.compile(r"(?i)^(?:\.\.\.|…|etc\.?|and so on|and more)$")
_ENUM_WORDS = (
    "enum status type role kind state level mode category tier plan priority visibility provider "
    "channel frequency method format phase stage action scope permission reason severity gender"
).split()
_SCHEMAS = {"public", "auth", "storage", "extensions"}
_NULLS = {"null", "none", "nil", "empty", "unset"}

_IDENT = r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?"
_REFERENCE = re.compile(
    rf"(?i)(?:\breferences?\b|\brefs?\b:?|->|→|\bfk\s*(?:to|->|→|:)|\bforeign key\s*(?:to|->|→|:)?|\bpoints? to\b|\blinks? to\b)"
    rf"\s*`?(?P<table>{_IDENT})`?\s*(?:\((?P<cols>[\w\s,]+)\)|\.(?P<col>\w+))?(?P<after>.*)$"
)
_LEADING_REF = re.compile(r"^`?(?P<table>[A-Za-z_]\w*)\.(?P<col>[A-Za-z_]\w*)`?(?:\s|$|,|;)")


def read_comment(column: ColumnFragment, comment: str) -> ColumnFragment:
    """Return ``column`` with what ``comment`` states added (see module docstring)."""
    text = comment.strip()
    examples = _examples(text)
    if examples:
        column = replace(column, examples=examples)
    else:
        values, open_list, has_null = _alternatives(text)
        if values and open_list:
            column = replace(column, examples=values)
        elif values:
            column = replace(column, enum=values)
        if has_null and column.nullable is None:
            column = replace(column, nullable=True)
    reference = _reference(text, column.fk_marked, column.line)
    if reference is not None and column.references is None:
        column = replace(column, references=reference)
    nullable = _nullability(text)
    if nullable is not None and column.nullable is None:
        column = replace(column, nullable=nullable)
    return column


def _split_values(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|\||;|\s+or\s+|\s+and\s+)\s*", text.strip().rstrip(".)"))
    cleaned = (_clean(re.sub(r"(?i)^(?:and|or)\s+", "", p)) for p in parts)
    return [p for p in cleaned if p]


def _clean(value: str) -> str:
    return value.strip().strip("\"'`“”‘’").strip()


def _examples(text: str) -> tuple[str, ...] | None:
    m = _EXAMPLES.search(text) or _EXAMPLES_CJK.search(text)
    if not m:
        return None
    tail = text[m.end() :]
    if "(" in text[: m.start() + 1] and ")" in tail:
        tail = tail[: tail.index(")")]
    values = [v for v in _split_values(tail) if not _OPEN_END.match(v)]
    return tuple(values) or None


def _looks_like_value(value: str) -> bool:
    return 0 < len(value) <= 40 and len(value.split()) <= 3 and not re.search(r"[{}<>=]", value)


def _alternatives(text: str) -> tuple[tuple[str, ...] | None, bool, bool]:
    """``a | b | c`` or *one of a, b* -> (values, list is open-ended, a null alternative was given)."""
    if "|" in text:
        body = text.split(":", 1)[1] if re.match(r"^[\w ]{1,30}:[^:]*\|", text) else text
        raw = [_clean(p) for p in body.split("|")]
    elif (m := _ONE_OF.match(text)) is not None:
        raw = _split_values(m.group(1))
    else:
        raw = _listed(text)
        if raw is None:
            return None, False, False
    if len(raw) < 2 or not all(raw):
        return None, False, False
    open_list = bool(raw) and _OPEN_END.match(raw[-1]) is not None
    kept = [v for v in raw if not _OPEN_END.match(v)]
    has_null = any(v.lower() in _NULLS for v in kept)
    kept = [v for v in kept if v.lower() not in _NULLS]
    if not kept or not all(_looks_like_value(v) for v in kept):
        return None, False, False
    return tuple(dict.fromkeys(kept)), open_list, has_null


def _listed(text: str) -> list[str] | None:
    """``A / B / C`` or ``Label (A, B)`` / ``Label(a/b)``, with a trailing ``, default A`` set aside.

    A slash list is values when its slashes are spaced or its items are codes
    (``ACTIVE``, ``매입``), so ``YYYY/MM/DD`` and ``read/write access`` stay text;
    a comma list only in parentheses after a label, and only of codes.
    """
    body = _DEFAULT_CLAUSE.sub("", text).strip()
    labelled = _LABELLED.match(body)
    if labelled:
        inner = labelled.group("body").strip()
        if _SLASH_LIST.match(inner):
            items = [p.strip() for p in inner.split("/")]
        else:
            items = [p.strip() for p in re.split(r"\s*[,，、]\s*", inner)]
            if len(items) < 2 or not all(_CODE.match(i) for i in items):
                return None
        return items
    if _SLASH_LIST.match(body):
        items = [p.strip() for p in body.split("/")]
        formats = all(re.match(r"^([A-Za-z])\1*$", i) for i in items)  # YYYY/MM/DD is a date format
        if not formats and (" / " in body or all(_CODE.match(i) for i in items)):
            return items
    return None


def _reference(text: str, fk_marked: bool, line: int) -> Reference | None:
    m = _REFERENCE.search(text)
    if m:
        after = m.group("after").strip()
        named_columns = m.group("cols") or m.group("col")
        # "references the parent row" names no table: demand a column, or nothing but a short tail
        if named_columns or not after or re.match(r"(?i)^(?:via|on|using|with|[,;.(])", after):
            return _make_reference(m.group("table"), named_columns, line)
    if fk_marked:
        lead = _LEADING_REF.match(text)
        if lead:
            return _make_reference(lead.group("table"), lead.group("col"), line)
    return None


def _make_reference(table: str, columns: str | None, line: int) -> Reference:
    cols = tuple(c.strip() for c in (columns or "").split(",") if c.strip())
    # "-> users.id" names a column; "auth.users" (a well-known schema first) a table
    if not columns and "." in table and table.split(".")[0].lower() not in _SCHEMAS:
        table, col = table.rsplit(".", 1)
        cols = (col,)
    return Reference(table, cols, line=line)


def _nullability(text: str) -> bool | None:
    lowered = text.lower()
    if re.match(r"^\(?optional\b", lowered) or re.search(r"\(optional\)|\bnullable\b", lowered):
        return True
    if re.match(r"^\(?required\b", lowered) or re.search(r"\bnot null\b|\bnon-null\b", lowered):
        return False
    return None


def column_type(raw: str) -> tuple[TypeInfo, tuple[str, ...] | None, str | None]:
    """Type as written -> (TypeInfo, enum values from ``enum(a, b)``, warning or None)."""
    info = parse_type(raw)
    if info is not None:
        values = None
        if info.name == "enum":
            m = re.search(r"\((.*)\)", raw)
            values = tuple(v for v in (_clean(p) for p in m.group(1).split(",")) if v) if m else None
        return info, values or None, None
    base = re.sub(r"[\[\]()?~]", "", raw).strip()
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", base)]
    if words and words[-1] in _ENUM_WORDS:
        return TypeInfo("enum", raw, enum_name=base), None, None
    return TypeInfo("text", raw), None, f"unknown type '{raw}' is read as text"
