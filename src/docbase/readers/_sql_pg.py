"""PostgreSQL statements (parsed by pglast) -> fragments.

The whole block is parsed at once; if PostgreSQL's grammar rejects it, the
block is cut into statements (see ``_sql_text``) and each is parsed alone, so
one bad statement costs that statement, not the block. Statements docbase has
no use for are reported, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType, ObjectType, RoleSpecType
from pglast.parser import ParseError

from ..document import Diagnostic, warning
from ..fragments import (
    ConstraintFragment,
    EnumFragment,
    IndexColumn,
    IndexFragment,
    PolicyFragment,
    RlsFragment,
    RoutineFragment,
)
from ._sql_pg_table import added_columns, deparse, enum_check, qualified, reference, table_fragment, type_name
from ._sql_repair import recover
from ._sql_text import Source, skip_trivia, split_statements
from .base import Reading

_RUN_AS_WRITTEN = {
    "CreateSeqStmt": "sequence",
    "CreateDomainStmt": "domain",
    "CompositeTypeStmt": "type",
    "CreateSchemaStmt": "schema",
    "CreateTableAsStmt": "materialized view",
    "CommentStmt": "comment",
    "CreateRangeStmt": "type",
}
_SILENT = ("TransactionStmt", "VariableSetStmt")

Located = tuple[Source, int, int, ast.Node]


def read_postgres(src: Source, section: tuple[str, ...] = ()) -> Reading:
    """Read every statement of a PostgreSQL block."""
    reading = Reading()
    for stmt_src, start, end, node in _statements(src, reading.diagnostics):
        try:
            _dispatch(node, stmt_src, start, end, section, reading)
        except Exception as exc:  # an AST shape we did not foresee: report it, keep reading
            reading.diagnostics.append(
                warning(stmt_src.line(start), f"could not read this {_kind(stmt_src.text[start:end])} statement: {exc}")
            )
    return reading


def _statements(src: Source, diagnostics: list[Diagnostic]) -> Iterator[Located]:
    try:
        raws = parse_sql(src.text)
    except ParseError:
        pass
    except Exception as exc:  # pglast raises other errors on odd input (e.g. nesting limits)
        diagnostics.append(warning(src.line(0), f"SQL could not be read: {exc}"))
        return
    else:
        yield from _located(raws, src)
        return
    for offset, piece in split_statements(src.text):
        piece_src = Source(piece, src.line(offset))
        yield from _parse_piece(piece_src, diagnostics)


def _parses(text: str) -> bool:
    try:
        parse_sql(text)
    except Exception:
        return False
    return True


def _parse_piece(src: Source, diagnostics: list[Diagnostic]) -> Iterator[Located]:
    try:
        raws = parse_sql(src.text)
    except ParseError as exc:
        repaired, notes = recover(src.text, _parses)
        diagnostics.extend(warning(src.first_line + index, message) for index, message in notes)
        if repaired is None:
            diagnostics.append(_parse_error(exc, src))
            return
        yield from _located(parse_sql(repaired), Source(repaired, src.first_line))
        return
    except Exception as exc:
        diagnostics.append(warning(src.line(0), f"SQL could not be read: {exc}"))
        return
    yield from _located(raws, src)


def _parse_error(exc: ParseError, src: Source) -> Diagnostic:
    message = str(exc.args[0]) if exc.args else str(exc)
    where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
    head = src.text.split("\n", 1)[0].strip()
    text = f"SQL syntax error: {message}; statement skipped ({head[:60]})"
    return warning(src.line(where), text)


def _located(raws: tuple[ast.RawStmt, ...], src: Source) -> Iterator[Located]:
    for raw in raws:
        loc = raw.stmt_location or 0
        end = loc + raw.stmt_len if raw.stmt_len else len(src.text)
        yield src, skip_trivia(src.text, loc, end), end, raw.stmt


def _kind(text: str) -> str:
    words = re.findall(r"[A-Za-z]+", text)[:3]
    if words and words[0].upper() in ("CREATE", "ALTER", "DROP") and len(words) > 1:
        skip = 3 if words[1].upper() == "OR" else 1
        return " ".join(w.upper() for w in [words[0], *words[skip : skip + 1]])
    return words[0].upper() if words else "empty"


def _dispatch(node: ast.Node, src: Source, start: int, end: int, section: tuple[str, ...], out: Reading) -> None:
    line = src.line(start)
    text = src.text[start:end].rstrip().rstrip(";").rstrip()
    name = type(node).__name__
    if isinstance(node, ast.CreateStmt):
        fragment, diagnostics = table_fragment(node, src, start, end, section)
        out.fragments.append(fragment)
        out.diagnostics.extend(diagnostics)
    elif isinstance(node, ast.CreateEnumStmt):
        values = tuple(v.sval for v in node.vals or ())
        out.fragments.append(EnumFragment(type_name(node.typeName), values, line, source="sql"))
    elif isinstance(node, ast.IndexStmt):
        out.fragments.append(_index(node, line))
    elif isinstance(node, ast.AlterTableStmt):
        _alter_table(node, line, out)
        defs = [c.def_ for c in node.cmds or () if c.subtype == AlterTableType.AT_AddColumn]
        if defs:
            fragment, diagnostics = added_columns(qualified(node.relation), defs, src, end, line, section)
            out.fragments.append(fragment)
            out.diagnostics.extend(diagnostics)
    elif isinstance(node, ast.CreatePolicyStmt):
        out.fragments.append(_policy(node, line, text))
    elif isinstance(node, ast.CreateFunctionStmt):
        out.fragments.append(RoutineFragment("function", type_name(node.funcname), text, line))
    elif isinstance(node, ast.CreateTrigStmt):
        out.fragments.append(RoutineFragment("trigger", node.trigname, text, line, table=qualified(node.relation)))
    elif isinstance(node, ast.ViewStmt):  # served at /rest/v1/<view> (docbase.schema.views)
        out.fragments.append(RoutineFragment("view", qualified(node.view), text, line))
    elif isinstance(node, ast.CreateExtensionStmt):
        out.fragments.append(RoutineFragment("extension", node.extname, text, line))
    elif name in _RUN_AS_WRITTEN:
        if isinstance(node, ast.CommentStmt):
            out.fragments.extend(_comment(node, line))
        out.fragments.append(RoutineFragment("other", _object_name(node) or _RUN_AS_WRITTEN[name], text, line))
    elif name not in _SILENT:
        out.diagnostics.append(warning(line, f"{_kind(text)} statement is not used by docbase; ignored"))


def _comment(node: ast.CommentStmt, line: int) -> list[ConstraintFragment]:
    """``COMMENT ON TABLE t`` / ``COMMENT ON COLUMN t.c``: the description the API documents."""
    names = [getattr(n, "sval", "") for n in node.object or ()] if isinstance(node.object, tuple) else []
    if node.comment is None or not names:
        return []
    if node.objtype == ObjectType.OBJECT_TABLE:
        return [ConstraintFragment(".".join(names), "comment", (), line, expression=node.comment)]
    if node.objtype == ObjectType.OBJECT_COLUMN and len(names) >= 2:
        table = ".".join(names[:-1])
        return [ConstraintFragment(table, "comment", (names[-1],), line, expression=node.comment)]
    return []


def _object_name(node: ast.Node) -> str | None:
    for attr in ("view", "sequence", "typevar", "into"):
        rel = getattr(node, attr, None)
        rel = getattr(rel, "rel", rel)
        if isinstance(rel, ast.RangeVar):
            return qualified(rel)
    for attr in ("domainname", "typeName"):
        names = getattr(node, attr, None)
        if isinstance(names, tuple):
            return type_name(names)
    return getattr(node, "schemaname", None)


def _index(node: ast.IndexStmt, line: int) -> IndexFragment:
    columns = []
    for elem in node.indexParams or ():
        desc = elem.ordering is not None and elem.ordering.name == "SORTBY_DESC"
        if elem.name:
            columns.append(IndexColumn(elem.name, desc=desc))
        else:
            columns.append(IndexColumn(deparse(elem.expr) or "?", desc=desc, expression=True))
    return IndexFragment(
        qualified(node.relation),
        tuple(columns),
        line,
        name=node.idxname,
        unique=bool(node.unique),
        method=(node.accessMethod or "btree").lower(),
        where=deparse(node.whereClause),
    )


def _alter_table(node: ast.AlterTableStmt, line: int, out: Reading) -> None:
    table = qualified(node.relation)
    for cmd in node.cmds or ():
        sub = cmd.subtype
        if sub == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            fragment = _constraint(table, cmd.def_, line)
            if fragment is None:
                out.diagnostics.append(warning(line, f"ALTER TABLE {table}: this kind of constraint is not supported"))
            else:
                out.fragments.append(fragment)
        elif sub == AlterTableType.AT_SetNotNull:
            out.fragments.append(ConstraintFragment(table, "not_null", (cmd.name,), line))
        elif sub == AlterTableType.AT_ColumnDefault and cmd.def_ is not None:
            default = deparse(cmd.def_)
            out.fragments.append(ConstraintFragment(table, "default", (cmd.name,), line, expression=default))
        elif sub == AlterTableType.AT_EnableRowSecurity:
            out.fragments.append(RlsFragment(table, line))
        elif sub in (AlterTableType.AT_ForceRowSecurity, AlterTableType.AT_AddColumn):
            continue  # ADD COLUMN: read by ``added_columns``
        else:
            what = sub.name.removeprefix("AT_") if sub is not None else "command"
            out.diagnostics.append(warning(line, f"ALTER TABLE {table} {what} is not used by docbase; ignored"))


def _constraint(table: str, con: ast.Constraint, line: int) -> ConstraintFragment | None:
    keys = tuple(s.sval for s in con.keys or ())
    if con.contype == ConstrType.CONSTR_PRIMARY:
        return ConstraintFragment(table, "primary_key", keys, line, name=con.conname)
    if con.contype == ConstrType.CONSTR_UNIQUE:
        return ConstraintFragment(table, "unique", keys, line, name=con.conname)
    if con.contype == ConstrType.CONSTR_FOREIGN:
        cols = tuple(s.sval for s in con.fk_attrs or ())
        return ConstraintFragment(table, "foreign_key", cols, line, references=reference(con, line), name=con.conname)
    if con.contype == ConstrType.CONSTR_CHECK:
        found = enum_check(con.raw_expr)
        cols = (found[0],) if found else ()
        return ConstraintFragment(table, "check", cols, line, expression=deparse(con.raw_expr), name=con.conname)
    return None


def _policy(node: ast.CreatePolicyStmt, line: int, text: str) -> PolicyFragment:
    roles = []
    for role in node.roles or ():
        if role.roletype == RoleSpecType.ROLESPEC_CSTRING:
            roles.append(role.rolename)
        else:
            roles.append(role.roletype.name.removeprefix("ROLESPEC_").lower())
    return PolicyFragment(
        qualified(node.table),
        node.policy_name,
        line,
        command=(node.cmd_name or "all").upper(),
        roles=tuple(roles),
        permissive=bool(node.permissive),
        using=deparse(node.qual),
        check=deparse(node.with_check),
        sql=text,
    )
