"""The document's SQL-language functions on SQLite: read from the document, translated by sqlglot.

PostgreSQL runs ``CREATE FUNCTION ... LANGUAGE sql`` as written and docbase reads
what they take and return from ``pg_proc`` (docbase.api.routines). SQLite has no
functions of that kind, so here the definition is read from the document instead:
the header (parameters with defaults, ``RETURNS`` a type, ``SETOF`` a table,
``TABLE (...)`` or ``void``, volatility) by the small parser below, the body (one
``SELECT``, ``INSERT/UPDATE/DELETE ... RETURNING``, or nothing) by sqlglot, which
writes it in SQLite's dialect with each parameter a bound value.

A call then runs the body itself: a ``SELECT`` body as a subquery (so a function
returning a table's rows is read like that table: select, embeds, filters, order,
limits, counts, and the table's row rules applied to its rows), a writing body as
its own statement. PL/pgSQL, bodies sqlglot cannot translate, and positional
``$1`` references stay PostgreSQL-only and answer PGRST127 naming the function.

Who may call: SQLite has no row-level security inside a body, so a function whose
result is not rows of a document table (a scalar, a ``TABLE (...)``, a count)
could read past the caller's rules; on SQLite those run for service_role only (403
naming the function for anyone else). A function returning ``SETOF <table>`` is
open to every role, because the table's row rules filter what it returns, and a
writing body needs service_role too (its writes would skip the table's write rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
import sqlglot.expressions as exp

from ..schema.model import Schema
from .routines import Param, Routine

_HEADER = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?function\s+(?P<name>[\w.\"]+)\s*\((?P<args>.*?)\)\s*returns\s+(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_BODY = re.compile(r"(?P<tag>\$\w*\$)(?P<body>.*?)(?P=tag)|'(?P<quoted>(?:[^']|'')*)'", re.DOTALL)


@dataclass(frozen=True)
class SqliteRoutine(Routine):
    """A function SQLite can run: its body in SQLite's SQL, parameters as ``:name`` placeholders."""

    body: str = ""
    kind: str = "select"  # select | write | empty
    order: tuple[str, ...] = field(default=())  # parameters in the order the body's placeholders name them
    defaults: dict[str, object] = field(default_factory=dict)  # a parameter's default, as SQLite binds it

    def probe(self) -> tuple[str, list[None]]:
        """``EXPLAIN`` of the body with every parameter NULL: SQLite prepares it without running it, so an
        error says the translation is not SQLite's (``unnest``...). Asked by ``inspect`` and by the server."""
        return "EXPLAIN " + re.sub(r":\w+", "?", self.body), [None] * len(self.order)


def _split_args(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current))
    return [p.strip() for p in parts]


def _default(text: str) -> object:
    """A parameter's literal default (``''``, ``0``, ``null``, ``true``) as a value; anything else is refused."""
    tree = sqlglot.parse_one(text, read="postgres")
    while isinstance(tree, exp.Cast):
        tree = tree.this
    if isinstance(tree, exp.Null):
        return None
    if isinstance(tree, exp.Boolean):
        return int(tree.this)
    if isinstance(tree, exp.Literal):
        return tree.this if tree.is_string else (int(tree.this) if tree.this.isdigit() else float(tree.this))
    raise ValueError(text)


def _param(text: str) -> Param | None:
    """``name type [default x | = x]``; None for an unnamed or OUT parameter (SQLite cannot bind it by name)."""
    words = text.split()
    if words and words[0].lower() in ("in", "variadic"):
        words = words[1:]
    if not words or words[0].lower() in ("out", "inout") or len(words) < 2:
        return None
    lowered = [w.lower() for w in words]
    cut = next((i for i, w in enumerate(lowered) if w in ("default", "=")), len(words))
    return Param(words[0].strip('"'), " ".join(words[1:cut]).lower(), cut < len(words))


def _returns(rest: str) -> tuple[str, bool, tuple[str, ...]]:
    """(type, returns a set, output columns of RETURNS TABLE) from the text after RETURNS."""
    text = rest.strip()
    table = re.match(r"table\s*\((?P<cols>.*?)\)", text, re.IGNORECASE | re.DOTALL)
    if table:
        cols = tuple(c.split()[0].strip('"') for c in _split_args(table.group("cols")) if c.split())
        return "record", True, cols
    setof = re.match(r"setof\s+(?P<type>[\w.\"]+)", text, re.IGNORECASE)
    if setof:
        return setof.group("type").strip('"').removeprefix("public."), True, ()
    scalar = re.match(r"(?P<type>[\w.\"]+(?:\s+varying)?(?:\[\])?)", text, re.IGNORECASE)
    return (scalar.group("type").strip('"').lower() if scalar else "record"), False, ()


def _out_types(rest: str) -> tuple[str, ...]:
    """The declared types of RETURNS TABLE's columns, in order (empty for any other result)."""
    table = re.match(r"\s*table\s*\((?P<cols>.*?)\)", rest, re.IGNORECASE | re.DOTALL)
    if table is None:
        return ()
    return tuple(" ".join(c.split()[1:]) for c in _split_args(table.group("cols")) if c.split())


