"""MySQL, SQLite and T-SQL statements (parsed by sqlglot) -> fragments.

sqlglot keeps a line and offset on identifiers only, so a column's line is
its name's line; types and defaults are sqlglot's reprint in the block's own
dialect (``INT UNSIGNED``, ``CURRENT_TIMESTAMP``), close to what was written.
Each statement is parsed alone, so one bad statement costs only itself.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import sqlglot
from sqlglot import exp

from ..document import Diagnostic, info, warning
from ..fragments import (
    CheckFragment,
    ColumnFragment,
    ConstraintFragment,
    ForeignKeyFragment,
    IndexColumn,
    IndexFragment,
    Reference,
    RoutineFragment,
    TableFragment,
    TypeInfo,
    UniqueFragment,
)
from ._sql_repair import recover
from ._sql_text import Source, split_statements
from .base import Reading
from .types import parse_type


class _CommandFallbackFilter(logging.Filter):
    """Drop sqlglot's "falling back to parsing as a Command" log line: docbase reports that statement itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_CommandFallbackFilter())

_ROUTINES = {"FUNCTION": "function", "PROCEDURE": "function", "TRIGGER": "trigger", "VIEW": "view"}
# SQLite table options sqlglot does not parse; they change storage, not the schema docbase models.
_SQLITE_OPTIONS = re.compile(r"(?i)\)\s*(?:(?:WITHOUT\s+ROWID|STRICT)\s*,?\s*)+;?\s*$")
_SCHEMA_STATEMENT = re.compile(r"(?is)^(CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)|ALTER\s+TABLE)\b")


def read_glot(src: Source, dialect: str, section: tuple[str, ...] = ()) -> Reading:
    """Read every statement of a MySQL / SQLite / T-SQL block."""
    reading = Reading()
    for offset, piece in split_statements(src.text):
        piece = _SQLITE_OPTIONS.sub(")", piece) if dialect == "sqlite" else piece
        piece_src = Source(piece, src.line(offset))
        try:
            trees = [sqlglot.parse_one(piece, read=dialect)]
        except Exception as exc:  # ParseError, TokenError; ValueError/TypeError on some garbage too
            repaired, notes = recover(piece, lambda text: _parses(text, dialect), dialect)
            reading.diagnostics.extend(warning(piece_src.first_line + i, m) for i, m in notes)
            if repaired is None:
                reading.diagnostics.append(_parse_error(exc, piece_src))
                continue
            piece_src = Source(repaired, piece_src.first_line)
            trees = [t for t in sqlglot.parse(repaired, read=dialect) if t is not None]
        for tree in trees:
            try:
                _dispatch(tree, piece_src, dialect, section, reading)
            except Exception as exc:  # an expression shape we did not foresee: report it, keep reading
                reading.diagnostics.append(warning(piece_src.first_line, f"could not read this statement: {exc}"))
    return reading


def _parses(text: str, dialect: str) -> bool:
    """Whether sqlglot reads ``text`` as statements (a fallback to a bare Command is not reading it)."""
    try:
        trees = sqlglot.parse(text, read=dialect)
    except Exception:
        return False
    return bool(trees) and all(t is not None and not isinstance(t, exp.Command) for t in trees)


def _parse_error(exc: Exception, src: Source) -> Diagnostic:
    details = getattr(exc, "errors", None) or [{}]
    line = src.first_line + max(0, int(details[0].get("line") or 1) - 1)
    message = str(details[0].get("description") or exc).split("\n", 1)[0]
    message = re.sub(r"<Token token_type: [^,]*, text: (.*?), line: .*?>", r"'\1'", message)
    text = f"SQL syntax error: {message}; statement skipped"
    return warning(line, text)


def _line(node: exp.Expression | None, src: Source) -> int:
    """Line of the first identifier under ``node`` that carries a position."""
    if node is None:
        return src.first_line
    for ident in node.find_all(exp.Identifier):
        start = ident.meta.get("start") if ident.meta else None
        if isinstance(start, int):
            return src.line(start)
    return src.first_line


def _table_name(table: exp.Expression | None) -> tuple[str, str | None]:
    if not isinstance(table, exp.Table):
        return (table.name if table is not None else "?"), None
    schema = table.db or None
    return table.name, None if schema in (None, "public", "main", "dbo") else schema


def _qualified(table: exp.Expression | None) -> str:
    name, schema = _table_name(table)
    return f"{schema}.{name}" if schema else name


def _names(nodes: list[exp.Expression] | None) -> tuple[str, ...]:
    return tuple(n.name for n in nodes or ())


