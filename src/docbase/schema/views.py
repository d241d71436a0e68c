"""The document's views (``CREATE VIEW``): their columns, where each comes from, and how SQLite can hold them.

A view is kept as written (a ``Routine`` of kind ``view``) and run on
PostgreSQL as written; what the API needs to serve it (column names and
types, the base table each column is read from, whether PostgreSQL can
write through it) is worked out here from its ``SELECT`` with sqlglot,
against the model's tables and the views before it. PostgREST finds a
view's relationships through the same tracing: a view column that is a
plain base-table column carries that column's foreign keys.

What sqlglot cannot read or cannot translate to SQLite is not guessed:
``View.sqlite`` is None and ``sqlite_why`` says why, so the API answers a
PGRST127-style error naming the view on SQLite, and ``inspect`` lists it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp

from .model import Column, Schema, Table

_VOCABULARY = {  # sqlglot's type of an expression -> the model's vocabulary (else text)
    "INT": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "DOUBLE": "float",
    "FLOAT": "float",
    "DECIMAL": "numeric",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "JSON": "json",
    "JSONB": "jsonb",
    "UUID": "uuid",
}
_RAW_TYPES = {"to_tsvector": "tsvector"}  # functions whose type the API's operators need (fts on a tsvector)


@dataclass(frozen=True)
class ViewColumn:
    """One column of a view; ``source`` is the ``(table, column)`` it is a plain copy of, if it is one.

    ``reads`` lists every base column the expression reads (a hidden base column keeps the view column hidden).
    """

    column: Column
    source: tuple[str, str] | None = None
    reads: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class View:
    """A view the API serves like a table (``/rest/v1/<name>``)."""

    name: str
    sql: str = field(repr=False)
    line: int
    columns: tuple[ViewColumn, ...]
    bases: tuple[str, ...]  # the model's tables (or earlier views) the view reads, in FROM order
    updatable: bool  # PostgreSQL's simple view: one base, no joins, aggregates, DISTINCT, LIMIT or set operations
    sqlite: str | None = field(default=None, repr=False)  # CREATE VIEW for SQLite, None when not translated
    sqlite_why: str = ""

    def as_table(self) -> Table:
        """The view as the model's table: its columns, and the base's primary key where the view keeps all of it."""
        key: tuple[str, ...] = ()
        if len(self.bases) == 1:
            names = {c.source[1]: c.column.name for c in self.columns if c.source and c.source[0] == self.bases[0]}
            key = tuple(names.get(k, "") for k in self._base_key)
            key = key if all(key) else ()
        return Table(self.name, tuple(c.column for c in self.columns), primary_key=key, line=self.line)

    _base_key: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def column_from(self, table: str, column: str) -> str | None:
        """The view's name for ``table.column`` when the view copies it plainly, else None."""
        for c in self.columns:
            if c.source == (table, column):
                return c.column.name
        return None


def views(schema: Schema) -> tuple[tuple[View, ...], list[tuple[int, str]]]:
    """The document's views that could be read, and (line, message) for those that could not."""
    out: list[View] = []
    notes: list[tuple[int, str]] = []
    tables = {t.name: t for t in schema.tables}
    for routine in schema.routines:
        if routine.kind != "view":
            continue
        try:
            view = _read(routine.name, routine.sql, routine.line, tables)
        except Exception as exc:  # sqlglot's ParseError and shapes we did not foresee: name the view, go on
            notes.append((routine.line, f"view {routine.name!r} is created on PostgreSQL but not served: {exc}"))
            continue
        out.append(view)
        tables[view.name] = view.as_table()
    return tuple(out), notes


def _read(name: str, sql: str, line: int, tables: dict[str, Table]) -> View:
    tree = sqlglot.parse_one(sql, read="postgres")
    if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query):
        raise ValueError("its statement is not CREATE VIEW ... AS SELECT")
    names: list[str] = []
    target = tree.this
    if isinstance(target, exp.Schema):  # CREATE VIEW v (a, b) AS ...
        names = [e.name for e in target.expressions]
    query = tree.expression
    if not isinstance(query, exp.Select):
        raise ValueError("only a single SELECT is read (UNION and friends: not yet)")
    aliases: dict[str, str] = {}
    for t in query.find_all(exp.Table):
        if t.db and t.db not in ("public",):
            raise ValueError(f"it reads {t.db}.{t.name}, outside the document's public tables")
        if t.name not in tables:
            raise ValueError(f"it reads {t.name!r}, which is not a table of the document")
        aliases[t.alias_or_name] = t.name
    from_tables = [t.name for t in _from_tables(query)]
    columns: list[ViewColumn] = []
    for projection in query.expressions:
        columns.extend(_projection(projection, aliases, from_tables, tables))
    if names:
        if len(names) > len(columns):
            raise ValueError("it names more columns than its SELECT gives")
        names += [""] * (len(columns) - len(names))
        columns = [
            replace(c, column=replace(c.column, name=n)) if n else c for c, n in zip(columns, names, strict=True)
        ]
    bases = tuple(dict.fromkeys(from_tables))
    simple = (
        len(bases) == 1
        and not query.args.get("joins")
        and not any(query.args.get(k) for k in ("group", "having", "distinct", "limit", "offset", "with"))
        and not any(isinstance(p, exp.AggFunc) for p in query.find_all(exp.AggFunc))
        and all(c.source is not None for c in columns)
    )
    base_key = tables[bases[0]].primary_key if len(bases) == 1 else ()
    sqlite, why = _sqlite(tree)
    return View(name, sql, line, tuple(columns), bases, simple, sqlite, why, _base_key=base_key)


