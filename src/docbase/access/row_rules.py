"""SQLite's half of the access question: the document's rules compiled into SQL, per role.

PostgreSQL enforces the access model itself (docbase.access.policies, applied
by migrate): each request's transaction switches to the caller's role and
publishes the JWT claims exactly as PostgREST does (``set_config('role', ..)``,
``set_config('request.jwt.claims', .., true)``), so a bug here cannot leak a row.
SQLite has no such thing, so the same decisions are compiled into the SQL:
the read predicate into every read (embeds, ``!inner`` probes and counts
included), the update/delete predicate into every PATCH/DELETE and upsert,
and every written row is checked afterwards with WITH CHECK semantics.

The user's id is never baked into SQL: predicates carry the bind parameter
``docbase_sub`` so one compiled statement per (command, table, role, shape)
serves every user (api.sql.compiled).

Hidden columns (secrets, password hashes) do not exist for anon and
authenticated: ``select=*`` leaves them out, and naming one anywhere (select,
filter, order) is PostgreSQL's column-privilege error, 42501 "permission
denied for table", on both databases. ``service_role`` sees everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from ..schema.model import Column, Schema
from . import authority, predicates, references
from .decide import ROLES, Denied, TablePermissions, Transaction, denied_row, denied_table
from .explain import explain
from .model import AccessModel
from .policies import missing_owner_role
from .principal import Principal
from .sqlite_policies import SUB, SqlitePolicy, UntranslatablePolicy, render, translate

__all__ = ["GuardedColumns", "RowRules", "UntranslatablePolicy"]


class GuardedColumns(dict):
    """A table's columns as seen by an ordinary role: a hidden column exists but may not be touched."""

    def __init__(self, columns: Mapping[str, Column], hidden: frozenset[str], table: str) -> None:
        super().__init__(columns)
        self.hidden, self.table = hidden, table

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self.hidden:
            raise denied_table(self.table, "authenticated")
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        if key in self.hidden:
            raise denied_table(self.table, "authenticated")
        return super().__getitem__(key)


