"""Type names as documents write them -> docbase's type vocabulary.

The vocabulary (DESIGN.md, schema JSON): uuid text varchar integer bigint
smallint numeric float boolean timestamp timestamptz date time interval json
jsonb bytes inet array vector enum. Every reader calls ``parse_type`` so
``VARCHAR(255)``, ``varchar``, ``String`` and Convex's ``string`` mean the
same thing whichever notation they appear in. A name outside the vocabulary
that is not a known alias returns None: the caller decides whether it names
an enum type or is an error to report.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..fragments import TypeInfo

VOCABULARY = (
    "uuid text varchar integer bigint smallint numeric float boolean timestamp "
    "timestamptz date time interval json jsonb bytes inet array vector enum"
).split()

_ALIASES: dict[str, str] = {
    "uuid": "uuid",
    "guid": "uuid",
    "uniqueidentifier": "uuid",
    "text": "text",
    "string": "text",
    "str": "text",
    "id": "text",
    "citext": "text",
    "tinytext": "text",
    "mediumtext": "text",
    "longtext": "text",
    "clob": "text",
    "name": "text",
    "email": "text",
    "url": "text",
    "varchar": "varchar",
    "character varying": "varchar",
    "nvarchar": "varchar",
    "varchar2": "varchar",
    "nvarchar2": "varchar",
    "char": "varchar",
    "character": "varchar",
    "nchar": "varchar",
    "bpchar": "varchar",
    "int": "integer",
    "integer": "integer",
    "int4": "integer",
    "mediumint": "integer",
    "year": "smallint",  # MySQL YEAR: a four-digit year
    "serial": "integer",
    "serial4": "integer",
    "bigint": "bigint",
    "int8": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "long": "bigint",
    "smallint": "smallint",
    "int2": "smallint",
    "tinyint": "smallint",
    "smallserial": "smallint",
    "numeric": "numeric",
    "decimal": "numeric",
    "money": "numeric",
    "number": "float",
    "float": "float",
    "float4": "float",
    "float8": "float",
    "real": "float",
    "double": "float",
    "double precision": "float",
    "bool": "boolean",
    "boolean": "boolean",
    "bit": "boolean",  # SQL Server's BIT, MySQL's BIT(1): a flag (a wider BIT(n) is a bit string, not known)
    "timestamp": "timestamp",
    "datetime": "timestamp",
    "datetime2": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "timestamp with timezone": "timestamptz",
    "datetimeoffset": "timestamptz",
    "date": "date",
    "time": "time",
    "timetz": "time",
    "time without time zone": "time",
    "time with time zone": "time",
    "interval": "interval",
    "json": "json",
    "object": "jsonb",
    "map": "jsonb",
    "jsonb": "jsonb",
    "bytea": "bytes",
    "blob": "bytes",
    "binary": "bytes",
    "varbinary": "bytes",
    "bytes": "bytes",
    "longblob": "bytes",
    "inet": "inet",
    "cidr": "inet",
    "ipaddress": "inet",
    "vector": "vector",
    "enum": "enum",
    "array": "array",
}

_PARAMS = re.compile(r"^(?P<base>[A-Za-z_][\w .]*?)\s*\((?P<args>[^)]*)\)\s*(?P<rest>.*)$")


def _base_name(raw: str) -> str:
    name = re.sub(r"\s+", " ", raw.strip().strip("`\"'").lower())
    name = name.removeprefix("pg_catalog.").removeprefix("public.").removeprefix("extensions.")
    return name


@lru_cache(maxsize=1 << 14)  # pure, and called with the same few strings all through a document
def parse_type(raw: str) -> TypeInfo | None:
    """Map a written type to the vocabulary, or None if it is not a type docbase knows.

    >>> parse_type("VARCHAR(255)").length
    255
    >>> parse_type("string[]").name, parse_type("string[]").item
    ('array', 'text')
    >>> parse_type("vector(1536)").dimension
    1536
    """
    text = raw.strip()
    if not text:
        return None
    array = False
    while text.endswith("[]"):
        array, text = True, text[:-2].strip()
    m = re.match(r"(?i)^array\s*<\s*(.+?)\s*>$", text) or re.match(r"(?i)^(.+?)\s+array$", text)
    if m:
        array, text = True, m.group(1)
    args: list[str] = []
    pm = _PARAMS.match(text)
    if pm:
        text = (pm.group("base") + " " + pm.group("rest")).strip()
        args = [a.strip() for a in pm.group("args").split(",") if a.strip()]
    name = _ALIASES.get(_base_name(text))
    if name is None:
        return None
    ints = [int(a) for a in args if a.isdigit()]
    if _base_name(text) == "bit" and ints and ints[0] != 1:
        return None
    if array:
        return TypeInfo("array", raw.strip(), item=name)
    if name == "vector":
        return TypeInfo("vector", raw.strip(), dimension=ints[0] if ints else None)
    if name in ("varchar", "text") and ints:
        return TypeInfo("varchar", raw.strip(), length=ints[0])
    if name == "numeric" and ints:
        return TypeInfo("numeric", raw.strip(), precision=ints[0], scale=ints[1] if len(ints) > 1 else None)
    return TypeInfo(name, raw.strip())
