"""CHECK constraints: enum value lists, JSON shape on SQLite, and the document's own CHECKs.

Enum values without a declared ENUM type (``CHECK ... IN``, ``a | b`` notes,
enum sections) become ``CHECK (col IN (...))`` on both databases, so both
refuse the same rows. On SQLite, JSON and array columns are TEXT, so a
``json_valid`` check keeps garbage out the way PostgreSQL's jsonb would.
The document's own expressions are PostgreSQL-flavoured; sqlglot rewrites
them for SQLite, and one it cannot rewrite is left out with a note.
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
import sqlglot

from ..schema.model import Column, Schema, Table
from .types import JSON_ON_SQLITE


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str) -> str:
    """A table for PostgreSQL: ``personal.users`` is table users of schema personal (docbase.ddl.metadata).

    SQLite keeps one schema, where ``personal.users`` is the table's whole name: use ``quote_ident`` there.
    """
    schema, _, table = name.rpartition(".")
    return f"{quote_ident(schema)}.{quote_ident(table)}" if schema else quote_ident(table)


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def translate_predicate(expression: str, dialect: str) -> str | None:
    """A PostgreSQL boolean expression rewritten for ``dialect``; None if it cannot be."""
    expression = expression.strip()
    if dialect == "postgresql":
        return expression
    try:
        out = sqlglot.transpile(expression, read="postgres", write="sqlite")
    except sqlglot.errors.SqlglotError:
        return None
    return out[0] if len(out) == 1 and out[0] else None


def _name(table: str, suffix: str) -> str:
    return fit_name(f"ck_{table}_{suffix}")


def fit_name(name: str) -> str:
    """Shorten a name past PostgreSQL's 63-byte limit: a hash of the whole keeps it unique, the suffix its kind."""
    if len(name.encode()) <= 63:
        return name
    match = re.search(r"_(enum|json|check|partial)$", name)
    keep = match.group(0) if match else ""
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name[: 63 - len(keep) - 9] + "_" + digest + keep


def native_enum(column: Column, schema: Schema, dialect: str) -> bool:
    """True where PostgreSQL gets a CREATE TYPE ... AS ENUM for this column."""
    if dialect != "postgresql" or column.type != "enum" or not column.enum_name:
        return False
    return bool(column.enum) or any(e.name == column.enum_name for e in schema.enums)


def column_checks(table: Table, schema: Schema, dialect: str, notes: list[tuple[int, str]]) -> list[sa.CheckConstraint]:
    checks: list[sa.CheckConstraint] = []
    for c in table.columns:
        col = quote_ident(c.name)
        own = (c.check or "").strip()
        if c.enum and not native_enum(c, schema, dialect) and not re.search(r"\bIN\s*\(", own, re.I):
            values = ", ".join(quote_literal(v) for v in c.enum)
            checks.append(sa.CheckConstraint(f"{col} IN ({values})", name=_name(table.name, f"{c.name}_enum")))
        if dialect == "sqlite" and c.type in JSON_ON_SQLITE:
            # SQLite before 3.45 says json_valid(NULL) = 0; NULL must stay allowed where the column allows it.
            shape = f"json_valid({col})"
            if c.type == "array":
                shape += f" AND json_type({col}) = 'array'"
            shape = f"{col} IS NULL OR ({shape})"
            checks.append(sa.CheckConstraint(shape, name=_name(table.name, f"{c.name}_json")))
        if own:
            sql = translate_predicate(own, dialect)
            if sql is None:
                notes.append((c.line, f"{table.name}.{c.name}: CHECK ({own}) has no {dialect} equivalent; left out"))
            else:
                checks.append(sa.CheckConstraint(sql, name=_name(table.name, f"{c.name}_check")))
    return checks


def table_checks(table: Table, dialect: str, notes: list[tuple[int, str]]) -> list[sa.CheckConstraint]:
    checks: list[sa.CheckConstraint] = []
    for i, check in enumerate(table.checks, start=1):
        sql = translate_predicate(check.expression, dialect)
        if sql is None:
            notes.append(
                (check.line, f"{table.name}: CHECK ({check.expression}) has no {dialect} equivalent; left out")
            )
            continue
        checks.append(sa.CheckConstraint(sql, name=fit_name(check.name) if check.name else _name(table.name, str(i))))
    return checks
