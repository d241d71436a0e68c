"""The access model: for every table, how its rows are scoped and who may do what.

Frozen dataclasses, like the schema model, so the policy generator, the
SQLAlchemy predicate builder and ``docbase access`` all read one decision.
Every decision carries a ``reason`` a person can check against the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document.diagnostics import Diagnostic

SCOPES = ("user", "tenant_root", "membership", "tenant", "owned", "ledger", "catalog", "private")
COMMANDS = ("select", "insert", "update", "delete")
# Audiences a rule can name, from widest to narrowest.
# ``teammate``: the row's user is the caller or shares a tenant with them (team_defaults.teammate_profiles).
AUDIENCES = ("authenticated", "member", "writer", "admin", "owner", "teammate", "self", "service_role")
LEVELS = ("reader", "writer", "admin", "owner")


@dataclass(frozen=True)
class Hop:
    """One foreign-key step: ``table.columns -> ref_table.ref_columns``."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    nullable: bool = False

    def __str__(self) -> str:
        return f"{self.table}.{','.join(self.columns)} -> {self.ref_table}"


@dataclass(frozen=True)
class Role:
    """A membership role and what it may do: ``reader`` < ``writer`` < ``admin`` < ``owner``."""

    name: str
    level: str


@dataclass(frozen=True)
class TenantRoot:
    """A tenant (workspace, organization, team) and the membership table that admits users to it."""

    table: str
    key: str
    key_type: str
    membership: str
    member_user: str
    member_tenant: str
    role_column: str | None = None
    roles: tuple[Role, ...] = ()
    # When the role is a foreign key (``user_roles.role_id -> roles``): (table, key, name column).
    role_lookup: tuple[str, str, str] | None = None
    roles_source: str = "defaults"

    def names_at_least(self, level: str) -> tuple[str, ...]:
        """Role names at or above ``level``, highest first."""
        wanted = LEVELS.index(level) if level in LEVELS else 0
        return tuple(r.name for r in self.roles if LEVELS.index(r.level) >= wanted)

    @property
    def top_role(self) -> str | None:
        return self.roles[0].name if self.roles else None


@dataclass(frozen=True)
class KeyScope:
    """An API-key table whose keys may be scoped to a tenant (docbase.access.grants.key_scope).

    A key with ``tenant_column`` set acts as that tenant, not as its creator: the request's ``sub`` is
    ``apikey:<id>`` (no user's id can look like it), the tenant functions admit it to that tenant with the
    key's role (``role_column``, else ``default_role``), and creator columns record the key's ``owner``.
    With ``project`` (column, table, its key, its column naming the tenant) the key table may also point at
    one row of a table straight under the tenant; such a key acts inside that row only (``key_project``
    limits, docbase.access.grants.project_limits).
    """

    table: str
    key: str
    key_type: str
    owner: str
    tenant_column: str
    root: str
    role_column: str | None
    default_role: str
    project: tuple[str, str, str, str] | None = None


@dataclass(frozen=True)
class Limit:
    """A condition ANDed onto the rule for ``commands`` whatever else allows them (PostgreSQL: a RESTRICTIVE
    policy), so authority-bearing rows stay within what their writer holds (docbase.access.grants).

    ``kind`` is one of ``own_or_admin`` (``column`` names the signed-in user, or they are an admin of the
    row's tenant), ``role_within_own`` (the row's role ``column`` is no higher than the writer's own role in
    the row's tenant), ``not_by_api_key`` (the request was not authenticated by an API key) and
    ``key_project`` (a request made with a project-scoped key reaches only that project's rows) and ``aal2``
    (the session was verified with a second factor: docbase.toml ``require_aal2``).
    """

    kind: str
    commands: tuple[str, ...]
    column: str | None = None


