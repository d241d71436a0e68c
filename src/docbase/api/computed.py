"""Computed fields: a function over a table's row type, selected like a column (PostgREST's computed fields).

``CREATE FUNCTION blurb_message(messages) RETURNS text ...`` lets ``messages?select=id,blurb_message``
read ``blurb_message(messages)`` for each row; ``*`` leaves it out, as PostgREST does. Found in the
document's own SQL: one parameter whose type is a table's name, a scalar result (a function returning
rows over a row is a computed relationship, not served yet).

PostgreSQL calls the function on the row (``blurb_message("t0")``). SQLite has no functions: a
SQL-language body that is one expression over the row's columns (``select substring($1.message, 1, 3)``
or ``select m.a || m.b`` for a parameter named ``m``) is written into the statement by sqlglot in
SQLite's dialect, on the row's alias; any other body answers PGRST127 naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlglot
import sqlglot.expressions as exp

from ..readers.types import parse_type
from ..schema.model import Column, Schema
from .errors import postgresql_only_feature
from .sqlite_routines import _BODY, _HEADER, _returns, _split_args

_ROW = "docbase_row"


@dataclass(frozen=True)
class Computed:
    name: str
    function: str  # as the document names it (``public.blurb_message``), for PostgreSQL's call
    returns: str  # the declared result type, lower case
    sqlite: str | None  # the body's expression in SQLite's SQL over the columns of ``docbase_row``

    @property
    def kind(self) -> str:
        """How docbase renders the value (boolean and JSON need SQLite's help)."""
        if self.returns in ("boolean", "bool"):
            return "boolean"
        if self.returns in ("json", "jsonb"):
            return "json"
        return "text"

    @property
    def column(self) -> Column:
        """A column standing for the result, so filters coerce their values to its type."""
        info = parse_type(self.returns)
        return Column(self.name, info.name if info is not None else "text")

    def expression(self, alias: sa.FromClause, dialect: str) -> sa.ColumnElement:
        quoted = '"' + str(alias.name).replace('"', '""') + '"'
        if dialect == "postgresql":
            function = ".".join('"' + p.replace('"', '""') + '"' for p in self.function.split("."))
            return sa.literal_column(f"{function}({quoted})")
        if self.sqlite is None:
            raise postgresql_only_feature(
                f"The computed field {self.name}", "its body is not one SQL expression over the row SQLite can run"
            )
        tree = sqlglot.parse_one(self.sqlite, read="sqlite")
        for column in tree.find_all(exp.Column):
            if column.table == _ROW:
                column.set("table", exp.to_identifier(str(alias.name), quoted=True))
        return sa.literal_column(tree.sql(dialect="sqlite"))


def computed_fields(schema: Schema) -> dict[str, dict[str, Computed]]:
    """Per table, its computed fields by name."""
    found: dict[str, dict[str, Computed]] = {}
    for routine in schema.routines:
        if routine.kind != "function":
            continue
        head = _HEADER.match(routine.sql)
        if head is None:
            continue
        args = _split_args(head.group("args"))
        if len(args) != 1:
            continue
        words = args[0].split()
        if words and words[0].lower() == "in":
            words = words[1:]
        if not words or len(words) > 2:
            continue
        param, type_name = (None, words[0]) if len(words) == 1 else (words[0].strip('"'), words[1])
        table = schema.table(type_name.strip('"').removeprefix("public."))
        if table is None:
            continue
        rest = head.group("rest")
        body = _BODY.search(rest)
        returns, returns_set, _ = _returns(rest[: body.start()] if body else rest)
        if returns_set or schema.table(returns) is not None:
            continue  # rows over a row: a computed relationship
        name = head.group("name").strip('"')
        bare = name.rsplit(".", 1)[-1]
        found.setdefault(table.name, {})[bare] = Computed(bare, name, returns, _sqlite_body(rest, body, param))
    return found


@dataclass(frozen=True)
class ComputedRelationship:
    """A function over a table's row type returning another table's rows: embedded by its name."""

    name: str
    function: str  # as the document names it, for PostgreSQL's call
    target: str
    to_one: bool  # RETURNS <table> (not SETOF), or ROWS 1
    sqlite: str | None = None  # the body as SQLite's one SELECT * over ``docbase_row``'s columns, else None
    one_row: bool = False  # RETURNS <table> (not SETOF): PostgreSQL gives one row, all NULL when none is found

    def sqlite_rows(self, parent: sa.FromClause, width: int = 0) -> str:
        """The body in SQLite's SQL on the parent's alias, for the embed's FROM; PGRST127 when there is none.
        A function returning one row (not SETOF) gives its query's first row, or a row of ``width`` NULLs when
        the query finds none, as ``FROM f(row)`` does on PostgreSQL (so the embed is ``{"name": null}``)."""
        if self.sqlite is None:
            raise postgresql_only_feature(
                f"The computed relationship {self.function}",
                "its body is not one SELECT * query over the row SQLite can run",
            )
        tree = sqlglot.parse_one(self.sqlite, read="sqlite")
        for column in tree.find_all(exp.Column):
            if column.table == _ROW:
                column.set("table", exp.to_identifier(str(parent.name), quoted=True))
        query = tree.sql(dialect="sqlite")
        if not self.one_row or width < 1:
            return query
        nulls = ", ".join(["NULL"] * width)
        return f"SELECT * FROM (SELECT * FROM ({query}) LIMIT 1) UNION ALL SELECT {nulls} WHERE NOT EXISTS ({query})"


def computed_relationships(schema: Schema) -> dict[str, dict[str, ComputedRelationship]]:
    """Per table, its computed relationships by name (PostgREST's: they override a foreign key's name)."""
    found: dict[str, dict[str, ComputedRelationship]] = {}
    for routine in schema.routines:
        head = _HEADER.match(routine.sql) if routine.kind == "function" else None
        if head is None:
            continue
        args = _split_args(head.group("args"))
        words = args[0].split() if len(args) == 1 else []
        if words and words[0].lower() == "in":
            words = words[1:]
        if not words or len(words) > 2:
            continue
        table = schema.table(words[-1].strip('"').removeprefix("public."))
        rest = head.group("rest")
        body = _BODY.search(rest)
        declared = rest[: body.start()] if body else rest
        returns, returns_set, columns = _returns(declared)
        target = schema.table(returns.removeprefix("public.")) if not columns else None
        if table is None or target is None:
            continue
        options = rest[: body.start()] + " " + rest[body.end() :] if body else rest  # ROWS 1 before or after
        rows_one = re.search(r"\brows\s+1\b", options, re.IGNORECASE) is not None
        name = head.group("name").strip('"')
        bare = name.rsplit(".", 1)[-1]
        param = words[0].strip('"') if len(words) == 2 else None
        found.setdefault(table.name, {})[bare] = ComputedRelationship(
            bare, name, target.name, not returns_set or rows_one, _sqlite_query(rest, body, param), not returns_set
        )
    return found


def _sqlite_query(rest: str, body: re.Match | None, param: str | None) -> str | None:
    """A SQL body that is one ``SELECT *`` query, in SQLite's SQL with the row's fields on ``docbase_row``."""
    language = re.search(r"language\s+(\w+)", rest, re.IGNORECASE)
    if body is None or language is None or language.group(1).lower() != "sql":
        return None
    raw = body.group("body") if body.group("tag") else body.group("quoted").replace("''", "'")
    text = re.sub(r"\(\s*\$1\s*\)|\$1\b", _ROW, raw.strip().rstrip(";"))
    try:
        tree = sqlglot.parse_one(text, read="postgres")
    except sqlglot.errors.SqlglotError:
        return None
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return None
    star = tree.expressions[0]
    if not (isinstance(star, exp.Star) or (isinstance(star, exp.Column) and isinstance(star.this, exp.Star))):
        return None  # the target's columns, in its order, are what the embed reads
    aliases = {t.alias_or_name for t in tree.find_all(exp.Table)}
    for column in tree.find_all(exp.Column):
        if column.table and column.table == param and param not in aliases:
            column.set("table", exp.to_identifier(_ROW))
    try:
        return tree.sql(dialect="sqlite")
    except sqlglot.errors.SqlglotError:
        return None


def _sqlite_body(rest: str, body: re.Match | None, param: str | None) -> str | None:
    """The body's one expression over the row, in SQLite's SQL on ``docbase_row``; None if it is not that."""
    language = re.search(r"language\s+(\w+)", rest, re.IGNORECASE)
    if body is None or language is None or language.group(1).lower() != "sql":
        return None
    raw = body.group("body") if body.group("tag") else body.group("quoted").replace("''", "'")
    text = re.sub(r"\(\s*\$1\s*\)|\$1\b", _ROW, raw.strip().rstrip(";"))
    try:
        tree = sqlglot.parse_one(text, read="postgres")
    except sqlglot.errors.SqlglotError:
        return None
    if (
        not isinstance(tree, exp.Select)
        or len(tree.expressions) != 1
        or tree.args.get("from")
        or tree.args.get("from_")
    ):
        return None
    expression = tree.expressions[0]
    if isinstance(expression, exp.Alias):
        expression = expression.this
    for column in expression.find_all(exp.Column):
        if column.table in (_ROW, param) and column.table:
            column.set("table", exp.to_identifier(_ROW))
        else:
            return None  # a name the row does not give (a parameter alone, another table)
    try:
        return expression.sql(dialect="sqlite")
    except sqlglot.errors.SqlglotError:
        return None


__all__ = ["Computed", "ComputedRelationship", "computed_fields", "computed_relationships"]
