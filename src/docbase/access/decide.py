"""The one access question every transport asks: may this caller do this to these rows, which columns?

How a new transport (realtime, storage, RPC) asks it, e.g. "may this subscriber see this changed row?":
 1. Take the app's ``Access`` (``app.state.rest.gate``; ``ServiceRoleOnly`` stands where no rules apply).
 2. ``require(table, command, who)``: may the principal (``Principal.of(claims)``: role, user, API key,
    session level) run select/insert/update/delete on the table at all? Raises ``Denied`` (401 anon, 403 otherwise, code 42501); ``allows`` answers the same as a bool.
 3. In the transaction, ``await begin(tx, who)`` first: on PostgreSQL the transaction now runs as the
    caller's role with its JWT claims, so row-level security decides which rows exist for it.
 4. AND ``row_filter(table, alias, command, role)`` into the statement that names the rows (realtime: the
    changed row by key; storage: the object's row): on SQLite the compiled rule; on both databases, rows
    the soft-delete convention marks are out (docbase.access.live_rows) unless ``include_deleted``.
    Never add a rule to the caller's query parameters instead: they reach SQL as the caller wrote them.
 5. Leave out ``hidden(table, role)`` columns; refuse writes with ``refuse_columns``; on SQLite run each
    written row through ``check_statement`` (WITH CHECK) in the same transaction, as PostgreSQL would.

``Denied`` carries PostgREST's status and body fields; each transport renders it in its own dialect.
``rows_here`` says who decides rows: True (SQLite) this object, False (PostgreSQL) the database itself.
``TablePermissions`` is the dialect-free half (commands and hidden columns) that the console uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from ..schema.model import Column, Schema
from .grants import KEY_CLAIM, KEY_TENANT
from .model import AccessModel
from .principal import Principal

COMMANDS = ("select", "insert", "update", "delete")
ROLES = ("anon", "authenticated", "service_role")


class Denied(Exception):
    """A refusal with PostgREST's status and body fields; transports render it (the API as PostgREST's JSON)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.hint = status, code, message, details, hint


def denied_table(table: str, role: str) -> Denied:
    """PostgREST's answer to a role without the privilege: 401 for anon, 403 otherwise (42501)."""
    return Denied(401 if role == "anon" else 403, "42501", f"permission denied for table {table}")


def denied_row(table: str) -> Denied:
    """A written row fails the WITH CHECK of the caller's rules."""
    return Denied(403, "42501", f'new row violates row-level security policy for table "{table}"')


def needs_aal2(access: Any, command: str, claims: Mapping[str, Any]) -> bool:
    """Whether ``command`` on the table takes an ``aal2`` session that these claims do not have."""
    if access is None or claims.get("role") == "service_role" or claims.get("aal") == "aal2":
        return False
    return any(x.kind == "aal2" and command in x.commands for x in access.limits)


def aal2_denied(table: str, command: str, claims: Mapping[str, Any]) -> Denied:
    """403 naming the docbase.toml rule, so the app knows to ask for the second factor (supabase.auth.mfa)."""
    level = claims.get("aal") or "none"
    return Denied(
        403,
        "42501",
        f"permission denied for table {table}",
        f"access.tables.{table}.require_aal2: {command} on {table} takes a session verified with a second "
        f"factor (aal2); this session is {level}",
        "Verify an MFA factor (supabase.auth.mfa.challengeAndVerify) and retry with the new access token",
    )