@dataclass(frozen=True)
class TableAccess:
    table: str
    scope: str
    reason: str
    path: tuple[Hop, ...] = ()
    tenant: str | None = None
    owner_column: str | None = None
    creator_columns: tuple[str, ...] = ()
    hidden_columns: tuple[str, ...] = ()
    rules: tuple[tuple[str, str], ...] = ()
    overridden: bool = False
    # Money/plan/usage columns (docbase.access.ledger) ordinary users may neither insert nor update.
    ledger_columns: tuple[str, ...] = ()
    # (column, reason): roles, bans, verification, a profile's email... set by service_role only (authority.py).
    authority_columns: tuple[tuple[str, str], ...] = ()
    # Foreign keys a write by anon/authenticated may only point at rows the writer can read (references.py).
    references: tuple[Hop, ...] = ()
    # Membership tables: the column naming the admitted user (nobody writes a membership naming themself).
    member_user: str | None = None
    # Columns fixed once the row exists: only service_role changes them (an invitation's terms, a key's owner).
    frozen_columns: tuple[str, ...] = ()
    limits: tuple[Limit, ...] = ()
    # Why this table's rows carry authority and who may write them (docbase.access.grants), or "".
    authority_rule: str = ""
    # (column, tenant root): rows whose column names a tenant the caller administers are the caller's too
    # under a "self" rule (a tenant-scoped API key is listed and revoked by that tenant's admins).
    admins_of: tuple[str, str] | None = None

    def rule(self, command: str) -> str:
        """The audience allowed ``command``; anything unnamed is service_role only (deny by default)."""
        return dict(self.rules).get(command, "service_role")


@dataclass(frozen=True)
class AccessModel:
    tables: tuple[TableAccess, ...]
    users_table: str | None = None
    user_key: str = "id"
    user_key_type: str = "uuid"
    roots: tuple[TenantRoot, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)
    # API-key tables whose keys act as a tenant (grants.key_scope).
    key_scopes: tuple[KeyScope, ...] = ()
    # Access defaults docbase applied on its own (docbase.access.team_defaults): located warnings that
    # ``inspect`` and ``access`` print, each naming its docbase.toml switch. Not problems with the document.
    notes: tuple[Diagnostic, ...] = field(default=(), compare=False)
    # The document's role/permission tables deciding tenant tables' access (docbase.access.rbac), or None.
    rbac: Any = field(default=None, compare=False)

    def table(self, name: str) -> TableAccess | None:
        for t in self.tables:
            if t.table == name:
                return t
        return None

    def root(self, name: str | None) -> TenantRoot | None:
        for r in self.roots:
            if r.table == name:
                return r
        return None

    def audience_names(self, access: TableAccess, command: str) -> tuple[str, ...]:
        """Who, in words a reader knows (role names, ``self``, ``authenticated``), may run ``command``."""
        rule = access.rule(command)
        if rule in ("member", "writer", "admin", "owner"):
            root = self.root(access.tenant)
            level = "reader" if rule == "member" else rule
            return root.names_at_least(level) if root else ("service_role",)
        return (rule,)

    def as_dict(self) -> dict[str, Any]:
        return {
            "users_table": self.users_table,
            "roots": [
                {
                    "table": r.table,
                    "membership": r.membership,
                    "member_user": r.member_user,
                    "member_tenant": r.member_tenant,
                    "role_column": r.role_column,
                    "roles": [{"name": x.name, "level": x.level} for x in r.roles],
                    "roles_source": r.roles_source,
                }
                for r in self.roots
            ],
            "tables": [
                {
                    "name": t.table,
                    "scope": t.scope,
                    "reason": t.reason,
                    "tenant": t.tenant,
                    "path": [{"table": h.table, "columns": list(h.columns), "ref_table": h.ref_table} for h in t.path],
                    "owner_column": t.owner_column,
                    "creator_columns": list(t.creator_columns),
                    "hidden_columns": list(t.hidden_columns),
                    "ledger_columns": list(t.ledger_columns),
                    "authority_columns": [{"name": n, "reason": r} for n, r in t.authority_columns],
                    "references": [
                        {"columns": list(h.columns), "ref_table": h.ref_table, "ref_columns": list(h.ref_columns)}
                        for h in t.references
                    ],
                    "frozen_columns": list(t.frozen_columns),
                    "authority_rule": t.authority_rule,
                    "limits": [{"kind": x.kind, "commands": list(x.commands), "column": x.column} for x in t.limits],
                    "rules": {c: list(self.audience_names(t, c)) for c in COMMANDS},
                    # Resource names that put the table under the permission rows (docbase.access.rbac).
                    "rbac": list(self.rbac.names(t.table) or ()) if self.rbac else [],
                }
                for t in self.tables
            ],
            "diagnostics": [d.as_dict() for d in self.diagnostics],
            "defaults": [d.as_dict() for d in self.notes],
        }
