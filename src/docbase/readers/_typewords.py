"""Type cells as schema-less stores write them: Convex validators, TypeScript, MongoDB words.

``readers.types.parse_type`` knows SQL's vocabulary. Documents for Convex,
Firestore or MongoDB describe fields in their own words: ``v.id("users")``,
``v.optional(v.string())``, ``Id<"users">``, ``string | null``,
``"draft" | "published"``, ``ObjectId``, ``Mixed``. These carry more than a
type (a reference, optionality, a closed set of literals), so the answer is a
``TypeWords`` rather than a bare TypeInfo. Everything else falls through to
``parse_type`` unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..fragments import Reference, TypeInfo
from ._cells import split_top
from .types import parse_type

_NOSQL = {
    "objectid": "text",
    "mixed": "jsonb",
    "any": "jsonb",
    "unknown": "jsonb",
    "record": "jsonb",
    "document": "jsonb",
    "decimal128": "numeric",
    "int32": "integer",
    "int64": "bigint",
    "float64": "float",
    "double": "float",
    "buffer": "bytes",
    "bindata": "bytes",
    "arraybuffer": "bytes",
    "geopoint": "jsonb",
    "reference": "text",
    "null": None,
}
_CONVEX = {
    "string": "text",
    "number": "float",
    "float64": "float",
    "int64": "bigint",
    "bigint": "bigint",
    "boolean": "boolean",
    "bytes": "bytes",
    "any": "jsonb",
    "object": "jsonb",
    "record": "jsonb",
}


@dataclass(frozen=True)
class TypeWords:
    type: TypeInfo | None
    nullable: bool | None = None
    references: Reference | None = None
    enum: tuple[str, ...] | None = None
    key: str = ""  # "pk", "fk" or "pk fk": a key marker wrapped around the type (``pk(INT)``, ``FK(uuid)``)


def _unquote(text: str) -> str | None:
    m = re.fullmatch(r"\s*(?:\"([^\"]*)\"|'([^']*)')\s*", text)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def _convex(text: str, raw: str) -> TypeWords | None:
    m = re.fullmatch(r"v\.(\w+)\((.*)\)", text, re.DOTALL)
    if not m:
        return None
    kind, arg = m.group(1), m.group(2).strip()
    if kind == "optional":
        inner = read_type_words(arg)
        return TypeWords(inner.type, True, inner.references, inner.enum)
    if kind == "id":
        table = _unquote(arg)
        ref = Reference(table) if table else None
        return TypeWords(TypeInfo("text", raw), references=ref)
    if kind == "array":
        inner = read_type_words(arg)
        return TypeWords(TypeInfo("array", raw, item=inner.type.name if inner.type else None))
    if kind == "literal":
        value = _unquote(arg)
        return TypeWords(TypeInfo("enum", raw), enum=(value,)) if value is not None else None
    if kind == "union":
        return _union(split_top(arg), raw, convex=True)
    if kind == "null":
        return TypeWords(None, True)
    name = _CONVEX.get(kind)
    return TypeWords(TypeInfo(name, raw)) if name else None


def _union(parts: list[str], raw: str, convex: bool = False) -> TypeWords | None:
    literals: list[str] = []
    others: list[TypeWords] = []
    nullable = None
    for part in parts:
        value = _unquote(part) if not convex else None
        if convex:
            lm = re.fullmatch(r"\s*v\.literal\((.*)\)\s*", part)
            value = _unquote(lm.group(1)) if lm else None
        if value is not None:
            literals.append(value)
        elif part.strip() in ("null", "undefined", "v.null()"):
            nullable = True
        else:
            others.append(read_type_words(part))
    if literals and not others:
        return TypeWords(TypeInfo("enum", raw), nullable, enum=tuple(literals))
    if len(others) == 1 and not literals and others[0].type is not None:
        return TypeWords(others[0].type, nullable, others[0].references, others[0].enum)
    return None


# Django model fields as design notes write them: ``CharField(max_length=25)``, ``ForeignKey(team) / int``.
_DJANGO = {
    "charfield": "varchar",
    "emailfield": "varchar",
    "slugfield": "varchar",
    "urlfield": "varchar",
    "textfield": "text",
    "integerfield": "integer",
    "positiveintegerfield": "integer",
    "smallintegerfield": "smallint",
    "positivesmallintegerfield": "smallint",
    "bigintegerfield": "bigint",
    "booleanfield": "boolean",
    "datetimefield": "timestamp",
    "datefield": "date",
    "timefield": "time",
    "decimalfield": "numeric",
    "floatfield": "float",
    "uuidfield": "uuid",
    "jsonfield": "jsonb",
    "imagefield": "text",
    "filefield": "text",
    "genericipaddressfield": "inet",
}
_DJANGO_FIELD = re.compile(r"(?i)(?:models\.)?(\w+Field|ForeignKey|OneToOneField)\s*\((.*)\)(?:\s*/\s*(\w+))?")


def _django(text: str, raw: str) -> TypeWords | None:
    m = _DJANGO_FIELD.fullmatch(text)
    if not m:
        return None
    kind, args = m.group(1).lower(), split_top(m.group(2))
    named = dict(a.split("=", 1) for a in (x.replace(" ", "") for x in args) if "=" in a)
    if kind in ("foreignkey", "onetoonefield"):
        target = next((a.strip().strip("'\"") for a in args if "=" not in a), "")
        target = target.rsplit(".", 1)[-1]
        if not re.fullmatch(r"[^\W\d]\w*", target) or target == "self":
            return TypeWords(None, key="fk")
        stored = parse_type(m.group(3)) if m.group(3) else None  # "ForeignKey(team) / int": the stored type
        return TypeWords(stored, references=Reference(target), key="fk uq" if kind == "onetoonefield" else "fk")
    name = _DJANGO.get(kind)
    if name is None:
        return None
    length = named.get("max_length")
    digits, places = named.get("max_digits"), named.get("decimal_places")
    nullable = True if named.get("null") == "True" else None
    return TypeWords(
        TypeInfo(
            name,
            raw,
            length=int(length) if length and length.isdigit() else None,
            precision=int(digits) if digits and digits.isdigit() else None,
            scale=int(places) if places and places.isdigit() else None,
        ),
        nullable,
    )


# ``pk(INT)``, ``fk(INT)``, ``PK,FK(uuid)``: a key marker written as a wrapper around the type.
_KEY_WRAPPED = re.compile(r"(?i)((?:pk|fk|uk|uq)(?:\s*[,/&+]?\s*(?:pk|fk|uk|uq))*)\s*\((.+)\)")


# A type cell that names the key it holds instead of a type: "status_id FK", "FK → users", "FK: role_id".
_NAMED_FK = re.compile(r"(?i)([^\W\d]\w*)\s+FK|FK\s*(?:→|->|:)?\s*([^\W\d]\w*)")


@lru_cache(maxsize=1 << 14)  # pure, and called with the same few strings all through a document
def read_type_words(raw: str) -> TypeWords:
    """Read a written type in any of the vocabularies above; ``type`` None when none fits.

    >>> read_type_words('v.optional(v.id("users"))').references.table
    'users'
    >>> read_type_words('"draft" | "published"').enum
    ('draft', 'published')
    >>> words = read_type_words("pk(INT)"); (words.type.name, words.key)
    ('integer', 'pk')
    """
    text = raw.strip().strip("`").strip()
    if not text:
        return TypeWords(None)
    if text.startswith("v."):
        found = _convex(text, raw.strip())
        if found is not None:
            return found
    if "(" in text and ("Field" in text or "ForeignKey" in text):
        found = _django(text, raw.strip())
        if found is not None:
            return found
    m = _KEY_WRAPPED.fullmatch(text)
    if m:
        inner = read_type_words(m.group(2))
        if inner.type is not None:
            key = " ".join(sorted({k.lower().replace("uk", "uq") for k in re.findall(r"(?i)pk|fk|uk|uq", m.group(1))}))
            return TypeWords(inner.type, inner.nullable, inner.references, inner.enum, key)
    m = re.fullmatch(r"Id\s*<\s*[\"']?(\w+)[\"']?\s*>", text)
    if m:
        return TypeWords(TypeInfo("text", raw.strip()), references=Reference(m.group(1)))
    m = re.fullmatch(r"(?i)enum\s*\((.*)\)", text)
    if m:
        values = [_unquote(p) or p.strip() for p in split_top(m.group(1))]
        return TypeWords(TypeInfo("enum", raw.strip()), enum=tuple(v for v in values if v) or None)
    if "|" in text:
        parts = split_top(text, "|")  # one part: the bar is quoted or bracketed, and reading it again would loop
        found = _union(parts, raw.strip()) if len(parts) > 1 else None
        if found is not None:
            return found
    optional = text.endswith("?") and len(text) > 1
    if optional:
        text = text[:-1].strip()
    m = re.fullmatch(r"(?i)(?:array|list)\s*<\s*(.+)\s*>", text)
    if m:
        inner = read_type_words(m.group(1))
        item = inner.type.name if inner.type else None
        return TypeWords(TypeInfo("array", raw.strip(), item=item), True if optional else None)
    if text.lower() in (
        "references",
        "reference",
        "belongs_to",
    ):  # Rails: a reference column (bigint), its target by name
        return TypeWords(TypeInfo("bigint", raw.strip()), key="fk")
    m = _NAMED_FK.fullmatch(text)
    if m and parse_type(m.group(1) or m.group(2)) is None:  # "status_id FK": no type, a reference to status
        target = m.group(1) or m.group(2)
        stem = re.fullmatch(r"(.+?)_?(?:id|Id|ID)", target)
        return TypeWords(None, references=Reference(stem.group(1) if stem else target), key="fk")
    info = parse_type(text)
    if info is None:
        name = _NOSQL.get(text.lower(), "")
        if name:
            info = TypeInfo(name, raw.strip())
    return TypeWords(info, True if optional and info is not None else None)


def split_type(raw: str) -> tuple[TypeWords, str]:
    """The longest leading run of words that reads as a type, and what follows it.

    ``UUID PRIMARY KEY`` -> (uuid, "PRIMARY KEY"); ``pk(INT) not null`` -> (integer, "PK, not null");
    no type -> (TypeWords(None), raw).
    """
    text = raw.strip()
    words = read_type_words(text)
    if words.type is not None or words.nullable or words.references is not None:
        return words, _with_key(words, "")
    tokens = text.split()
    for cut in range(len(tokens) - 1, 0, -1):
        words = read_type_words(" ".join(tokens[:cut]))
        if words.type is not None:
            return words, _with_key(words, " ".join(tokens[cut:]))
    return TypeWords(None), text


_KEY_WORDS = {"pk": "PK", "fk": "FK", "uq": "UNIQUE"}


def _with_key(words: TypeWords, rest: str) -> str:
    """The constraint words a key-wrapped type (``pk(INT)``) stands for, before the rest of the cell."""
    marks = [_KEY_WORDS[k] for k in words.key.split()]
    return ", ".join(marks + ([rest] if rest else []))
