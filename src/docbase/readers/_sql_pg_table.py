"""PostgreSQL ``CREATE TABLE`` (as parsed by pglast) -> a TableFragment.

pglast gives positions but not spans, so the column type and DEFAULT are cut
from the source text between one node's position and the next: the type is
kept as the document wrote it (``TIMESTAMPTZ``, ``VARCHAR(255)``, ``serial``)
and the default too (``NOW()``, ``'{}'``), rather than pglast's normalised
reprint (``pg_catalog.timestamptz``, ``now()``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pglast import ast
from pglast.enums import ConstrType
from pglast.stream import RawStream

from ..document import Diagnostic, warning
from ..fragments import (
    CheckFragment,
    ColumnFragment,
    ForeignKeyFragment,
    Reference,
    TableFragment,
    TypeInfo,
    UniqueFragment,
)
from ._sql_text import Source, expression_end, skip_trivia, span_text, strip_comments
from .types import parse_type

_ACTIONS = {"c": "cascade", "n": "set null", "d": "set default", "r": "restrict"}
_DEFAULT_KEYWORD = re.compile(r"(?is)(?:CONSTRAINT\s+(?:\"[^\"]*\"|\S+)\s+)?DEFAULT\b")


def deparse(node: ast.Node | None) -> str | None:
    """SQL text for an expression node, or None when pglast cannot print it."""
    if node is None:
        return None
    try:
        return RawStream()(node)
    except Exception:  # pglast's printer does not cover every node; the caller keeps going
        return None


def relation_name(rel: ast.RangeVar) -> tuple[str, str | None]:
    """``(name, schema)``: ``public`` is the default schema and is dropped."""
    schema = rel.schemaname if rel.schemaname and rel.schemaname != "public" else None
    return rel.relname, schema


def qualified(rel: ast.RangeVar) -> str:
    """``users`` for ``public.users``, ``auth.users`` for ``auth.users``."""
    name, schema = relation_name(rel)
    return f"{schema}.{name}" if schema else name


def type_name(names: tuple[ast.String, ...] | None) -> str:
    parts = [n.sval for n in names or () if isinstance(n, ast.String)]
    if len(parts) > 1 and parts[0] in ("public", "pg_catalog"):
        parts = parts[1:]
    return ".".join(parts)


def reference(con: ast.Constraint, line: int) -> Reference:
    return Reference(
        table=qualified(con.pktable),
        columns=tuple(s.sval for s in con.pk_attrs or ()),
        on_delete=_ACTIONS.get(con.fk_del_action or ""),
        on_update=_ACTIONS.get(con.fk_upd_action or ""),
        name=con.conname,
        line=line,
    )


def _strip_cast(node: ast.Node | None) -> ast.Node | None:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return node


def _constant(node: ast.Node | None) -> str | None:
    node = _strip_cast(node)
    if not isinstance(node, ast.A_Const) or node.isnull:
        return None
    val = node.val
    for attr in ("sval", "ival", "fval", "boolval"):
        if hasattr(val, attr):
            return str(getattr(val, attr))
    return None


def enum_check(expr: ast.Node | None) -> tuple[str, tuple[str, ...]] | None:
    """``(column, values)`` for ``col IN ('a', 'b')`` or ``col = ANY (ARRAY['a', 'b'])``."""
    if not isinstance(expr, ast.A_Expr) or [n.sval for n in expr.name or ()] != ["="]:
        return None
    col = _strip_cast(expr.lexpr)
    if not isinstance(col, ast.ColumnRef) or len(col.fields or ()) != 1 or not isinstance(col.fields[0], ast.String):
        return None
    kind = expr.kind.name if expr.kind is not None else ""
    if kind == "AEXPR_IN" and isinstance(expr.rexpr, tuple | list):
        items = list(expr.rexpr)
    elif kind == "AEXPR_OP_ANY" and isinstance(_strip_cast(expr.rexpr), ast.A_ArrayExpr):
        items = list(_strip_cast(expr.rexpr).elements or ())
    else:
        return None
    values = [_constant(item) for item in items]
    if not values or any(v is None for v in values):
        return None
    return col.fields[0].sval, tuple(v for v in values if v is not None)


@dataclass
class _Table:
    """What one CREATE TABLE collects before it is frozen into a TableFragment."""

    columns: list[ColumnFragment] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    unique: list[UniqueFragment] = field(default_factory=list)
    foreign_keys: list[ForeignKeyFragment] = field(default_factory=list)
    checks: list[CheckFragment] = field(default_factory=list)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _column_type(col: ast.ColumnDef, src: Source, bound: int) -> TypeInfo | None:
    tn = col.typeName
    if tn is None:
        return None
    written = ""
    if tn.location is not None and tn.location >= 0:
        end = expression_end(src.text, tn.location, bound)
        written = span_text(src.text, tn.location, end)
    if not written:
        written = type_name(tn.names) + "[]" * len(tn.arrayBounds or ())
    parsed = parse_type(written)
    if parsed is not None:
        return parsed
    base = type_name(tn.names)
    if tn.arrayBounds:
        return TypeInfo("array", written, item="enum", enum_name=base)
    return TypeInfo("enum", written, enum_name=base)


def _default_text(con: ast.Constraint, src: Source, bound: int) -> str | None:
    start = con.location if con.location is not None and con.location >= 0 else -1
    m = _DEFAULT_KEYWORD.match(src.text, start) if start >= 0 else None
    if m is None:
        return deparse(con.raw_expr)
    begin = skip_trivia(src.text, m.end(), bound)
    return strip_comments(src.text[begin : expression_end(src.text, begin, bound)]) or deparse(con.raw_expr)


def _column(col: ast.ColumnDef, src: Source, end: int, t: _Table) -> ColumnFragment:
    cons = list(col.constraints or ())
    starts = [c.location for c in cons if c.location is not None and c.location >= 0]
    line = src.line(col.location if col.location is not None else 0)
    kwargs: dict[str, object] = {"nullable": True}
    notes: list[str] = []
    for i, con in enumerate(cons):
        bound = next((c.location for c in cons[i + 1 :] if c.location is not None and c.location >= 0), end)
        ctype = con.contype
        if ctype == ConstrType.CONSTR_NOTNULL:
            kwargs["nullable"] = False
        elif ctype == ConstrType.CONSTR_PRIMARY:
            kwargs["primary_key"], kwargs["nullable"] = True, False
        elif ctype == ConstrType.CONSTR_UNIQUE:
            if con.conname:
                t.unique.append(UniqueFragment((col.colname,), line, name=con.conname))
            else:
                kwargs["unique"] = True
        elif ctype == ConstrType.CONSTR_DEFAULT:
            kwargs["default"] = _default_text(con, src, bound)
        elif ctype == ConstrType.CONSTR_FOREIGN:
            kwargs["references"] = reference(con, src.line(con.location))
        elif ctype == ConstrType.CONSTR_CHECK:
            _check(con, src, t, column=col.colname)
        elif ctype == ConstrType.CONSTR_IDENTITY:
            notes.append("identity")
        elif ctype == ConstrType.CONSTR_GENERATED:
            notes.append(f"generated: {deparse(con.raw_expr)}")
    coll = col.collClause.location if col.collClause is not None else None
    if isinstance(coll, int) and coll >= 0:
        starts.append(coll)
    type_bound = min(starts) if starts else end
    return ColumnFragment(
        col.colname,
        line,
        type=_column_type(col, src, type_bound),
        notes=tuple(notes),
        **kwargs,  # type: ignore[arg-type]
    )


def _check(con: ast.Constraint, src: Source, t: _Table, column: str | None = None) -> None:
    line = src.line(con.location)
    found = enum_check(con.raw_expr)
    if found is not None and (column is None or found[0] == column):
        t.enums[found[0]] = found[1]
        return
    text = deparse(con.raw_expr)
    if text is None:
        t.diagnostics.append(warning(line, "CHECK constraint could not be read; it is left out"))
        return
    t.checks.append(CheckFragment(text, line, name=con.conname))


def _table_constraint(con: ast.Constraint, src: Source, t: _Table) -> None:
    line = src.line(con.location)
    ctype = con.contype
    keys = tuple(s.sval for s in con.keys or ())
    if ctype == ConstrType.CONSTR_PRIMARY:
        t.primary_key.extend(keys)
    elif ctype == ConstrType.CONSTR_UNIQUE:
        t.unique.append(UniqueFragment(keys, line, name=con.conname))
    elif ctype == ConstrType.CONSTR_FOREIGN:
        cols = tuple(s.sval for s in con.fk_attrs or ())
        t.foreign_keys.append(ForeignKeyFragment(cols, reference(con, line), line))
    elif ctype == ConstrType.CONSTR_CHECK:
        _check(con, src, t)
    else:
        t.diagnostics.append(
            warning(line, f"{ctype.name.removeprefix('CONSTR_')} table constraint is not supported; left out")
        )


def table_fragment(
    stmt: ast.CreateStmt, src: Source, start: int, end: int, section: tuple[str, ...]
) -> tuple[TableFragment, list[Diagnostic]]:
    """Read one CREATE TABLE; ``start``/``end`` bound the statement in ``src``."""
    t = _Table()
    elts = list(stmt.tableElts or ())
    for i, elt in enumerate(elts):
        nxt = next((e.location for e in elts[i + 1 :] if getattr(e, "location", -1) >= 0), end)
        if isinstance(elt, ast.ColumnDef):
            t.columns.append(_column(elt, src, nxt, t))
        elif isinstance(elt, ast.Constraint):
            _table_constraint(elt, src, t)
        else:
            where = getattr(elt, "location", None)
            line = src.line(where) if isinstance(where, int) and where >= 0 else src.line(start)
            what = "LIKE" if isinstance(elt, ast.TableLikeClause) else type(elt).__name__
            t.diagnostics.append(warning(line, f"{what} in CREATE TABLE is not supported; left out"))
    if stmt.inhRelations:
        t.diagnostics.append(
            warning(src.line(start), "INHERITS is not supported; only the columns written here are read")
        )
    columns = []
    for col in t.columns:
        if col.name in t.enums:
            col = replace(col, enum=t.enums.pop(col.name))
        if col.name in t.primary_key:
            col = replace(col, nullable=False)
        columns.append(col)
    for name in t.enums:
        t.diagnostics.append(warning(src.line(start), f"CHECK names column {name!r}, which this table does not have"))
    pk = tuple(t.primary_key) or tuple(c.name for c in columns if c.primary_key)
    name, schema = relation_name(stmt.relation)
    fragment = TableFragment(
        name,
        src.line(start),
        "sql",
        columns=tuple(columns),
        primary_key=pk,
        unique=tuple(t.unique),
        foreign_keys=tuple(t.foreign_keys),
        checks=tuple(t.checks),
        schema=schema,
        section=section,
    )
    return fragment, t.diagnostics


def added_columns(
    table: str, defs: list[ast.ColumnDef], src: Source, end: int, line: int, section: tuple[str, ...]
) -> tuple[TableFragment, list[Diagnostic]]:
    """``ALTER TABLE t ADD COLUMN ...`` (migration style): the columns, to be added to ``t`` by the merge."""
    t = _Table()
    for i, col in enumerate(defs):
        nxt = defs[i + 1].location if i + 1 < len(defs) and defs[i + 1].location is not None else end
        column = _column(col, src, nxt, t)
        if column.name in t.enums:
            column = replace(column, enum=t.enums.pop(column.name))
        t.columns.append(column)
    schema, _, name = table.rpartition(".")
    fragment = TableFragment(
        name,
        line,
        "sql",
        columns=tuple(t.columns),
        unique=tuple(t.unique),
        checks=tuple(t.checks),
        schema=schema or None,
        section=section,
        extends=True,
    )
    return fragment, t.diagnostics