def _reference(ref: exp.Reference, line: int, name: str | None = None) -> Reference:
    target = ref.this
    table = target.this if isinstance(target, exp.Schema) else target
    cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
    actions: dict[str, str] = {}
    for option in ref.args.get("options") or ():
        m = re.match(r"(?i)ON\s+(DELETE|UPDATE)\s+(.+)", str(option))
        if m:
            actions[m.group(1).lower()] = m.group(2).strip().lower()
    on_delete = actions.get("delete")
    on_update = actions.get("update")
    return Reference(
        _qualified(table),
        cols,
        on_delete if on_delete != "no action" else None,
        on_update if on_update != "no action" else None,
        name,
        line,
    )


def _enum_check(expr: exp.Expression | None) -> tuple[str, tuple[str, ...]] | None:
    if isinstance(expr, exp.In) and isinstance(expr.this, exp.Column) and expr.expressions:
        if all(isinstance(e, exp.Literal) for e in expr.expressions):
            return expr.this.name, tuple(e.name for e in expr.expressions)
    return None


def _type(kind: exp.DataType | None, dialect: str) -> tuple[TypeInfo | None, tuple[str, ...] | None]:
    """The column's type, and its values when the type is MySQL's inline ENUM(...)."""
    if kind is None:
        return None, None
    # SQLite's printer turns types into its affinities (BOOLEAN -> INTEGER, NUMERIC(10,2) -> REAL):
    # print them in sqlglot's neutral dialect, which keeps what the document wrote.
    raw = kind.sql(dialect=None if dialect == "sqlite" else dialect)
    if kind.this == exp.DataType.Type.ENUM:
        return TypeInfo("enum", raw), tuple(e.name for e in kind.expressions)
    if dialect == "oracle" and kind.this == exp.DataType.Type.DECIMAL:
        return _oracle_number(kind, raw), None
    plain = re.sub(r"(?i)\s+(UNSIGNED|SIGNED|ZEROFILL)\b", "", raw)
    plain = re.sub(r"(?i)\bU((?:TINY|SMALL|MEDIUM|BIG)?INT)\b", r"\1", plain)  # neutral dialect's UINT
    parsed = parse_type(plain)
    if parsed is not None:
        return replace(parsed, raw=raw), None
    return TypeInfo("enum", raw, enum_name=raw), None


def _oracle_number(kind: exp.DataType, raw: str) -> TypeInfo:
    """Oracle's ``NUMBER(p)`` is an integer of p digits; ``NUMBER(p, s)`` a decimal; bare ``NUMBER`` any number."""
    digits = [int(p.this.name) for p in kind.expressions if p.this is not None and p.this.name.isdigit()]
    precision, scale = (digits + [None, None])[:2]
    if precision is None:
        return TypeInfo("numeric", raw)
    if not scale:
        name = "smallint" if precision <= 4 else "integer" if precision <= 9 else "bigint" if precision <= 18 else ""
        if name:
            return TypeInfo(name, raw)
    return TypeInfo("numeric", raw, precision=precision, scale=scale)


def _column(col: exp.ColumnDef, src: Source, dialect: str, checks: list[CheckFragment]) -> ColumnFragment:
    line = _line(col.this, src)
    ctype, values = _type(col.args.get("kind"), dialect)
    fields: dict[str, object] = {"nullable": True, "enum": values}
    notes: list[str] = []
    for con in col.constraints:
        kind = con.kind
        if isinstance(kind, exp.NotNullColumnConstraint):
            fields["nullable"] = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            fields["primary_key"], fields["nullable"] = True, False
        elif isinstance(kind, exp.UniqueColumnConstraint):
            fields["unique"] = True
        elif isinstance(kind, exp.DefaultColumnConstraint):
            fields["default"] = kind.this.sql(dialect=dialect)
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            notes.append("autoincrement")
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint) and kind.args.get("expression") is None:
            notes.append("identity")
        elif isinstance(kind, exp.Reference):
            fields["references"] = _reference(kind, line)
        elif isinstance(kind, exp.ForeignKey) and isinstance(kind.args.get("reference"), exp.Reference):
            fields["references"] = _reference(kind.args["reference"], line)  # T-SQL's inline FOREIGN KEY REFERENCES
        elif isinstance(kind, exp.CheckColumnConstraint):
            found = _enum_check(kind.this)
            if found and found[0] == col.name:
                fields["enum"] = found[1]
            else:
                checks.append(CheckFragment(kind.this.sql(dialect=dialect), line))
    return ColumnFragment(col.name, line, type=ctype, notes=tuple(notes), **fields)  # type: ignore[arg-type]