class Transaction(Protocol):
    """What ``begin`` and the checks need of a driver transaction (docbase.api.db's)."""

    async def configure(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    async def value(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...


class Access(Protocol):
    """The answer to "may this principal do this to these rows of this table, and which columns?"."""

    rows_here: bool  # SQLite: this object filters rows; PostgreSQL: the caller's role and claims do (RLS)

    def require(self, table: str, command: str, who: Principal) -> None: ...

    def allows(self, table: str, command: str, who: Principal) -> bool: ...

    def hidden(self, table: str, role: str) -> frozenset[str]: ...

    def columns(self, table: str, role: str) -> Mapping[str, Column]: ...

    def returning(self, table: str, role: str) -> tuple[str, ...] | None: ...

    def refuse_columns(self, table: str, role: str, names: Iterable[str], updating: bool) -> None: ...

    def refuse_upsert(self, table: str, role: str, names: Iterable[str]) -> None: ...

    def creator_values(self, table: str, who: Principal) -> dict[str, Any]: ...

    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> sa.ColumnElement | None: ...

    def check_statement(self, table: str, command: str, role: str) -> sa.Select | None: ...

    async def check_rows(
        self, tx: Transaction, table: str, command: str, role: str, sub: Any, rows: Sequence[Sequence[Any]]
    ) -> None: ...

    def claim_statement(self, table: str) -> tuple[sa.Insert, tuple[str, ...]] | None: ...

    def checked_first(self, table: str, rows: list[tuple]) -> list[tuple]: ...

    async def begin(self, tx: Transaction, who: Principal) -> None: ...

    async def as_role(self, tx: Transaction, role: str) -> None: ...


class TablePermissions:
    """Who may run which command on a table, and which columns each role never sees: no SQL, no dialect.

    The document's own policies open a command to signed-in users (their USING decides the rows);
    otherwise the access model's rule does. ``extra_hidden``: credential columns (docbase.auth).
    """

    def __init__(self, schema: Schema, model: AccessModel, extra_hidden: Mapping[str, Iterable[str]]) -> None:
        self.model = model
        self.doc_commands: dict[str, set[str]] = {}
        for policy in schema.policies:
            command = policy.command.lower()
            self.doc_commands.setdefault(policy.table.rsplit(".", 1)[-1], set()).update(
                COMMANDS if command == "all" else (command,)
            )
        self._hidden: dict[str, frozenset[str]] = {}
        for table in schema.tables:
            access = model.table(table.name)
            own = frozenset(access.hidden_columns if access else ())
            self._hidden[table.name] = own | frozenset(extra_hidden.get(table.name, ()))

    def allows(self, table: str, command: str, who: Principal) -> bool:
        """A request authenticated by an API key may not write a table limited ``not_by_api_key`` (grants.py);
        a session below ``aal2`` may not touch a table limited ``aal2`` (docbase.toml ``require_aal2``)."""
        role, claims = who.role, who.claims
        if role == "service_role":
            return True
        access = self.model.table(table)
        if claims is not None and needs_aal2(access, command, claims):
            return False
        if claims and claims.get(KEY_CLAIM) and access is not None:
            if any(x.kind == "not_by_api_key" and command in x.commands for x in access.limits):
                return False
            # A key scoped to a tenant acts inside it: it neither makes tenants nor admits anyone to one.
            if claims.get(KEY_TENANT) and command != "select" and access.scope in ("tenant_root", "membership"):
                return False
        rule = access.rule(command) if access else "service_role"
        if role == "anon":
            return rule == "anon"
        if role == "authenticated":
            return rule != "service_role" or command in self.doc_commands.get(table, ())
        return False

    def require(self, table: str, command: str, who: Principal) -> None:
        if self.allows(table, command, who):
            return
        claims = who.claims
        if (
            claims is not None
            and needs_aal2(self.model.table(table), command, claims)
            and self.allows(table, command, who.bare())
        ):
            raise aal2_denied(table, command, claims)
        if self.allows(table, command, who.bare()):  # refused for the API key alone: 403 whatever the role
            raise Denied(403, "42501", f"permission denied for table {table}")
        raise denied_table(table, who.role)

    def usable(self, table: str, role: str) -> bool:
        """Whether ``role`` may run at least one command on ``table`` (what the console and OpenAPI list)."""
        return any(self.allows(table, command, Principal(role)) for command in COMMANDS)

    def hidden(self, table: str, role: str) -> frozenset[str]:
        return frozenset() if role == "service_role" else self._hidden.get(table, frozenset())


class ServiceRoleOnly:
    """No rules: service_role does anything, every other role is refused every table (deny by default).

    The null object standing where a transport has no document rules, so callers never test for None.
    """

    rows_here = False

    def __init__(self, columns: Mapping[str, Mapping[str, Column]]) -> None:
        self._columns = columns

    def allows(self, table: str, command: str, who: Principal) -> bool:
        return who.role == "service_role"

    def require(self, table: str, command: str, who: Principal) -> None:
        if who.role != "service_role":
            raise denied_table(table, who.role)

    def hidden(self, table: str, role: str) -> frozenset[str]:
        return frozenset()

    def columns(self, table: str, role: str) -> Mapping[str, Column]:
        return self._columns[table]

    def returning(self, table: str, role: str) -> tuple[str, ...] | None:
        return None

    def refuse_columns(self, table: str, role: str, names: Iterable[str], updating: bool) -> None:
        return None

    def refuse_upsert(self, table: str, role: str, names: Iterable[str]) -> None:
        return None

    def creator_values(self, table: str, who: Principal) -> dict[str, Any]:
        return {}

    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> sa.ColumnElement | None:
        return None

    def check_statement(self, table: str, command: str, role: str) -> sa.Select | None:
        return None

    async def check_rows(
        self, tx: Transaction, table: str, command: str, role: str, sub: Any, rows: Sequence[Sequence[Any]]
    ) -> None:
        return None

    def claim_statement(self, table: str) -> tuple[sa.Insert, tuple[str, ...]] | None:
        return None

    def checked_first(self, table: str, rows: list[tuple]) -> list[tuple]:
        return rows

    async def begin(self, tx: Transaction, who: Principal) -> None:
        return None

    async def as_role(self, tx: Transaction, role: str) -> None:
        return None
