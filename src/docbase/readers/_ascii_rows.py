"""Read the text of one box row (``email (UNIQUE)``, ``user_id (FK → users)``).

A row is a column name, optionally followed by a written type and by
markers, in parentheses (``(PK)``, ``(FK, UNIQUE)``, ``(FK -> users.id)``)
or bare (``id  UUID  PK``), and markers may also lead (``PK id``). What is
not understood is kept as the column's comment rather than dropped, and a
row that does not start with a name is reported by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..fragments import Reference, TypeInfo
from .types import parse_type

_NAME = re.compile(r"^[`\"']?(?P<name>[A-Za-z_][\w$]*)[`\"']?\s*:?\s*")
_PARENS = re.compile(r"\(([^()]*)\)")
_FK = re.compile(
    r"^(?:FK|FOREIGN\s+KEY|REFERENCES|REF)\b\s*(?:(?:→|->|=>|:|to\b|TO\b)?\s*)"
    r"(?P<table>[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)?\s*(?:\((?P<col>[\w$]+)\))?\s*$",
    re.IGNORECASE,
)
_SLASH_VALUES = re.compile(r"^\s*[\w.-]+(?:\s*/\s*[\w.-]+)+\s*$")
_LEADING_MARKER = re.compile(r"^(?:(?:PK|FK|UK|UQ)(?:\s*:\s*|\s+)|(?:🔑|[*•·▪-])\s*)(?=[A-Za-z_`\"'])", re.IGNORECASE)


@dataclass
class RowReading:
    """What one row says about its column; fields mirror ``ColumnFragment``."""

    name: str
    type: TypeInfo | None = None
    primary_key: bool = False
    unique: bool = False
    fk_marked: bool = False
    references: Reference | None = None
    nullable: bool | None = None
    enum: tuple[str, ...] | None = None
    comments: list[str] = field(default_factory=list)


def table_name(title: str) -> str:
    """ALL-CAPS box titles are lower-cased; spaces become ``_``; other case is kept.

    >>> table_name("WORKSPACE_INVITATIONS"), table_name("orderItems"), table_name("Order Items")
    ('workspace_invitations', 'orderItems', 'Order_Items')
    """
    name = re.sub(r"\s+", "_", title.strip().strip("`\"'*"))
    letters = [ch for ch in name if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        return name.lower()
    return name


def read_row(text: str, line: int) -> RowReading | None:
    """Read a row's text, or None when it does not begin with a column name."""
    body = text.strip()
    leading: list[str] = []
    while m := _LEADING_MARKER.match(body):
        leading.append(m.group(0).strip())
        body = body[m.end() :]
    m = _NAME.match(body)
    if not m:
        return None
    reading = RowReading(m.group("name"))
    rest = body[m.end() :]
    for marker in leading:
        _marker(reading, marker.strip(" *•·▪-:") or marker, line)
    for group in _PARENS.findall(rest):
        _group(reading, group, line)
    bare = _PARENS.sub(" ", rest).strip()
    if bare:
        _bare(reading, bare, line)
    return reading


def _group(reading: RowReading, group: str, line: int) -> None:
    """One parenthesised group: comma-separated markers, a type, or a value list."""
    if _SLASH_VALUES.match(group) and "/" in group:
        reading.enum = tuple(v.strip() for v in group.split("/") if v.strip())
        if reading.type is None:
            reading.type = TypeInfo("enum", group.strip())
        return
    for item in (part.strip() for part in group.split(",")):
        if item and not _marker(reading, item, line):
            reading.comments.append(item)


def _bare(reading: RowReading, text: str, line: int) -> None:
    """Text outside parentheses: a written type, then bare markers."""
    tokens = text.split()
    i = 0
    if reading.type is None:
        for n in (3, 2, 1):  # "timestamp with time zone", "double precision", "uuid"
            candidate = " ".join(tokens[:n])
            if len(tokens) >= n and _written_type(candidate) is not None:
                reading.type = _written_type(candidate)
                i = n
                break
    leftover: list[str] = []
    while i < len(tokens):
        if tokens[i].upper() in ("FK", "REFERENCES", "REF"):
            for n in (3, 2):  # "FK -> users.id", "REFERENCES users(id)"
                if i + n <= len(tokens) and _FK.match(" ".join(tokens[i : i + n])):
                    _marker(reading, " ".join(tokens[i : i + n]), line)
                    i += n
                    break
            else:
                _marker(reading, tokens[i], line)
                i += 1
        elif " ".join(tokens[i : i + 2]).upper() in ("NOT NULL", "PRIMARY KEY"):
            _marker(reading, " ".join(tokens[i : i + 2]), line)
            i += 2
        elif _marker(reading, tokens[i], line):
            i += 1
        else:
            leftover.append(tokens[i])
            i += 1
    if leftover:
        reading.comments.append(" ".join(leftover))


def _marker(reading: RowReading, item: str, line: int) -> bool:
    """Apply one marker to the row; False when the item is not a marker docbase knows."""
    upper = re.sub(r"\s+", " ", item.strip()).upper()
    if upper in ("PK", "PRIMARY KEY", "🔑"):
        reading.primary_key = True
    elif upper in ("UNIQUE", "UK", "UQ", "U"):
        reading.unique = True
    elif upper in ("NOT NULL", "REQUIRED", "NN"):
        reading.nullable = False
    elif upper in ("NULL", "NULLABLE", "OPTIONAL"):
        reading.nullable = True
    elif m := _FK.match(item.strip()):
        reading.fk_marked = True
        target = m.group("table")
        if target:
            table, _, column = target.partition(".")
            columns = (column,) if column else ((m.group("col"),) if m.group("col") else ())
            reading.references = Reference(table_name(table), columns, line=line)
    elif (written := _written_type(item)) is not None and reading.type is None:
        reading.type = written
    else:
        return False
    return True


# Aliases that are ordinary English words in a row ("email address") rather than types.
_NOT_TYPES = {"name", "email", "url", "id"}


def _written_type(text: str) -> TypeInfo | None:
    if text.strip().lower() in _NOT_TYPES:
        return None
    return parse_type(text)
