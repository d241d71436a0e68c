"""Drafts -> the immutable model, with column-level facts lifted to table constraints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from functools import cache
from typing import Any, TypeVar

from ..document.diagnostics import Diagnostic, warning
from ..fragments import (
    CheckFragment,
    EnumFragment,
    Fragment,
    IndexFragment,
    PolicyFragment,
    Reference,
    RoutineFragment,
)
from .attach import resolve
from .drafts import ColumnDraft, TableDraft
from .model import Check, Column, Enum, ForeignKey, Index, Policy, Routine, Schema, Table, UniqueConstraint
from .names import did_you_mean
from .views import views

T = TypeVar("T")


def _carry(source: Any, model: type[T], **changes: Any) -> T:
    """A model object from a fragment's fields of the same name, with ``changes``: copied by name,
    never by position, so a field added or reordered on either side cannot land in the wrong place."""
    carried = {name: getattr(source, name) for name in _shared_fields(type(source), model)}
    return model(**(carried | changes))


@cache
def _shared_fields(source: type, model: type) -> tuple[str, ...]:
    """The field names ``source`` and ``model`` share, in ``source``'s order (asked once per pair of types)."""
    names = {f.name for f in fields(model)}  # type: ignore[arg-type]
    return tuple(f.name for f in fields(source) if f.name in names)


def _action(value: str | None) -> str | None:
    return " ".join(value.lower().replace("_", " ").split()) if value else None


def freeze(
    tables: dict[str, TableDraft],
    named: list[EnumFragment],
    fragments: Sequence[Fragment],
    diags: list[Diagnostic],
    path: str,
) -> Schema:
    frozen = tuple(_table(t) for t in tables.values())
    policies = []
    for frag in fragments:
        if isinstance(frag, PolicyFragment):
            table = resolve(tables, frag.table)
            if table is None:
                hint = did_you_mean(frag.table, tables)
                diags.append(
                    warning(frag.line, f"policy {frag.name!r} is on unknown table {frag.table!r}; skipped{hint}")
                )
                continue
            policies.append(_carry(frag, Policy, table=table.name, command=frag.command.upper()))
    routines = tuple(
        _carry(f, Routine, table=f.table.removeprefix("public.") if f.table else None)
        for f in fragments
        if isinstance(f, RoutineFragment)
    )
    enums = tuple(_carry(e, Enum) for e in named)
    schemas_seen: set[str] = set()
    for table in frozen:  # personal.users: its own schema, chosen by Accept-Profile (setting db_schemas)
        schema_name = table.name.rpartition(".")[0]
        if schema_name and schema_name not in schemas_seen:
            schemas_seen.add(schema_name)
            diags = [
                *diags,
                warning(
                    table.line,
                    f"tables of schema {schema_name!r} are served with Accept-Profile: {schema_name} "
                    f"(Content-Profile to write); setting db_schemas lists the schemas served (default: public "
                    "and every schema the document names)",
                ),
            ]
    if any(r.kind == "view" for r in routines):  # what the API cannot serve is said here, located
        found, notes = views(Schema(tables=frozen, routines=routines))
        diags = [*diags, *(warning(line, message) for line, message in notes)]
        diags += [
            warning(v.line, f"view {v.name!r} is served on PostgreSQL only: {v.sqlite_why}")
            for v in found
            if not v.sqlite
        ]
    ordered = tuple(sorted(diags, key=lambda d: (d.line, ("error", "warning", "info").index(d.level))))
    return Schema(
        tables=frozen, enums=enums, policies=tuple(policies), routines=routines, diagnostics=ordered, path=path
    )


def _column(c: ColumnDraft) -> Column:
    t = c.type
    assert t is not None, "inference gives every column a type"
    return Column(
        name=c.name,
        type=t.name,
        line=c.line,
        nullable=c.nullable,
        default=c.default,
        enum=c.enum or None,
        examples=c.examples or None,
        inferred=c.inferred,
        length=t.length,
        precision=t.precision,
        scale=t.scale,
        item_type=t.item,
        dimension=t.dimension,
        enum_name=t.enum_name,
        raw_type=t.raw or None,
        comment=c.comment,
        notes=tuple(c.notes),
        check=c.check,
    )


def _table(t: TableDraft) -> Table:
    fks: list[ForeignKey] = []
    for c in t.columns.values():
        if c.references is not None:
            inferred = any(n.startswith("foreign key target inferred") for n in c.notes)
            fks.append(_foreign_key((c.name,), c.references, c.line, inferred))
    for fk in t.foreign_keys:
        if not any(existing.columns == fk.columns for existing in fks):
            fks.append(_foreign_key(fk.columns, fk.references, fk.line))
    unique: list[UniqueConstraint] = []
    for c in t.columns.values():
        if c.unique and [c.name] != t.primary_key:
            unique.append(UniqueConstraint(columns=(c.name,), line=c.line))
    for u in t.unique:
        cols = tuple(_canon(t, n) for n in u.columns)
        if list(cols) == t.primary_key and u.where is None:
            continue
        if any(x.columns == cols and x.where == u.where for x in unique):
            continue
        unique.append(_carry(u, UniqueConstraint, columns=cols))
    return Table(
        name=t.name,
        columns=tuple(_column(c) for c in t.columns.values()),
        primary_key=tuple(t.primary_key),
        foreign_keys=tuple(fks),
        unique=tuple(unique),
        indexes=tuple(_index(t, i) for i in t.indexes),
        checks=tuple(_check(ch) for ch in t.checks),
        rls=t.rls,
        line=t.line,
        section=t.section,
        comment=t.comment,
        notes=tuple(t.notes),
        aliases=tuple(t.aliases),
    )


def _foreign_key(columns: tuple[str, ...], ref: Reference, line: int, inferred: bool = False) -> ForeignKey:
    """A column's ``references`` or a table's FOREIGN KEY, with its actions spelled one way (``set null``)."""
    return ForeignKey(
        columns=columns,
        ref_table=ref.table,
        ref_columns=ref.columns,
        on_delete=_action(ref.on_delete),
        on_update=_action(ref.on_update),
        name=ref.name,
        line=line,
        inferred=inferred,
    )


def _canon(t: TableDraft, name: str) -> str:
    col = t.find(name)
    return col.name if col is not None else name


def _index(t: TableDraft, i: IndexFragment) -> Index:
    cols = tuple(replace(c, name=_canon(t, c.name)) if not c.expression else c for c in i.columns)
    return _carry(i, Index, columns=cols, method=i.method.lower() if i.method else None)


def _check(ch: CheckFragment) -> Check:
    return _carry(ch, Check)