def _from_tables(query: exp.Select) -> list[exp.Table]:
    found = []
    source = query.args.get("from_") or query.args.get("from")
    if source is not None and isinstance(source.this, exp.Table):
        found.append(source.this)
    for join in query.args.get("joins") or ():
        if isinstance(join.this, exp.Table):
            found.append(join.this)
    return found


def _projection(
    node: exp.Expression, aliases: dict[str, str], from_tables: list[str], tables: dict[str, Table]
) -> list[ViewColumn]:
    if isinstance(node, exp.Star):
        return [_copy(t, c.name, tables) for t in from_tables for c in tables[t].columns]
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
        table = aliases.get(node.table, node.table)
        return [_copy(table, c.name, tables) for c in tables[table].columns]
    inner = node.this if isinstance(node, exp.Alias) else node
    out_name = node.alias if isinstance(node, exp.Alias) else _output_name(inner)
    if isinstance(inner, exp.Column):
        table = _owner(inner, aliases, from_tables, tables)
        copied = _copy(table, inner.name, tables)
        return [replace(copied, column=replace(copied.column, name=out_name))]
    reads = tuple(
        (_owner(c, aliases, from_tables, tables), c.name) for c in inner.find_all(exp.Column) if c.name != "*"
    )
    kind = _VOCABULARY.get(_type_of(inner), "text")
    raw = _RAW_TYPES.get(_output_name(inner)) if isinstance(inner, exp.Anonymous) else None
    return [ViewColumn(Column(out_name, kind, inferred=True, raw_type=raw), None, reads)]


def _copy(table: str, column: str, tables: dict[str, Table]) -> ViewColumn:
    found = tables[table].column(column)
    if found is None:
        raise ValueError(f"{table}.{column} is not a column of the document")
    return ViewColumn(found, (table, column), ((table, column),))


def _owner(column: exp.Column, aliases: dict[str, str], from_tables: list[str], tables: dict[str, Table]) -> str:
    if column.table:
        if column.table not in aliases:
            raise ValueError(f"{column.table}.{column.name}: unknown table or alias")
        return aliases[column.table]
    owners = [t for t in dict.fromkeys(from_tables) if tables[t].column(column.name) is not None]
    if len(owners) != 1:
        raise ValueError(f"column {column.name!r} is {'ambiguous' if owners else 'in none of its tables'}")
    return owners[0]


def _output_name(node: exp.Expression) -> str:
    """PostgreSQL's name for an unnamed select item: the column, the function, else ``?column?``."""
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Cast):
        inner = node.this
        return inner.name if isinstance(inner, exp.Column) else str(node.to.this.value).lower()
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return "?column?"


def _type_of(node: exp.Expression) -> str:
    if isinstance(node, exp.Literal) and not node.is_string:
        return "DOUBLE" if "." in node.this else "INT"
    if isinstance(node, exp.Cast):
        return str(node.to.this.value)
    if isinstance(node, exp.Count):
        return "BIGINT"
    if isinstance(node, (exp.Predicate, exp.Not, exp.Connector)):
        return "BOOLEAN"
    return ""


def _sqlite(tree: exp.Create) -> tuple[str | None, str]:
    """The view as SQLite runs it, or None and why: PostgreSQL-only syntax is not guessed at."""
    unknown = sorted({str(f.this).lower() for f in tree.expression.find_all(exp.Anonymous)})
    if unknown:
        return None, f"SQLite has no {', '.join(unknown)}()"
    tree = tree.copy()
    for table in tree.find_all(exp.Table):
        if table.db == "public":  # SQLite's "public" would be an attached database
            table.set("db", None)
    try:
        text = tree.sql(dialect="sqlite", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except Exception as exc:
        return None, f"sqlglot cannot translate it to SQLite ({exc})"
    return text, ""
