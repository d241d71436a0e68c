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
from typing import Any

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


def _legacy(table: str, suffix: str) -> str:
    """The name docbase gave a check before it took PostgreSQL's (``ck_tasks_1``): migrations rename it."""
    return fit_name(f"ck_{table}_{suffix}")


class _Names:
    """PostgreSQL's own names for a table's unnamed checks (``tasks_priority_check``, then ``...check1``), so
    errors quote the same constraint on both databases and as PostgreSQL would have named it itself."""

    def __init__(self, table: Table) -> None:
        self.relname = table.name.rpartition(".")[2]
        self.table = table
        self.used: set[str] = {c.name for c in table.checks if c.name}

    def make(self, column: str | None, legacy: str, kind: str = "check") -> dict[str, Any]:
        """``name`` and ``info`` for a new ``sa.CheckConstraint``: PostgreSQL's name, and the former one."""
        base = f"{self.relname}_{column}_{kind}" if column else f"{self.relname}_{kind}"
        name, n = fit_name(base), 0
        while name in self.used:
            n += 1
            name = fit_name(f"{base}{n}")
        self.used.add(name)
        return {"name": name, "info": {"legacy": _legacy(self.table.name, legacy)}}

    def only_column(self, expression: str) -> str | None:
        """The one column an expression names, or None for several or none: PostgreSQL names a table CHECK
        on one column ``<table>_<column>_check`` and any other ``<table>_check``."""
        named = {
            c.name
            for c in self.table.columns
            if re.search(r"(?<![\w.])\"?" + re.escape(c.name) + r"\"?(?![\w\"])", expression) is not None
        }
        return named.pop() if len(named) == 1 else None


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
    """Every CHECK of ``table``: enum lists, JSON shape (SQLite), column and table expressions, named as
    PostgreSQL names them (``info["legacy"]``: the name docbase gave them before, for migrations)."""
    names = _Names(table)
    checks: list[sa.CheckConstraint] = []
    for c in table.columns:
        col = quote_ident(c.name)
        own = (c.check or "").strip()
        if c.enum and not native_enum(c, schema, dialect) and not re.search(r"\bIN\s*\(", own, re.I):
            values = ", ".join(quote_literal(v) for v in c.enum)
            named = names.make(c.name, f"{c.name}_enum")
            named["info"]["enum"] = True
            checks.append(sa.CheckConstraint(f"{col} IN ({values})", **named))
        if dialect == "sqlite" and c.type in JSON_ON_SQLITE:
            # SQLite before 3.45 says json_valid(NULL) = 0; NULL must stay allowed where the column allows it.
            shape = f"json_valid({col})"
            if c.type == "array":
                shape += f" AND json_type({col}) = 'array'"
            shape = f"{col} IS NULL OR ({shape})"
            checks.append(sa.CheckConstraint(shape, **names.make(c.name, f"{c.name}_json", "json_check")))
        if own:
            sql = translate_predicate(own, dialect)
            if sql is None:
                notes.append((c.line, f"{table.name}.{c.name}: CHECK ({own}) has no {dialect} equivalent; left out"))
            else:
                checks.append(sa.CheckConstraint(sql, **names.make(c.name, f"{c.name}_check")))
    for i, check in enumerate(table.checks, start=1):
        sql = translate_predicate(check.expression, dialect)
        if sql is None:
            notes.append(
                (check.line, f"{table.name}: CHECK ({check.expression}) has no {dialect} equivalent; left out")
            )
            continue
        if check.name:
            checks.append(sa.CheckConstraint(sql, name=fit_name(check.name)))
        else:
            checks.append(sa.CheckConstraint(sql, **names.make(names.only_column(check.expression), str(i))))
    return checks
