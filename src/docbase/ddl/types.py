"""docbase's type vocabulary -> SQLAlchemy column types, per dialect.

The two databases keep the same *meaning* with different storage: SQLite
has no uuid, json, array or inet type, so those become TEXT (JSON text for
json/arrays, guarded by ``json_valid`` checks added in ``metadata``), and a
vector becomes a BLOB in sqlite-vec's float32 layout. PostgreSQL gets the
native types, and pgvector's ``vector(N)`` only when the caller says the
extension is available (else ``real[]``, which stores the same numbers).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import UserDefinedType

from ..schema.model import Column, Schema

Dialect = str  # "sqlite" | "postgresql"

#: Types stored as JSON text on SQLite (they need ``CHECK (json_valid(col))``).
JSON_ON_SQLITE = frozenset({"json", "jsonb", "array"})


class JsonText(sa.JSON):
    """JSON values kept in a TEXT column on SQLite.

    Subclassing ``sa.JSON`` keeps SQLAlchemy's (de)serialisation and JSON path
    operators; only the DDL name changes, because a column declared ``JSON``
    gets NUMERIC affinity in SQLite and would turn the JSON text ``'5'`` into
    the integer 5.
    """

    cache_ok = True


@compiles(JsonText, "sqlite")
def _json_text_sqlite(element: JsonText, compiler: object, **kw: object) -> str:
    return "TEXT"


class Vector(UserDefinedType):
    """pgvector's ``vector(N)``; only used when the extension is installed."""

    cache_ok = True

    def __init__(self, dimension: int | None = None) -> None:
        self.dimension = dimension

    def get_col_spec(self, **kw: object) -> str:
        return f"vector({self.dimension})" if self.dimension else "vector"


_SCALARS: dict[str, sa.types.TypeEngine] = {
    "text": sa.Text(),
    "integer": sa.Integer(),
    "bigint": sa.BigInteger(),
    "smallint": sa.SmallInteger(),
    "float": sa.Float(),
    "boolean": sa.Boolean(),
    "timestamp": sa.DateTime(timezone=False),
    "timestamptz": sa.DateTime(timezone=True),
    "date": sa.Date(),
    "time": sa.Time(),
    "bytes": sa.LargeBinary(),
}


def column_type(
    column: Column, dialect: Dialect, schema: Schema | None = None, pgvector: bool = False
) -> sa.types.TypeEngine:
    """The SQLAlchemy type for ``column`` on ``dialect``.

    Unknown vocabulary words fall back to TEXT rather than failing: the schema
    stage already reported them, and a TEXT column keeps the data.
    """
    kind = column.type
    if dialect == "sqlite":
        return _sqlite_type(column)
    native = _PG_NATIVE.get((column.raw_type or "").lower())
    if native is not None:  # range and text-search types the document names: PostgreSQL's own
        return native
    if kind == "enum":
        return _pg_enum(column, schema)
    if kind == "array":
        item = column.item_type or "text"
        inner = _pg_scalar(item, column) if item not in ("array", "enum") else sa.Text()
        return pg.ARRAY(inner)
    if kind == "vector":
        return Vector(column.dimension) if pgvector else pg.ARRAY(pg.REAL())
    return _pg_scalar(kind, column)


# Types PostgreSQL has and docbase's vocabulary does not model (the reader keeps them as raw_type): on
# PostgreSQL the column gets the type itself, so values are canonical ([1,3] -> [1,4)) and operators work;
# SQLite keeps their text (docbase.api.sql.pg_range canonicalises ranges there).
_PG_NATIVE: dict[str, sa.types.TypeEngine] = {
    "int4range": pg.INT4RANGE(),
    "int8range": pg.INT8RANGE(),
    "numrange": pg.NUMRANGE(),
    "daterange": pg.DATERANGE(),
    "tsrange": pg.TSRANGE(),
    "tstzrange": pg.TSTZRANGE(),
    "tsvector": pg.TSVECTOR(),
}


def _pg_scalar(kind: str, column: Column) -> sa.types.TypeEngine:
    if kind == "uuid":
        return pg.UUID(as_uuid=False)
    if kind == "varchar":
        return sa.String(column.length) if column.length else sa.String()
    if kind == "numeric":
        return sa.Numeric(column.precision, column.scale)
    if kind == "json":
        return pg.JSON()
    if kind == "jsonb":
        return pg.JSONB()
    if kind == "inet":
        return pg.INET()
    if kind == "interval":
        return pg.INTERVAL()
    if kind == "vector":
        return pg.ARRAY(pg.REAL())
    return _SCALARS.get(kind, sa.Text())


def _pg_enum(column: Column, schema: Schema | None) -> sa.types.TypeEngine:
    """A native ENUM when the document declared a named enum type, else text + CHECK."""
    if column.enum_name:
        values = column.enum
        if schema is not None:
            for enum in schema.enums:
                if enum.name == column.enum_name:
                    values = enum.values
        if values:
            return pg.ENUM(*values, name=column.enum_name, create_type=False)
    return sa.Text()


def _sqlite_type(column: Column) -> sa.types.TypeEngine:
    kind = column.type
    if kind in JSON_ON_SQLITE:
        return JsonText()
    if kind == "varchar":
        return sa.String(column.length) if column.length else sa.String()
    if kind == "numeric":
        # asdecimal=False: SQLite has no decimal storage, and SQLAlchemy warns
        # (an error under our test settings) when asked to return Decimals.
        return sa.Numeric(column.precision, column.scale, asdecimal=False)
    if kind == "vector":
        return sa.LargeBinary()
    if kind in ("uuid", "inet", "interval", "enum"):
        return sa.Text()
    return _SCALARS.get(kind, sa.Text())


def is_textual(column: Column) -> bool:
    """Columns whose values are strings (quoted defaults, generated uuid ids)."""
    return column.type in ("uuid", "text", "varchar", "enum", "inet")


def is_integer(column: Column) -> bool:
    return column.type in ("integer", "bigint", "smallint")


_SERIAL_WORDS = re.compile(r"(?i)serial|identity|auto[-_ ]?increment|\bincrement")


def says_serial(column: Column) -> bool:
    """Whether the document asks for numbering by the database (``serial``, ``IDENTITY``, ``AUTO_INCREMENT``...).

    An integer key is numbered only when the document says so: a plain ``id integer PRIMARY KEY``
    must be given its value, as PostgreSQL would require (docs/reading.md, principle 4).
    """
    said = [column.raw_type or "", column.default or "", *column.notes]
    return is_integer(column) and any(_SERIAL_WORDS.search(text) for text in said)


class PlainInt(sa.Integer):
    """An integer key the database does not number: on SQLite ``INT``, since ``INTEGER PRIMARY KEY`` is the rowid."""


@compiles(PlainInt, "sqlite")
def _plain_int_sqlite(type_: PlainInt, compiler: object, **kw: object) -> str:
    return "INT"
