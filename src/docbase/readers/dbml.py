"""DBML (dbdiagram.io) blocks -> table, enum, foreign-key and relationship fragments.

pydbml reads the block when it can; where it refuses (loose syntax, or a
Ref to a table defined in another block) ``dbml_loose`` reads it instead,
and an info diagnostic says so. Both give the same ``DModel``, turned into
fragments here, so the two paths cannot drift apart in meaning.

Meaning chosen for DBML's relations: ``a.x > b.y`` and ``a.x - b.y`` put
the foreign key on ``a``; ``a.x < b.y`` on ``b``; ``<>`` (many-to-many) has
no column to hold it and becomes a RelationshipFragment. A column with no
``not null`` is nullable, as in the SQL DBML compiles to.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace

from ..document import Block, info, warning
from ..fragments import (
    ColumnFragment,
    ConstraintFragment,
    EnumFragment,
    ForeignKeyFragment,
    IndexColumn,
    IndexFragment,
    Reference,
    RelationshipFragment,
    TableFragment,
    TypeInfo,
)
from .base import Reading
from .column_notes import column_type, read_comment
from .dbml_loose import (
    DColumn,
    DEnum,
    DIndex,
    DModel,
    DRef,
    DTable,
    parse_loose,
    sql_default,
    strip_comment,
)

NAME = "dbml"

_START = re.compile(r"(?i)^\s*(table\s+[\w.\"`]+.*\{|enum\s+[\w.\"`]+\s*\{|ref\s*[\w\"]*\s*[:{]|project\s+\w+\s*\{)")


def accepts(block: Block) -> bool:
    """A ```dbml fence, or an unlabelled block whose first statement is ``Table x {`` and the like."""
    if block.kind != "code":
        return False
    label = block.info.strip().lower().split(" ")[0] if block.info.strip() else ""
    if label:
        return label == "dbml"
    first = next((ln for ln in (strip_comment(x).strip() for x in block.lines) if ln), "")
    return bool(_START.match(first))


def read(block: Block) -> Reading:
    model = _with_pydbml(block)
    if model is None:
        model = parse_loose(block.text, block.line)
    return _fragments(model, block)


def _with_pydbml(block: Block) -> DModel | None:
    try:
        with warnings.catch_warnings():  # pydbml's grammar uses pyparsing arguments it deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            from pydbml import PyDBML

            database = PyDBML(block.text)
    except Exception:  # pydbml raises many kinds; any of them means "use the lenient reader"
        return None
    try:
        return _PydbmlAdaptor(block).model(database)
    except Exception as exc:  # an object shape we did not foresee: the lenient reader still works
        fallback = parse_loose(block.text, block.line)
        fallback.diagnostics.append(info(block.line, f"DBML read leniently ({exc.__class__.__name__})"))
        return fallback


class _PydbmlAdaptor:
    """pydbml objects -> DModel, finding each object's source line (pydbml keeps none)."""

    def __init__(self, block: Block) -> None:
        self.first = block.line
        self.lines = [strip_comment(x) for x in block.lines]

    def _find(self, pattern: str, start: int = 0, stop: int | None = None) -> int:
        rx = re.compile(pattern, re.IGNORECASE)
        for i in range(start, len(self.lines) if stop is None else stop):
            if rx.search(self.lines[i]):
                return i
        return start

    def _span_end(self, start: int) -> int:
        depth = 0
        for i in range(start, len(self.lines)):
            depth += self.lines[i].count("{") - self.lines[i].count("}")
            if depth <= 0 and i > start or (depth <= 0 and "}" in self.lines[i]):
                return i
        return len(self.lines)

    def model(self, database) -> DModel:
        model = DModel()
        for enum in database.enums:
            at = self._find(rf"^\s*enum\s+([\w\"]+\.)?\"?{re.escape(enum.name)}\"?\s*\{{")
            model.enums.append(DEnum(enum.name, self.first + at, [i.name for i in enum.items]))
        for table in database.tables:
            model.tables.append(self._table(table))
        ref_lines = self._ref_lines()
        for ref in (r for r in database.refs if not r.inline):
            line = ref_lines.pop(0) if ref_lines else self.first
            model.refs.append(
                DRef(
                    ref.type,
                    (_table_name(ref.table1), tuple(c.name for c in ref.col1)),
                    (_table_name(ref.table2), tuple(c.name for c in ref.col2)),
                    line,
                    on_delete=(ref.on_delete or None) and str(ref.on_delete).lower(),
                    on_update=(ref.on_update or None) and str(ref.on_update).lower(),
                    name=ref.name or None,
                )
            )
        for ref in (r for r in database.refs if r.inline):
            table = next(t for t in model.tables if t.name == ref.table1.name)
            column = next(c for c in table.columns if c.name == ref.col1[0].name)
            column.refs.append((ref.type, _table_name(ref.table2), tuple(c.name for c in ref.col2)))
        return model

    def _table(self, table) -> DTable:
        at = self._find(rf"^\s*table\s+([\w\"]+\.)?\"?{re.escape(table.name)}\"?(\s|\[|\{{|$)")
        end = self._span_end(at)
        schema = table.schema if table.schema and table.schema != "public" else None
        result = DTable(table.name, self.first + at, schema=schema, note=_note(table.note))
        for column in table.columns:
            line = self._find(rf"^\s*[\"`]?{re.escape(column.name)}[\"`]?\s", at + 1, end)
            kind = column.type if isinstance(column.type, str) else column.type.name
            result.columns.append(
                DColumn(
                    column.name,
                    kind,
                    self.first + line,
                    pk=bool(column.pk),
                    unique=bool(column.unique),
                    not_null=True if column.not_null else None,
                    default=_default(column.default),
                    note=_note(column.note),
                    increment=bool(column.autoinc),
                )
            )
        index_at = self._find(r"^\s*indexes\s*\{", at, end)
        for offset, index in enumerate(table.indexes):
            subjects = [(s, True) if not hasattr(s, "name") else (s.name, False) for s in index.subjects]
            subjects = [(str(getattr(s, "text", s)), e) if e else (s, e) for s, e in subjects]
            result.indexes.append(
                DIndex(
                    subjects,
                    self.first + min(index_at + 1 + offset, len(self.lines) - 1),
                    unique=bool(index.unique),
                    pk=bool(index.pk),
                    name=index.name or None,
                    method=(index.type or None) and str(index.type).lower(),
                )
            )
        return result

    def _ref_lines(self) -> list[int]:
        found, i = [], 0
        while i < len(self.lines):
            text = self.lines[i].strip()
            if re.match(r"(?i)^ref\b[^:{]*\{$", text):
                end = self._span_end(i)
                found.extend(self.first + j for j in range(i + 1, end) if self.lines[j].strip())
                i = end
            elif re.match(r"(?i)^ref\b[^:]*:", text):
                found.append(self.first + i)
            i += 1
        return found


