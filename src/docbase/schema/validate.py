"""Checks on the merged tables, each reported with its line.

Unknown foreign-key targets (the key is dropped so the database can still
be built; ``auth.users`` is docbase's own and always known), references to
columns the target lacks, tables with no columns, tables with no primary
key, primary-key columns that do not exist, and defaults outside an enum's
values.
"""

from __future__ import annotations

from dataclasses import replace

from ..document.diagnostics import Diagnostic, info, warning
from ..fragments import EnumFragment
from .attach import resolve
from .drafts import ColumnDraft, TableDraft
from .enums import unquote
from .names import did_you_mean

EXTERNAL_TABLES = {"auth.users": ("id",)}


def validate(tables: dict[str, TableDraft], named: list[EnumFragment], diags: list[Diagnostic]) -> None:
    for table in [t for t in tables.values() if not t.columns]:
        # Mermaid draws entities that only appear in relationship lines; a table needs columns.
        diags.append(
            warning(
                table.line,
                f"table {table.name!r} has no columns (it is only named, e.g. in a relationship line); "
                "not created: describe its columns to create it",
            )
        )
        del tables[table.name]
    for table in tables.values():
        _primary_key(table, diags)
        for col in table.columns.values():
            _reference(table, col, tables, diags)
            _enum_default(table, col, diags)
        _table_fks(table, tables, diags)


def _primary_key(table: TableDraft, diags: list[Diagnostic]) -> None:
    flagged = [c.name for c in table.columns.values() if c.primary_key]
    if not table.primary_key and flagged:
        table.primary_key = flagged
    missing = [n for n in table.primary_key if table.find(n) is None]
    if missing:
        hint = did_you_mean(missing[0], table.columns)
        diags.append(
            warning(
                table.line, f"{table.name}: primary key names unknown column(s) {', '.join(missing)}; left out{hint}"
            )
        )
        table.primary_key = [n for n in table.primary_key if n not in missing]
    table.primary_key = [table.find(n).name for n in table.primary_key]  # type: ignore[union-attr]
    for name in table.primary_key:
        col = table.find(name)
        if col is not None:
            col.nullable = False
    if not table.primary_key:
        diags.append(
            warning(
                table.line,
                f"{table.name} has no primary key; rows can be read and filtered, but not addressed one by one",
            )
        )


def _target_columns(target_name: str, tables: dict[str, TableDraft]) -> tuple[str, ...] | None:
    if target_name in EXTERNAL_TABLES:
        return EXTERNAL_TABLES[target_name]
    target = resolve(tables, target_name)
    if target is None:
        return None
    return tuple(target.primary_key) or tuple(c.name for c in target.columns.values() if c.primary_key)


def _reference(table: TableDraft, col: ColumnDraft, tables: dict[str, TableDraft], diags: list[Diagnostic]) -> None:
    ref = col.references
    if ref is None:
        return
    pk = _target_columns(ref.table, tables)
    if pk is None:
        diags.append(
            warning(
                col.line,
                f"{table.name}.{col.name} references unknown table {ref.table!r}; no foreign key made"
                + did_you_mean(ref.table, tables),
            )
        )
        col.references = None
        return
    if not ref.columns:
        if len(pk) != 1:
            diags.append(
                warning(
                    col.line,
                    f"{table.name}.{col.name} references {ref.table}, which has no "
                    "single-column primary key; no foreign key made",
                )
            )
            col.references = None
            return
        col.references = replace(ref, columns=pk)
        return
    target = resolve(tables, ref.table)
    if target is not None:
        missing = [c for c in ref.columns if target.find(c) is None]
        if missing:
            diags.append(
                warning(
                    col.line,
                    f"{table.name}.{col.name} references {ref.table}.{missing[0]}, "
                    "which does not exist; no foreign key made" + did_you_mean(missing[0], target.columns),
                )
            )
            col.references = None
            return
        col.references = replace(ref, columns=tuple(target.find(c).name for c in ref.columns))  # type: ignore[union-attr]
        if ref.table == target.name and not _unique_target(target, col.references.columns):
            diags.append(
                info(
                    col.line,
                    f"{table.name}.{col.name} references {ref.table}."
                    f"{', '.join(ref.columns)}, which is not unique there",
                )
            )


def _unique_target(target: TableDraft, cols: tuple[str, ...]) -> bool:
    if list(cols) == target.primary_key:
        return True
    if len(cols) == 1 and (c := target.find(cols[0])) is not None and c.unique:
        return True
    return any(set(u.columns) == set(cols) and u.where is None for u in target.unique)


def _table_fks(table: TableDraft, tables: dict[str, TableDraft], diags: list[Diagnostic]) -> None:
    kept = []
    for fk in table.foreign_keys:
        missing = [c for c in fk.columns if table.find(c) is None]
        pk = _target_columns(fk.references.table, tables)
        if missing or pk is None:
            if missing:
                what = f"unknown column {missing[0]!r}" + did_you_mean(missing[0], table.columns)
            else:
                what = f"unknown table {fk.references.table!r}" + did_you_mean(fk.references.table, tables)
            diags.append(warning(fk.line, f"{table.name}: foreign key names {what}; no foreign key made"))
            continue
        if not fk.references.columns:
            fk = replace(fk, references=replace(fk.references, columns=pk))
        kept.append(fk)
    table.foreign_keys = kept


def _enum_default(table: TableDraft, col: ColumnDraft, diags: list[Diagnostic]) -> None:
    if not col.enum or col.default is None:
        return
    value = unquote(col.default)
    if value is None or value.upper() == "NULL":
        return
    if value not in col.enum:
        diags.append(
            warning(
                col.line,
                f"{table.name}.{col.name}: default {col.default} is not among its values ({' | '.join(col.enum)})",
            )
        )