class RowRules:
    """``docbase.access.decide.Access`` for a document's rules (``rows_here``: True on SQLite).

    Args:
        schema: the served model (its policies are translated for SQLite; UntranslatablePolicy fails closed).
        model: the access model (docbase.access.build_access).
        metadata: the SQLAlchemy tables the statements are built on (docbase.ddl.metadata).
        dialect: ``sqlite`` or ``postgresql``.
        extra_hidden: columns never shown beyond the model's, per table (password hashes, docbase.auth).
    """

    def __init__(
        self,
        schema: Schema,
        model: AccessModel,
        metadata: sa.MetaData,
        dialect: str,
        extra_hidden: Mapping[str, Iterable[str]],
    ) -> None:
        self.model = model
        self.metadata = metadata
        self.rows_here = dialect == "sqlite"  # PostgreSQL: row-level security does it
        self.sub = sa.bindparam(SUB, type_=sa.Text())
        self.permissions = TablePermissions(schema, model, extra_hidden)
        self._tables = {t.name: t for t in schema.tables if t.name in metadata.tables}
        self._columns = {n: {c.name: c for c in t.columns} for n, t in self._tables.items()}
        self._guarded = {
            name: GuardedColumns(columns, self.permissions.hidden(name, "anon"), name)
            for name, columns in self._columns.items()
        }
        self._checks: dict[tuple[str, str, str], sa.Select] = {}  # check_statement, per (table, command, role)
        self._compiled_checks: dict[tuple[str, str, str], tuple[str, list[Any]]] = {}  # check_rows' SQL
        self._claims: dict[str, tuple[sa.Insert, tuple[str, ...]] | None] = {}  # claim_statement, per table
        self.policies: dict[str, list[SqlitePolicy]] = {}
        if self.rows_here:  # fails closed: UntranslatablePolicy stops the app from being built
            for policy in schema.policies:
                self.policies.setdefault(policy.table.rsplit(".", 1)[-1], []).append(translate(schema, policy))

    # -- who may run a command at all ------------------------------------------------------------
    def require(self, table: str, command: str, who: Principal) -> None:
        """PostgREST's answer to a role without the privilege: 401 for anon, 403 otherwise (42501).
        A request authenticated by an API key may not write a table limited ``not_by_api_key`` (grants.py)."""
        self.permissions.require(table, command, who)

    def allows(self, table: str, command: str, who: Principal) -> bool:
        return self.permissions.allows(table, command, who)

    def explain(self, table: str, command: str, policy: str | None = None) -> str | None:
        """The rule that decides ``command`` on ``table`` (or the named PostgreSQL ``policy``), in words, for a
        42501's details (explain.py)."""
        by_document = command in self.permissions.doc_commands.get(table, ())
        return explain(self.model, table, command, by_document, policy)

    # -- columns -------------------------------------------------------------------------------------
    def hidden(self, table: str, role: str) -> frozenset[str]:
        return self.permissions.hidden(table, role)

    def columns(self, table: str, role: str) -> Mapping[str, Column]:
        if not self.hidden(table, role):
            return self._columns[table]
        return self._guarded[table]

    def returning(self, table: str, role: str) -> tuple[str, ...] | None:
        """Columns a write may return to ``role`` (None: all of them)."""
        hidden = self.hidden(table, role)
        if not hidden:
            return None
        return tuple(c.name for c in self._tables[table].columns if c.name not in hidden)

    def refuse_columns(self, table: str, role: str, names: Iterable[str], updating: bool) -> None:
        """Columns the caller may not set, named in the error: authority columns (roles, bans, verification,
        a profile's email, money: docbase.access.authority) and, on update, creator columns and a user's own
        secrets (PostgreSQL: the column is not granted)."""
        if role == "service_role" or self.model.table(table) is None:
            return
        frozen = predicates.immutable_columns(self.model, table, {"role": role}) if updating else ()
        refused = authority.refused_column(self.model, table, names, frozen)
        if refused is not None:
            column, why = refused
            details = f'column "{column}" is set only by service_role: {why}'
            raise Denied(401 if role == "anon" else 403, "42501", f"permission denied for table {table}", details)

    def refuse_upsert(self, table: str, role: str, names: Iterable[str]) -> None:
        """An upsert's DO UPDATE sets ``names``: a column fixed once the row exists (docbase.access.grants) is
        refused as PostgreSQL refuses a column not granted for UPDATE, even on a row the caller may change."""
        access = self.model.table(table)
        if role == "service_role" or access is None:
            return
        frozen = predicates.immutable_columns(self.model, table, {"role": role})  # creator columns too
        hit = next((n for n in names if n in frozen), None)
        if hit is not None:
            details = (
                f'column "{hit}" names who created the row and never changes'
                if hit in access.creator_columns
                else f'column "{hit}" is fixed once the row exists: only service_role changes it'
            )
            raise Denied(401 if role == "anon" else 403, "42501", f"permission denied for table {table}", details)

    def creator_values(self, table: str, who: Principal) -> dict[str, Any]:
        if who.role != "authenticated" or self.model.table(table) is None:
            return {}
        return predicates.creator_defaults(self.model, table, who.jwt_claims())

    # -- rows (SQLite) -----------------------------------------------------------------------------------
    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> sa.ColumnElement | None:
        """The rows of ``target`` (an alias of ``table``) the caller may ``command``; None: no filter needed.
        Soft-deleted rows (``include_deleted``) are docbase.access.live_rows' to leave out, not the rules'."""
        if not self.rows_here or role == "service_role":
            return None
        docs = [p for p in self.policies.get(table, ()) if command in p.commands]
        if docs:
            texts = [t for p in docs if p.applies(command, role) and (t := p.expression(command))]
            if role == "anon" or not texts:
                return sa.false()
            name = target.name
            return sa.or_(*[self._text(t, lambda c, n=name: f'"{n}"."{c}"') for t in texts])
        if self.model.table(table) is None:
            return sa.false()
        claims = {"role": role, "sub": self.sub}
        return predicates.write_check(self.model, self.metadata, table, command, claims, target)

    def check_statement(self, table: str, command: str, role: str) -> sa.Select | None:
        """``SELECT <WITH CHECK>`` over a written row given as parameters p0.. in column order.

        Built once per (table, command, role): every write asks for it, and building it (predicates,
        a replacement traversal) cost more than the rest of the write, database included.
        """
        if not self.rows_here or role == "service_role":
            return None
        key = (table, command, role)
        if key not in self._checks:
            self._checks[key] = self._build_check(table, command, role)
        return self._checks[key]

    async def check_rows(
        self, tx: Transaction, table: str, command: str, role: str, sub: Any, rows: Sequence[Sequence[Any]]
    ) -> None:
        """SQLite: WITH CHECK on every row a write produces (driver values in column order): the first that
        fails raises ``denied_row`` (403 42501) and the caller's transaction rolls back. PostgreSQL's
        row-level security checks there; service_role passes."""
        if not rows:
            return
        stmt = self.check_statement(table, command, role)
        if stmt is None:
            return
        key = (table, command, role)
        if key not in self._compiled_checks:
            self._compiled_checks[key] = _compile_check(stmt)
        sql, slots = self._compiled_checks[key]
        for row in rows:
            params = [sub if s is _USER else row[s] if isinstance(s, int) else s.value for s in slots]
            if not await tx.value(sql, params):
                raise denied_row(table)

    def _build_check(self, table: str, command: str, role: str) -> sa.Select:
        sa_table = self.metadata.tables[table]
        index = {c.name: i for i, c in enumerate(sa_table.columns)}
        docs = [p for p in self.policies.get(table, ()) if command in p.commands]
        if docs:
            texts = [t for p in docs if p.applies(command, role) and (t := p.new_row_check(command))]
            cond: sa.ColumnElement = (
                sa.or_(*[self._text(t, lambda c: f":p{index[c]}") for t in texts]) if texts else sa.false()
            )
        else:
            claims = {"role": role, "sub": self.sub}
            cond = predicates.write_check(self.model, self.metadata, table, command, claims)
            params = {c.name: sa.bindparam(f"p{i}", type_=c.type) for i, c in enumerate(sa_table.columns)}

            def swap(element: Any) -> Any:
                if isinstance(element, sa.Column) and element.table is sa_table:
                    return params[element.name]
                return None

            cond = sa.sql.visitors.replacement_traverse(cond, {}, swap)
        return sa.select(sa.func.coalesce(sa.and_(cond, self._authority_check(table, command, role)), sa.false()))

    def _authority_check(self, table: str, command: str, role: str) -> sa.ColumnElement:
        """What no policy may waive (docbase.access.references, predicates.own_membership_check): foreign keys
        name rows the writer can read, and nobody admits themself or raises their own role. Over p0.. too."""
        sa_table = self.metadata.tables[table]
        parts = [
            references.reference_predicate(
                self.model, self.metadata, table, lambda name, alias: self.row_filter(name, alias, "select", role)
            ),
            predicates.own_membership_check(self.model, self.metadata, table, command, self.sub),
        ]
        found = [p for p in parts if p is not None] if command in ("insert", "update") else []
        if not found:
            return sa.true()
        params = {c.name: sa.bindparam(f"p{i}", type_=c.type) for i, c in enumerate(sa_table.columns)}

        def swap(element: Any) -> Any:
            if isinstance(element, sa.Column) and element.table is sa_table:
                return params[element.name]
            return None

        return sa.sql.visitors.replacement_traverse(sa.and_(*found), {}, swap)

    def claim_statement(self, table: str) -> tuple[sa.Insert, tuple[str, ...]] | None:
        """Creating a tenant root makes its creator the owner (SQLite; PostgreSQL has a trigger): an INSERT
        into the membership table taking (tenant key as p0, user as docbase_sub), only while the tenant has no
        member (an upsert may have updated an existing one). Built once per table."""
        if table not in self._claims:
            self._claims[table] = self._build_claim(table)
        return self._claims[table]

    def _build_claim(self, table: str) -> tuple[sa.Insert, tuple[str, ...]] | None:
        root = self.model.root(table)
        if not self.rows_here or root is None:
            return None
        m = self.metadata.tables[root.membership]
        values: dict[str, Any] = {root.member_tenant: sa.bindparam("p0"), root.member_user: self.sub}
        if root.role_column and root.top_role:
            if root.role_lookup:
                lt, lk, ln = root.role_lookup
                r = self.metadata.tables[lt]
                found = sa.select(r.c[lk]).where(r.c[ln] == root.top_role).limit(1).scalar_subquery()
                message, hint = missing_owner_role(root)  # docbase_refuse: the API's SQLite function (api.db)
                refuse = sa.func.docbase_refuse(sa.literal("P0001"), sa.literal(message), sa.literal(hint))
                values[root.role_column] = sa.func.coalesce(found, refuse)
            else:
                values[root.role_column] = sa.literal(root.top_role)
        # Only a tenant nobody belongs to yet is new: an upsert that updated an existing tenant claims nothing.
        unclaimed = ~sa.exists().where(m.c[root.member_tenant] == sa.bindparam("p0"))
        return sa.insert(m).from_select(list(values), sa.select(*values.values()).where(unclaimed)), (root.key,)

    def checked_first(self, table: str, rows: list[tuple]) -> list[tuple]:
        """Rows of an insert batch to check before writing; a row naming an earlier row of the same batch is
        left to the check after the write (docbase.access.references)."""
        names = [c.name for c in self._tables[table].columns]
        return references.earlier_rows_left_to_after(self.model, table, names, rows)

    def _text(self, text: str, self_column) -> sa.TextClause:
        sql = render(text, self_column)
        clause = sa.text(sql)
        if f":{SUB}" in sql:
            clause = clause.bindparams(self.sub)
        return clause

    # -- the transaction (PostgreSQL) ----------------------------------------------------------------
    async def begin(self, tx: Transaction, who: Principal) -> None:
        """Switch the transaction to the caller's role with its claims, as PostgREST does."""
        if self.rows_here:
            return
        if who.role not in ROLES:
            raise denied_table("*", "authenticated")
        # configure: a pipelined transaction sends this with the query instead of waiting for its answer
        await tx.configure(
            "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
            [who.role, orjson.dumps(who.jwt_claims()).decode()],
        )

    async def as_role(self, tx: Transaction, role: str) -> None:
        if not self.rows_here:
            await tx.value("SELECT set_config('role', $1, true)", [role])


_USER = object()  # slot for the signed-in user's id
_ROW = re.compile(r"^p(\d+)$")


def _compile_check(stmt: sa.Select) -> tuple[str, list[Any]]:
    """The check's SQLite text and, per positional parameter, where its value comes from: a column index of
    the written row (``p<i>``), the user's id (``SUB``), or a constant bound by SQLAlchemy."""
    compiled = stmt.compile(dialect=sqlite.dialect(paramstyle="qmark"))
    slots: list[Any] = []
    for name in compiled.positiontup or []:
        row = _ROW.match(name)
        if name == SUB:
            slots.append(_USER)
        elif row:
            slots.append(int(row.group(1)))
        else:
            slots.append(_Constant(compiled.binds[name].effective_value))
    return compiled.string, slots


class _Constant:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
