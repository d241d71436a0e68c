"""The model -> DDL text for one dialect, in an order the database accepts in one go.

Pure: nothing here connects to a database. ``statements`` is what
``migrate`` executes one by one; ``to_ddl`` joins them into a script for
``psql`` or ``sqlite3``. Order: (PostgreSQL) extensions, the auth shim, ENUM
types; tables in dependency order with their indexes; (PostgreSQL) the
foreign keys that close cycles, as ALTER TABLE; updated_at triggers;
(PostgreSQL) the document's routines, RLS and policies, grants. SQLite
keeps cyclic foreign keys inline: it checks them only when rows are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

from ..schema.model import Schema
from ..schema.views import views
from . import postgres, quotas
from .checks import quote_ident
from .metadata import Built, build, schemas
from .triggers import updated_at_triggers

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


@dataclass
class Rendered:
    statements: list[str]
    notes: list[tuple[int, str]] = field(default_factory=list)
    built: Built | None = None


def statements(schema: Schema, dialect: str = "sqlite", pgvector: bool = False) -> Rendered:
    """Every DDL statement for an empty database, without trailing semicolons."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; use sqlite or postgresql")
    built = build(schema, dialect, pgvector)
    sa_dialect = DIALECTS[dialect]
    out: list[str] = []
    pg = dialect == "postgresql"
    if pg:
        if pgvector:
            out.append("CREATE EXTENSION IF NOT EXISTS vector")
        out.extend(postgres.routines(schema, extensions=True))
        out.append(postgres.auth_shim().strip())
        out.extend(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(name)}" for name in schemas(schema))
        out.extend(postgres.create_enum(n, v) for n, v in postgres.enum_types(schema, built))
    alters: list[sa.ForeignKeyConstraint] = []
    for table in built.metadata.sorted_tables:
        out.append(_compile(CreateTable(table), sa_dialect))
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            out.append(_compile(CreateIndex(index), sa_dialect))
        if pg:
            alters.extend(fk for fk in table.foreign_key_constraints if fk.use_alter)
    out.extend(_compile(AddConstraint(fk), sa_dialect) for fk in alters)
    if pg:
        out.extend(postgres.external_foreign_keys(built))
    out.extend(updated_at_triggers(schema, dialect))
    out.extend(quotas.for_schema(schema, dialect))
    if not pg:
        out.extend(sqlite_views(schema))
    if pg:
        out.extend(postgres.routines(schema, extensions=False))
        out.extend(postgres.row_security(schema))
        out.append(postgres.GRANTS)
        out.extend(postgres.schema_grants(name) for name in schemas(schema))
    return Rendered(out, built.notes, built)


def sqlite_views(schema: Schema) -> list[str]:
    """The document's views sqlglot translates to SQLite (docbase.schema.views; the rest answer PGRST127)."""
    return [v.sqlite for v in views(schema)[0] if v.sqlite]


def _compile(element: sa.schema.ExecutableDDLElement, dialect: sa.engine.Dialect) -> str:
    return str(element.compile(dialect=dialect)).strip().replace("\t", "  ").replace(", \n", ",\n")


def to_ddl(schema: Schema, dialect: str = "sqlite", pgvector: bool = False) -> str:
    """The whole DDL script for ``dialect``, ready to pipe into ``sqlite3`` or ``psql``.

    Args:
        schema: the model.
        dialect: ``"sqlite"`` or ``"postgresql"``.
        pgvector: PostgreSQL only: vector columns as pgvector's ``vector(N)`` (else ``real[]``).

    Returns:
        SQL statements separated by blank lines; what had to be left out is
        listed first as ``--`` comments naming the document line.

    Example:
        >>> from docbase.schema.model import Column, Schema, Table
        >>> print(to_ddl(Schema((Table("t", (Column("n", "integer"),)),))))
        CREATE TABLE "t" (
          "n" INTEGER
        );
        <BLANKLINE>
    """
    rendered = statements(schema, dialect, pgvector)
    head = [f"-- {schema.path}:{line}: {message}" for line, message in rendered.notes]
    if dialect == "sqlite" and (schema.policies or schema.routines):
        head.append(
            "-- SQLite: the document's policies and routines apply on PostgreSQL only (views: where translated)"
        )
    body = "\n\n".join(s + ";" for s in rendered.statements)
    return ("\n".join(head) + "\n\n" if head else "") + body + "\n"