def _table(tree: exp.Create, src: Source, dialect: str, section: tuple[str, ...], out: Reading) -> None:
    schema_node = tree.this
    if not isinstance(schema_node, exp.Schema):
        out.diagnostics.append(warning(src.first_line, "CREATE TABLE ... AS is not read; write the columns out"))
        return
    name, schema = _table_name(schema_node.this)
    columns: list[ColumnFragment] = []
    pk: list[str] = []
    unique: list[UniqueFragment] = []
    fks: list[ForeignKeyFragment] = []
    checks: list[CheckFragment] = []
    indexes: list[IndexFragment] = []
    enums: dict[str, tuple[str, ...]] = {}
    for elt in schema_node.expressions:
        line = _line(elt, src)
        con_name = None
        if isinstance(elt, exp.Constraint):
            con_name, elt = elt.name, (elt.expressions[0] if elt.expressions else elt)
        if isinstance(elt, exp.ColumnDef):
            columns.append(_column(elt, src, dialect, checks))
        elif isinstance(elt, exp.Identifier):
            columns.append(ColumnFragment(elt.name, line, nullable=True))
        elif isinstance(elt, exp.PrimaryKey):
            pk.extend(_names(elt.expressions))
        elif isinstance(elt, exp.UniqueColumnConstraint):
            target = elt.this
            cols = _names(target.expressions) if isinstance(target, exp.Schema) else ()
            key_name = target.name if isinstance(target, exp.Schema) and target.this is not None else None
            unique.append(UniqueFragment(cols, line, name=con_name or key_name))
        elif isinstance(elt, exp.ForeignKey) and isinstance(elt.args.get("reference"), exp.Reference):
            fks.append(
                ForeignKeyFragment(_names(elt.expressions), _reference(elt.args["reference"], line, con_name), line)
            )
        elif isinstance(elt, exp.CheckColumnConstraint):
            found = _enum_check(elt.this)
            if found:
                enums[found[0]] = found[1]
            else:
                checks.append(CheckFragment(elt.this.sql(dialect=dialect), line, name=con_name))
        elif isinstance(elt, exp.IndexColumnConstraint):
            cols = tuple(IndexColumn(c.name) for c in elt.expressions)
            indexes.append(
                IndexFragment(_qualified(schema_node.this), cols, line, name=elt.name or None, method="btree")
            )
        else:
            out.diagnostics.append(warning(line, f"{elt.sql(dialect=dialect)[:60]!r} in CREATE TABLE is not read"))
    columns = [
        replace(c, enum=enums.get(c.name, c.enum), nullable=False if c.name in pk else c.nullable) for c in columns
    ]
    out.fragments.append(
        TableFragment(
            name,
            _line(schema_node.this, src),
            "sql",
            columns=tuple(columns),
            primary_key=tuple(pk) or tuple(c.name for c in columns if c.primary_key),
            unique=tuple(unique),
            foreign_keys=tuple(fks),
            checks=tuple(checks),
            indexes=tuple(indexes),
            schema=schema,
            section=section,
        )
    )


def _index(tree: exp.Create, src: Source, dialect: str) -> IndexFragment:
    index = tree.this
    params = index.args.get("params")
    columns = []
    for item in (params.args.get("columns") if params else None) or ():
        desc = isinstance(item, exp.Ordered) and bool(item.args.get("desc"))
        inner = item.this if isinstance(item, exp.Ordered) else item
        if isinstance(inner, exp.Column):
            columns.append(IndexColumn(inner.name, desc=desc))
        else:
            columns.append(IndexColumn(inner.sql(dialect=dialect), desc=desc, expression=True))
    using = params.args.get("using") if params else None
    where = params.args.get("where") if params else None
    return IndexFragment(
        _qualified(index.args.get("table")),
        tuple(columns),
        _line(index, src),
        name=index.name or None,
        unique=bool(tree.args.get("unique")),
        method=(using.name if using is not None else "btree").lower(),
        where=where.this.sql(dialect=dialect) if where is not None else None,
    )