def _table_name(table) -> str:
    return table.name if not table.schema or table.schema == "public" else f"{table.schema}.{table.name}"


def _note(note) -> str | None:
    text = getattr(note, "text", note)
    return str(text) if text else None


def _default(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "text"):  # pydbml Expression: `now()`
        return value.text
    if str(value).lower() in ("null", "true", "false"):
        return str(value).lower()
    return sql_default(f"'{value}'")


# ---------------------------------------------------------------------------- DModel -> fragments


def _fragments(model: DModel, block: Block) -> Reading:
    reading = Reading(diagnostics=list(model.diagnostics))
    enums = {e.name for e in model.enums}
    reading.fragments.extend(EnumFragment(e.name, tuple(e.values), e.line, source="dbml") for e in model.enums)
    tables: dict[str, TableFragment] = {}
    foreign: dict[str, list[ForeignKeyFragment]] = {}
    refs = list(model.refs)
    for table in model.tables:
        columns = []
        for column in table.columns:
            fragment, problem = _column(column, enums)
            if problem:
                reading.diagnostics.append(info(column.line, f"{table.name}.{column.name}: {problem}"))
            for op, target, cols in column.refs:
                if op in (">", "-") and fragment.references is None:
                    fragment = replace(fragment, references=Reference(target, cols, line=column.line))
                else:
                    refs.append(DRef(op, (table.name, (column.name,)), (target, cols), column.line))
            columns.append(fragment)
        pk = tuple(c.name for c in columns if c.primary_key)
        for index in (i for i in table.indexes if i.pk):
            pk = tuple(name for name, _ in index.columns)
        indexes = tuple(_index(table.name, i) for i in table.indexes if not i.pk)
        tables[table.name] = TableFragment(
            table.name,
            table.line,
            "dbml",
            columns=tuple(columns),
            primary_key=pk,
            indexes=indexes,
            schema=table.schema,
            section=block.section,
            comment=table.note,
        )
    for ref in refs:
        _place_ref(ref, tables, foreign, reading)
    for name, fks in foreign.items():
        tables[name] = replace(tables[name], foreign_keys=tables[name].foreign_keys + tuple(fks))
    reading.fragments[0:0] = list(tables.values())
    return reading


def _column(column: DColumn, enums: set[str]) -> tuple[ColumnFragment, str | None]:
    raw = column.type
    bare = raw.removeprefix("public.")
    if bare in enums or raw in enums:
        kind, values, problem = TypeInfo("enum", raw, enum_name=bare), None, None
    else:
        kind, values, problem = column_type(raw)
    nullable = False if column.pk or column.not_null else True
    fragment = ColumnFragment(
        column.name,
        column.line,
        type=kind,
        nullable=nullable,
        default=column.default,
        primary_key=column.pk,
        unique=column.unique,
        enum=values,
        comment=column.note,
    )
    if column.increment and fragment.default is None:
        fragment = replace(fragment, notes=("autoincrement",))
    if column.note:
        fragment = read_comment(fragment, column.note)
    return fragment, problem


def _index(table: str, index: DIndex) -> IndexFragment:
    columns = tuple(IndexColumn(name, expression=expr) for name, expr in index.columns)
    return IndexFragment(table, columns, index.line, name=index.name, unique=index.unique, method=index.method)


def _place_ref(ref: DRef, tables: dict, foreign: dict, reading: Reading) -> None:
    (left, left_cols), (right, right_cols) = ref.left, ref.right
    if ref.op == "<>":
        reading.fragments.append(RelationshipFragment(left, right, ref.line, "}o", "o{", ref.name, source="dbml"))
        return
    if ref.op == "<":
        (left, left_cols), (right, right_cols) = (right, right_cols), (left, left_cols)
    target = Reference(
        right, right_cols, on_delete=ref.on_delete, on_update=ref.on_update, name=ref.name, line=ref.line
    )
    if len(left_cols) != len(right_cols):
        reading.diagnostics.append(
            warning(ref.line, f"Ref {left}.{left_cols} -> {right}.{right_cols}: column counts differ")
        )
        return
    if left in tables:
        foreign.setdefault(left, []).append(ForeignKeyFragment(left_cols, target, ref.line))
    else:
        reading.fragments.append(
            ConstraintFragment(left, "foreign_key", left_cols, ref.line, references=target, name=ref.name)
        )
