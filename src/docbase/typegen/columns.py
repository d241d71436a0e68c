"""Per-column facts both type writers need, read from the MetaData the database is built from.

Optional-on-insert follows what the database does, not what the document
says: a column is optional when it may be NULL or has a default, including
the defaults docbase adds itself (uuid ids, ``created_at``) and serial keys,
so the types never demand a value the server would have filled in.
Columns the API never returns (secrets, password hashes: the access model's
hidden columns) are left out, and each is reported rather than dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..access.model import AccessModel
from ..ddl.checks import native_enum
from ..ddl.metadata import build
from ..schema.model import Column, Schema, Table

#: The JSON shape ``/rest/v1`` gives each vocabulary type ("json" = any JSON value).
JSON_KIND = {
    "uuid": "string",
    "text": "string",
    "varchar": "string",
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "numeric": "number",
    "float": "number",
    "boolean": "boolean",
    "timestamp": "string",
    "timestamptz": "string",
    "date": "string",
    "time": "string",
    "interval": "string",
    "json": "json",
    "jsonb": "json",
    "bytes": "string",
    "inet": "string",
    "vector": "vector",
    "enum": "string",
}


@dataclass(frozen=True)
class ClientColumn:
    name: str
    #: ``string``, ``integer``, ``number``, ``boolean``, ``json``, ``vector``, or ``array`` (see ``item``).
    kind: str
    nullable: bool
    optional: bool
    item: str | None = None
    #: Allowed values; ``enum_type`` names the PostgreSQL ENUM type when there is one (else a CHECK holds them).
    values: tuple[str, ...] | None = None
    enum_type: str | None = None


@dataclass(frozen=True)
class Relationship:
    name: str
    columns: tuple[str, ...]
    one_to_one: bool
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class ClientTable:
    name: str
    columns: tuple[ClientColumn, ...]
    relationships: tuple[Relationship, ...]


def client_tables(schema: Schema, access: AccessModel | None = None) -> tuple[list[ClientTable], list[tuple[int, str]]]:
    """Every document table as the API shows it, and (line, message) for each column left out."""
    md = build(schema, "postgresql").metadata
    notes: list[tuple[int, str]] = []
    out = []
    for table in sorted(schema.tables, key=lambda t: t.name):
        sa_table = md.tables.get(table.name)
        if sa_table is None:
            continue
        hidden = set()
        if access is not None and access.table(table.name) is not None:
            hidden = set(access.table(table.name).hidden_columns)
        columns = []
        for column in sorted(table.columns, key=lambda c: c.name):
            if column.name in hidden:
                notes.append(
                    (
                        column.line or table.line,
                        f"{table.name}.{column.name} left out of the types: the API never returns it "
                        f"(a secret or credential column; docbase access DOC lists them)",
                    )
                )
                continue
            if column.name in sa_table.c:
                columns.append(_column(column, sa_table, schema))
        out.append(ClientTable(table.name, tuple(columns), _relationships(table, sa_table, schema)))
    return out, notes


def _column(column: Column, sa_table: sa.Table, schema: Schema) -> ClientColumn:
    sa_col = sa_table.c[column.name]
    generated = sa_col.server_default is not None or sa_table.autoincrement_column is sa_col or sa_col.identity
    kind = "array" if column.type == "array" else JSON_KIND.get(column.type, "string")
    item = JSON_KIND.get(column.item_type or "text", "string") if kind == "array" else None
    enum_type = column.enum_name if native_enum(column, schema, "postgresql") else None
    return ClientColumn(
        column.name,
        kind,
        bool(sa_col.nullable),
        bool(sa_col.nullable or generated),
        item,
        column.enum or _declared(schema, column.enum_name),
        enum_type,
    )


def _declared(schema: Schema, name: str | None) -> tuple[str, ...] | None:
    return next((e.values for e in schema.enums if e.name == name), None) if name else None


def _relationships(table: Table, sa_table: sa.Table, schema: Schema) -> tuple[Relationship, ...]:
    found = []
    for fk in sa_table.foreign_key_constraints:
        cols = tuple(c.name for c in fk.columns)
        target = fk.referred_table.fullname
        ref_cols = tuple(e.column.name for e in fk.elements)
        name = str(fk.name) if fk.name else f"fk_{table.name}_{'_'.join(cols)}_{target}"
        unique = set(cols) == set(table.primary_key) or any(
            set(u.columns) == set(cols) and u.where is None for u in table.unique
        )
        found.append(Relationship(name, cols, unique, target, ref_cols))
    return tuple(sorted(found, key=lambda r: (r.name, r.table)))