def _alter(tree: exp.Alter, src: Source, dialect: str, out: Reading) -> None:
    table = _qualified(tree.this)
    line = src.first_line
    added = [a for a in tree.args.get("actions") or () if isinstance(a, exp.ColumnDef)]
    if added:
        checks: list[CheckFragment] = []
        columns = tuple(_column(c, src, dialect, checks) for c in added)
        name, schema = _table_name(tree.this)
        out.fragments.append(
            TableFragment(name, line, "sql", columns=columns, checks=tuple(checks), schema=schema, extends=True)
        )
    for action in tree.args.get("actions") or ():
        if isinstance(action, exp.ColumnDef):
            continue
        if not isinstance(action, exp.AddConstraint):
            out.diagnostics.append(
                warning(line, f"ALTER TABLE {table}: {action.sql(dialect=dialect)[:60]!r} is not used; ignored")
            )
            continue
        for con in action.expressions:
            name = con.name if isinstance(con, exp.Constraint) else None
            inner = con.expressions[0] if isinstance(con, exp.Constraint) and con.expressions else con
            if isinstance(inner, exp.ForeignKey) and isinstance(inner.args.get("reference"), exp.Reference):
                ref = _reference(inner.args["reference"], line, name)
                out.fragments.append(
                    ConstraintFragment(table, "foreign_key", _names(inner.expressions), line, references=ref, name=name)
                )
            elif isinstance(inner, exp.PrimaryKey):
                out.fragments.append(
                    ConstraintFragment(table, "primary_key", _names(inner.expressions), line, name=name)
                )
            elif isinstance(inner, exp.UniqueColumnConstraint) and isinstance(inner.this, exp.Schema):
                key = inner.this.name if inner.this.this is not None else None
                out.fragments.append(
                    ConstraintFragment(table, "unique", _names(inner.this.expressions), line, name=name or key)
                )
            elif isinstance(inner, exp.CheckColumnConstraint):
                found = _enum_check(inner.this)
                cols = (found[0],) if found else ()
                out.fragments.append(
                    ConstraintFragment(
                        table, "check", cols, line, expression=inner.this.sql(dialect=dialect), name=name
                    )
                )
            else:
                out.diagnostics.append(warning(line, f"ALTER TABLE {table}: this kind of constraint is not supported"))


def _dispatch(tree: exp.Expression, src: Source, dialect: str, section: tuple[str, ...], out: Reading) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    text = src.text.strip()
    if isinstance(tree, exp.Create) and kind == "TABLE" and _sqlite_internal(tree):
        out.diagnostics.append(info(src.first_line, "SQLite's own bookkeeping table (sqlite_*) ignored"))
    elif isinstance(tree, exp.Create) and kind == "TABLE":
        _table(tree, src, dialect, section, out)
    elif isinstance(tree, exp.Create) and kind == "INDEX":
        out.fragments.append(_index(tree, src, dialect))
    elif isinstance(tree, exp.Alter) and kind == "TABLE":
        _alter(tree, src, dialect, out)
    elif isinstance(tree, exp.Create) and kind in _ROUTINES:
        out.fragments.append(_routine(_ROUTINES[kind], tree.this, text, src))
    elif isinstance(tree, exp.Command) and str(tree.this).upper() == "CREATE":
        words = str(tree.expression).split()
        routine = _ROUTINES.get(words[0].upper()) if words else None
        if routine and len(words) > 1:
            out.fragments.append(_routine(routine, words[1], text, src))
        else:
            out.diagnostics.append(_unread(text, src))
    else:
        out.diagnostics.append(_unread(text, src))


def _sqlite_internal(tree: exp.Create) -> bool:
    """``sqlite_sequence`` and friends: names SQLite reserves for itself, shown by ``.schema``."""
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    return _table_name(target)[0].lower().startswith("sqlite_")


def _routine(kind: str, target: object, text: str, src: Source) -> RoutineFragment:
    name = target.name if isinstance(target, exp.Expression) else str(target)
    m = re.search(r"(?is)\bON\s+([\w.`\"]+)", text) if kind == "trigger" else None
    table = m.group(1).strip('`"') if m else None
    return RoutineFragment(kind, name.split("(")[0], text, src.first_line, table=table)  # type: ignore[arg-type]


def _unread(text: str, src: Source) -> Diagnostic:
    if _SCHEMA_STATEMENT.match(text):
        return warning(
            src.first_line, f"{' '.join(text.split()[:3])} could not be read in this dialect; statement skipped"
        )
    if _DUMP_HOUSEKEEPING.match(text):  # mysqldump / .dump boilerplate around every CREATE TABLE
        return info(src.first_line, f"{' '.join(text.split()[:2]).upper()} statement (dump housekeeping) ignored")
    return warning(src.first_line, f"{' '.join(text.split()[:2]).upper()} statement is not used by docbase; ignored")


_DUMP_HOUSEKEEPING = re.compile(r"(?i)^\s*(?:DROP\s+\w+\s+IF\s+EXISTS|(?:UN)?LOCK\s+TABLES|SET|BEGIN|COMMIT|PRAGMA)\b")