def parse(sql: str, schema: Schema) -> SqliteRoutine | None:
    """The function as SQLite can run it, or None (PL/pgSQL, positional $1, a body sqlglot cannot write)."""
    head = _HEADER.match(sql)
    if head is None:
        return None
    rest = head.group("rest")
    language = re.search(r"language\s+(\w+)", rest, re.IGNORECASE)
    if language is None or language.group(1).lower() != "sql":
        return None
    found = _BODY.search(rest)
    if found is None:
        return None
    raw = found.group("body") if found.group("tag") else found.group("quoted").replace("''", "'")
    params, defaults = [], {}
    for part in _split_args(head.group("args")):
        param = _param(part)
        if param is None:
            return None
        params.append(param)
        if param.has_default:
            given = re.split(r"\s(?:default|=)\s", part, maxsplit=1, flags=re.IGNORECASE)
            try:
                defaults[param.name] = _default(given[1]) if len(given) == 2 else None
            except (ValueError, sqlglot.errors.SqlglotError):
                return None
    return_type, returns_set, out_columns = _returns(rest[: found.start()])
    volatile = not re.search(r"\b(immutable|stable)\b", rest, re.IGNORECASE)
    name = head.group("name").strip('"').removeprefix("public.")
    table = schema.table(return_type)
    columns = out_columns or (tuple(c.name for c in table.columns) if table is not None else ())
    composite = bool(out_columns) or table is not None
    home = name.rpartition(".")[0] or "public"
    translated = _translate(raw, {p.name for p in params}, schema, home)
    if translated is None:
        return None
    body, kind, order = translated
    return SqliteRoutine(
        name,
        tuple(params),
        returns_set,
        "void" if return_type == "void" else return_type,
        composite,
        table.name if table is not None and returns_set else None,
        columns,
        volatile,
        body=body,
        kind=kind,
        order=order,
        defaults=defaults,
        column_types=_out_types(rest[: found.start()]),
    )


def _translate(
    raw: str, names: set[str], schema: Schema, home: str = "public"
) -> tuple[str, str, tuple[str, ...]] | None:
    text = raw.strip().rstrip(";").strip()
    if not text or re.fullmatch(r"select", text, re.IGNORECASE):  # PostgreSQL allows an empty SELECT list
        return "", "empty", ()
    if re.search(r"\$\d", text):
        return None  # positional parameters ($1.message): PostgreSQL only
    try:
        trees = [t for t in sqlglot.parse(text, read="postgres") if t is not None]
    except sqlglot.errors.SqlglotError:
        return None
    if len(trees) != 1:
        return None
    tree = trees[0]
    if isinstance(tree, exp.Select | exp.Union):
        kind = "select"
    elif isinstance(tree, exp.Insert | exp.Update | exp.Delete):
        kind = "write"
    else:
        return None
    order: list[str] = []
    for column in list(tree.find_all(exp.Column)):
        if column.table or column.name not in names or column.name in _in_scope(column, schema):
            continue
        order.append(column.name)
        column.replace(exp.Placeholder(this=column.name))
    for table in tree.find_all(exp.Table):
        # PostgREST calls a function with its schema first on the search path: an unqualified name is the
        # home schema's table when it has one. SQLite keeps ``personal.users`` as one table name.
        db = table.db or (home if schema.table(f"{home}.{table.name}") is not None else "public")
        table.set("db", None)
        if db != "public":
            table.set("this", exp.to_identifier(f"{db}.{table.name}", quoted=True))
    try:
        return tree.sql(dialect="sqlite"), kind, tuple(order)
    except sqlglot.errors.SqlglotError:
        return None


def _in_scope(column: exp.Column, schema: Schema) -> set[str]:
    """Column names of the tables the statement around ``column`` reads (its FROM, an UPDATE's or DELETE's
    table): in a SQL function such a column wins over a parameter of the same name, as in PostgreSQL. An
    INSERT's VALUES see no table, so there a name is the parameter."""
    scope = column.parent
    while scope is not None and not isinstance(scope, exp.Select | exp.Update | exp.Delete):
        scope = scope.parent
    if scope is None:
        return set()
    tables = [
        t
        for key in ("from", "from_", "joins")
        for node in _as_list(scope.args.get(key))
        for t in node.find_all(exp.Table)
    ]
    if isinstance(scope, exp.Update | exp.Delete) and isinstance(scope.this, exp.Table):
        tables.append(scope.this)
    return {c.name for t in tables if (m := schema.table(t.name)) is not None for c in m.columns}


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def sqlite_routines(schema: Schema) -> tuple[dict[str, list[Routine]], dict[str, str]]:
    """The functions SQLite can run (overloads together), and why each other one cannot."""
    found: dict[str, list[Routine]] = {}
    refused: dict[str, str] = {}
    for routine in schema.routines:
        if routine.kind != "function":
            continue
        parsed = parse(routine.sql, schema)
        if parsed is None:
            refused[routine.name.removeprefix("public.")] = "not SQL that SQLite can run"
            continue
        found.setdefault(parsed.name, []).append(parsed)
    return found, refused


def runs_on_sqlite(schema: Schema) -> dict[str, bool]:
    """For ``inspect``: per function, whether SQLite takes its body, asked of an empty in-memory copy of the
    document's tables (the server asks the live database the same way, once per function)."""
    import sqlite3

    from ..db.connections import sqlite_connect
    from ..ddl import to_ddl

    conn = sqlite_connect("sqlite://")  # in memory
    try:
        conn.executescript(to_ddl(schema, "sqlite"))
    except sqlite3.Error:
        pass  # what did get created is enough to judge most bodies
    found: dict[str, bool] = {}
    for routine in schema.routines:
        if routine.kind != "function":
            continue
        parsed = parse(routine.sql, schema)
        ok = parsed is not None
        if parsed is not None and parsed.body:
            try:
                conn.execute(*parsed.probe())
            except sqlite3.Error:
                ok = False
        found[routine.name] = ok
    conn.close()
    return found


__all__ = ["SqliteRoutine", "parse", "runs_on_sqlite", "sqlite_routines"]
