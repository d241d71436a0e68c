"""Indexes: order (DESC), method (GIN, hash, vector), partial predicates, expressions.

A method only goes to the database that has it and only on columns it can
index: PostgreSQL's GIN needs jsonb or an array (GIN on text fails without
an operator class), so other columns get a plain btree; a vector index needs
pgvector, and is left out (with a note) where the column is stored as
``real[]`` or a SQLite BLOB. SQLite gets a plain index for every method.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..schema.model import Index, Schema, Table
from .checks import translate_predicate

_GIN_TYPES = {"jsonb", "array"}
_VECTOR_METHODS = {"vector", "hnsw", "ivfflat", "vector_index"}


def add_indexes(
    table: Table,
    sa_table: sa.Table,
    schema: Schema,
    dialect: str,
    pgvector: bool,
    notes: list[tuple[int, str]],
    unique_name: Callable[[str], str],
) -> None:
    for ix in table.indexes:
        _add(ix, table, sa_table, dialect, pgvector, notes, unique_name)
    for cols in foreign_keys_needing_an_index(table):
        name = unique_name(f"ix_{table.name}_{'_'.join(cols)}")
        sa.Index(name, *(sa_table.c[c] for c in cols if c in sa_table.c))


def foreign_keys_needing_an_index(table: Table) -> list[tuple[str, ...]]:
    """Foreign-key columns no key or index of the table leads with.

    Neither database indexes the referencing side of a foreign key by itself,
    yet every access check walks these columns (a member's rows, a tenant's
    projects) and every ON DELETE on the parent searches them; without an
    index each of those is a scan of the child table.
    """
    leading: list[tuple[str, ...]] = [tuple(table.primary_key)]
    leading += [u.columns for u in table.unique if u.where is None]
    leading += [
        ix.column_names for ix in table.indexes if ix.where is None and not any(c.expression for c in ix.columns)
    ]
    wanted: list[tuple[str, ...]] = []
    for fk in table.foreign_keys:
        cols = fk.columns
        covered = any(lead[: len(cols)] == cols or (len(cols) == 1 and lead[:1] == cols) for lead in leading if lead)
        if not covered and cols not in wanted and all(table.column(c) for c in cols):
            wanted.append(cols)
    return wanted


def _add(
    ix: Index,
    table: Table,
    sa_table: sa.Table,
    dialect: str,
    pgvector: bool,
    notes: list[tuple[int, str]],
    unique_name: Callable[[str], str],
) -> None:
    label = f"index {ix.name or ''} on {table.name} ({', '.join(ix.column_names)})".replace("  ", " ")
    missing = [c.name for c in ix.columns if not c.expression and c.name not in sa_table.c]
    if missing or not ix.columns:
        notes.append((ix.line, f"{label}: no column {', '.join(missing) or '(none)'}; left out"))
        return
    method = (ix.method or "btree").lower()
    kw: dict[str, object] = {}
    types = {table.column(c.name).type for c in ix.columns if not c.expression and table.column(c.name)}
    if method in _VECTOR_METHODS or "vector" in types:
        if dialect != "postgresql" or not pgvector:
            notes.append((ix.line, f"{label}: vector index needs pgvector; left out"))
            return
        kw["postgresql_using"] = "hnsw"
        kw["postgresql_ops"] = {c.name: "vector_cosine_ops" for c in ix.columns}
    elif dialect == "postgresql" and method != "btree":
        if method == "gin" and not types <= _GIN_TYPES:
            notes.append((ix.line, f"{label}: GIN needs jsonb or array columns; plain index instead"))
        elif method == "hash" and len(ix.columns) > 1:
            notes.append((ix.line, f"{label}: hash indexes take one column; plain index instead"))
        elif method in ("gin", "gist", "hash", "brin", "spgist"):
            kw["postgresql_using"] = method
    elements: list[sa.ColumnElement] = []
    for col in ix.columns:
        if col.expression:
            expr = translate_predicate(col.name, dialect)
            if expr is None:
                notes.append((ix.line, f"{label}: expression {col.name!r} unusable on {dialect}; left out"))
                return
            elements.append(sa.text(expr))
        else:
            column = sa_table.c[col.name]
            elements.append(column.desc() if col.desc else column)
    if ix.where:
        predicate = translate_predicate(ix.where, dialect)
        if predicate is None:
            notes.append((ix.line, f"{label}: predicate {ix.where!r} unusable on {dialect}; left out"))
            return
        kw[f"{dialect}_where"] = sa.text(predicate)
    name = unique_name(ix.name or f"ix_{table.name}_{'_'.join(c.name for c in ix.columns if not c.expression)}")
    sa.Index(name, *elements, unique=ix.unique, _table=sa_table, **kw)
