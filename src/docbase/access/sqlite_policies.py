"""The document's own policies (``CREATE POLICY ... USING (...)``), made to run on SQLite.

PostgreSQL runs them as written. SQLite has no row-level security, so the
API compiles each policy's USING / WITH CHECK expression into its queries,
as it does the inferred rules. The expression is parsed with sqlglot
(PostgreSQL dialect) and rewritten: ``auth.uid()`` becomes the request's
user-id parameter, the policy table's own columns are pointed at whatever
alias the query gives the table, other tables lose their ``public.``
prefix. Anything that cannot be carried over faithfully (``auth.jwt()``,
unknown functions, tables or columns) raises ``UntranslatablePolicy`` naming
the policy and its line: ``serve`` refuses to start rather than serve the
table unenforced (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from ..schema.model import Policy, Schema

SUB = "docbase_sub"  # the bind parameter holding the signed-in user's id
_SELF = "__docbase_self__"
_UID = "__docbase_uid__"
_SELF_COLUMN = re.compile(r'"__docbase_self__"\."((?:[^"]|"")*)"')
_ALL = frozenset({"select", "insert", "update", "delete"})


class UntranslatablePolicy(ValueError):
    """A document policy SQLite cannot enforce as written."""


@dataclass(frozen=True)
class SqlitePolicy:
    name: str
    table: str
    commands: frozenset[str]
    roles: tuple[str, ...]
    using: str | None  # SQLite text with self columns as "__docbase_self__"."col" and the uid as a marker
    check: str | None

    def applies(self, command: str, role: str) -> bool:
        return command in self.commands and (not self.roles or "public" in self.roles or role in self.roles)

    def expression(self, command: str) -> str | None:
        """PostgreSQL's choice: INSERT checks WITH CHECK; SELECT/DELETE filter with USING; UPDATE both."""
        if command == "insert":
            return self.check or self.using
        return self.using

    def new_row_check(self, command: str) -> str | None:
        return (self.check or self.using) if command in ("insert", "update") else None


def render(text: str, self_column: Callable[[str], str]) -> str:
    """SQL for ``sa.text``: literal colons escaped, self columns via ``self_column(name)``, the uid as ``:docbase_sub``."""
    out = text.replace(":", "\\:")
    out = _SELF_COLUMN.sub(lambda m: self_column(m.group(1).replace('""', '"')), out)
    return out.replace(f'"{_UID}"', f":{SUB}")


def translate(schema: Schema, policy: Policy) -> SqlitePolicy:
    """``policy`` for SQLite, or ``UntranslatablePolicy`` saying why."""
    table = policy.table.rsplit(".", 1)[-1]
    where = f"{schema.path}:{policy.line}: policy {policy.name!r} on {table}"
    if schema.table(table) is None:
        raise UntranslatablePolicy(f"{where}: no such table")
    if not policy.permissive:
        raise UntranslatablePolicy(f"{where}: RESTRICTIVE policies are not supported on SQLite")
    command = policy.command.lower()
    commands = _ALL if command == "all" else frozenset({command})
    roles = tuple(r.lower() for r in policy.roles)
    using = _expression(schema, table, policy.using, where) if policy.using else None
    check = _expression(schema, table, policy.check, where) if policy.check else None
    return SqlitePolicy(policy.name, table, commands, roles, using, check)


def _expression(schema: Schema, table: str, text: str, where: str) -> str:
    try:
        tree = sqlglot.parse_one(text, read="postgres")
    except sqlglot.errors.ParseError as exc:
        raise UntranslatablePolicy(f"{where}: cannot read the expression ({str(exc).splitlines()[0]})") from None
    own = schema.table(table)
    assert own is not None
    own_columns = {c.name for c in own.columns}

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
            owner = node.this.name if isinstance(node.this, exp.Identifier | exp.Column) else ""
            fn = node.expression.name.lower()
            if owner.lower() == "auth" and fn == "uid" and not node.expression.expressions:
                return exp.column(_UID, quoted=True)
            raise UntranslatablePolicy(f"{where}: {node.sql('postgres')} has no SQLite equivalent")
        if isinstance(node, exp.Anonymous):
            raise UntranslatablePolicy(f"{where}: function {node.name}() has no SQLite equivalent")
        if isinstance(node, exp.Table):
            name = node.name
            if schema.table(name) is None:
                raise UntranslatablePolicy(f"{where}: table {node.sql('postgres')} is not in the document")
            return exp.Table(this=exp.to_identifier(name, quoted=True), alias=node.args.get("alias"))
        if isinstance(node, exp.Column) and node.name != _UID:
            return _column(node, table, own_columns, schema, where)
        return node

    tree = tree.transform(rewrite)
    return tree.sql(dialect="sqlite", identify=True)


def _column(node: exp.Column, table: str, own_columns: set[str], schema: Schema, where: str) -> exp.Expression:
    name, qualifier = node.name, node.table
    scope = node.find_ancestor(exp.Select)
    if scope is None:
        if qualifier and qualifier != table:
            raise UntranslatablePolicy(f"{where}: column {qualifier}.{name} is outside the policy's table")
        return _self(name, own_columns, table, where)
    sources = {t.alias_or_name: t.name for t in scope.find_all(exp.Table) if t.find_ancestor(exp.Select) is scope}
    if qualifier:
        if qualifier in sources:
            return node
        if qualifier == table:
            return _self(name, own_columns, table, where)
        raise UntranslatablePolicy(f"{where}: {qualifier}.{name} names no table of its query")
    for source in sources.values():
        t = schema.table(source)
        if t is not None and t.column(name) is not None:
            return node
    if name in own_columns:
        return _self(name, own_columns, table, where)
    raise UntranslatablePolicy(f"{where}: column {name} is in none of the tables it could name")


def _self(name: str, own_columns: set[str], table: str, where: str) -> exp.Expression:
    if name not in own_columns:
        raise UntranslatablePolicy(f"{where}: {table} has no column {name}")
    return exp.column(name, table=_SELF, quoted=True)
