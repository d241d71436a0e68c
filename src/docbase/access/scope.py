"""Decide every table's scope, and say why: the heart of ``docbase access``.

Order of questions, first answer wins:
1. a ``docbase.toml`` override;
2. the users table (each user their own row);
3. private by name (credentials, sessions, logs, ...);
4. a tenant root or a membership table;
5. a foreign-key path to a tenant root (tenant), unless that link is
   optional while a required user column says whose row it is (owned);
6. a user column, directly or through a chain (owned);
7. otherwise catalog (reference data) or private (deny by default).
Finally a tenant or owned table named for billing becomes a *ledger*
(readable as before, written by service_role only; see ledger.py), the
columns that carry authority are named (authority.py), and the foreign keys
a writer may only point at rows they can read are listed (references.py);
API-key and invitation tables get their authority rules (grants.py).
"""

from __future__ import annotations

from dataclasses import replace

from ..document.diagnostics import Diagnostic, error, warning
from ..schema.model import Schema, Table
from . import grants, rbac, team_defaults
from .authority import EXTERNAL_ID, privileged_columns
from .kinds import leftover_kind, private_reason
from .ledger import ledger_columns, ledger_reason
from .model import AccessModel, Hop, Limit, TableAccess, TenantRoot
from .names import CREATOR_WORDS, words
from .overrides import AccessOverrides
from .paths import describe, shortest_path
from .references import checked_references
from .roles import explicit_roles
from .roots import find_memberships, find_users_table, user_columns
from .rules import rules_for
from .secrets import hidden_columns


def build_access(schema: Schema, overrides: AccessOverrides | None = None) -> AccessModel:
    """Scope every table of ``schema``; the result explains each choice.

    Example:
        >>> from docbase.schema.model import Column, ForeignKey, Schema, Table
        >>> notes = Table("notes", (Column("id", "uuid"), Column("user_id", "uuid")), ("id",),
        ...               (ForeignKey(("user_id",), "users", ("id",)),))
        >>> users = Table("users", (Column("id", "uuid"),), ("id",))
        >>> build_access(Schema((users, notes))).table("notes").scope
        'owned'
    """
    ov = overrides or AccessOverrides()
    diags: list[Diagnostic] = list(ov.diagnostics)
    users = find_users_table(schema)
    user_key = (users.primary_key or ("id",))[0] if users else "id"
    key_col = users.column(user_key) if users else None
    user_key_type = key_col.type if key_col else _auth_user_type(schema, users)

    roots = _choose_roots(schema, find_memberships(schema, users), ov, diags)
    root_names = {r.table for r in roots}
    private = {t.name: r for t in schema.tables if (r := private_reason(t)) and (users is None or t.name != users.name)}
    forced = {n: o.scope for n, o in ov.tables.items() if o.scope}
    for name in ov.tables:
        if schema.table(name) is None:
            diags.append(warning(0, f"docbase.toml: access.tables.{name}: no such table in the document"))
    avoid = set(private) | ({users.name} if users else set())
    avoid |= {n for n, s in forced.items() if s in ("private", "catalog", "user")}

    decided: dict[str, TableAccess] = {}
    memberships = {r.membership: r for r in roots}
    for table in schema.tables:
        decided[table.name] = _decide(schema, table, users, roots, root_names, memberships, private, avoid)
    _own_chains(schema, decided, users, avoid | root_names)
    catalog: set[str] = set()
    for table in schema.tables:
        if decided[table.name].scope == "?":
            scope, reason = leftover_kind(schema, table, catalog)
            if scope == "catalog":
                catalog.add(table.name)
            decided[table.name] = TableAccess(table.name, scope, reason)

    out = []
    for table in schema.tables:
        access = _finish(schema, table, decided[table.name], users, ov, forced)
        out.append(grants.apply(table, access, users, roots))  # API keys, invitations
    notes: list[Diagnostic] = []
    out = team_defaults.teammate_profiles(schema, out, roots, ov, notes)
    out = team_defaults.admin_deletes_top_level(schema, out, ov, notes)
    keys = tuple(k for t in schema.tables if (k := grants.key_scope(t, users.name if users else None, roots, schema)))
    out = team_defaults.admins_manage_tenant_keys(schema, out, keys, ov, notes)
    out = grants.project_limits(out, keys)
    out = checked_references(schema, out, diags)
    for access in out:
        if access.scope in ("tenant", "membership", "tenant_root") and access.tenant not in root_names:
            diags.append(error(0, f"access: {access.table} is scoped {access.scope} but no tenant root is known"))
    model = AccessModel(
        tuple(out),
        users.name if users else None,
        user_key,
        user_key_type,
        tuple(roots),
        tuple(diags),
        key_scopes=keys,
        notes=tuple(notes),
    )
    return _require_aal2(rbac.apply_rbac(model, schema, ov.rules), ov)


def _require_aal2(model: AccessModel, ov: AccessOverrides) -> AccessModel:
    """``require_aal2`` of docbase.toml as a limit on its table's commands, added last so nothing replaces it."""
    wanted = {name: t.aal2 for name, t in ov.tables.items() if t.aal2}
    if not wanted:
        return model
    tables = tuple(
        replace(a, limits=(*a.limits, Limit("aal2", wanted[a.table]))) if a.table in wanted else a for a in model.tables
    )
    return replace(model, tables=tables)


def _auth_user_type(schema: Schema, users: Table | None) -> str:
    """Without a users table, the type of the columns that reference ``auth.users``."""
    for table in schema.tables:
        for col, fk in user_columns(table, users):
            if fk is not None and (c := table.column(col)) is not None:
                return c.type
    return "uuid"


def _choose_roots(schema: Schema, candidates: list[TenantRoot], ov: AccessOverrides, diags: list) -> list[TenantRoot]:
    """Keep the outermost tenants: a ``projects`` admitted by ``project_members`` that belongs to an
    ``organization`` is a tenant table of the organization, not a second root."""
    if ov.tenant_root:
        chosen = [c for c in candidates if c.table == ov.tenant_root]
        if not chosen:
            diags.append(
                error(
                    0,
                    f"docbase.toml: access.tenant_root = {ov.tenant_root!r}, but no membership table links users to it",
                )
            )
        candidates = chosen or candidates
    names = {c.table for c in candidates}
    tops = []
    seen = set()
    for c in candidates:
        if c.table in seen or shortest_path(schema, c.table, names - {c.table}):
            continue
        seen.add(c.table)
        if ov.roles:
            from dataclasses import replace

            c = replace(c, roles=explicit_roles(list(ov.roles)), roles_source="docbase.toml access.roles")
        tops.append(c)
    return tops


def _decide(schema, table, users, roots, root_names, memberships, private, avoid) -> TableAccess:
    name = table.name
    if users is not None and name == users.name:
        key = (users.primary_key or ("id",))[0]
        return TableAccess(
            name, "user", f"the users table: each signed-in user reads and updates their own row ({key})"
        )
    if name in private:
        return TableAccess(name, "private", private[name])
    if name in root_names:
        r = next(r for r in roots if r.table == name)
        role = f" with a role ({r.membership}.{r.role_column})" if r.role_column else ""
        return TableAccess(name, "tenant_root", f"tenant root: {r.membership} links users to it{role}", tenant=name)
    if name in memberships:
        r = memberships[name]
        order = " > ".join(x.name for x in r.roles)
        hop = Hop(name, (r.member_tenant,), r.table, (r.key,))
        return TableAccess(
            name,
            "membership",
            f"links users ({r.member_user}) to {r.table} ({r.member_tenant}); roles in {r.role_column or '-'}: {order}",
            (hop,),
            r.table,
            member_user=r.member_user,
        )
    people = user_columns(table, users)
    path = shortest_path(schema, name, root_names, avoid) if root_names else ()
    if path:
        tenant = path[-1].ref_table
        required_owner = next((c for c, _ in people if (col := table.column(c)) and col.nullable is False), None)
        if path[0].nullable and required_owner:
            return _owned(
                table,
                required_owner,
                users,
                f"{path[0].table}.{path[0].columns[0]} is optional but {required_owner} is required: rows belong to their user",
            )
        scope = "membership" if _admits_users(table, people) else "tenant"
        lead = f"links users to {path[0].ref_table} with a role; " if scope == "membership" else ""
        member = people[0][0] if scope == "membership" else None
        why = f"{lead}reaches tenant {tenant} through {describe(path)}"
        return TableAccess(name, scope, why, path, tenant, member_user=member)
    if people:
        return _owned(table, people[0][0], users, "no path to a tenant")
    return TableAccess(name, "?", "")


def _admits_users(table: Table, people) -> bool:
    w = set(words(table.name))
    return bool(people) and bool(w & {"member", "membership"}) and not w & {"invitation", "invite"}


def _owned(table: Table, column: str, users: Table | None, why: str) -> TableAccess:
    target = users.name if users else "auth.users"
    key = (users.primary_key or ("id",))[0] if users else "id"
    hop = Hop(table.name, (column,), target, (key,), (table.column(column) or _NO).nullable is True)
    return TableAccess(
        table.name, "owned", f"belongs to one user through {column} -> {target}; {why}", (hop,), owner_column=column
    )


def _own_chains(schema: Schema, decided: dict[str, TableAccess], users: Table | None, avoid: set[str]) -> None:
    """Undecided tables that reach an owned table (``invoices -> customers.user_id``) are owned through it."""
    owned = {n for n, a in decided.items() if a.scope == "owned"}
    for name, access in list(decided.items()):
        if access.scope != "?":
            continue
        path = shortest_path(schema, name, owned, avoid)
        if path:
            last = decided[path[-1].ref_table]
            full = path + last.path
            decided[name] = TableAccess(
                name, "owned", f"belongs to one user through {describe(full)}; no path to a tenant", full,
                owner_column=None,
            )  # fmt: skip


def _finish(
    schema: Schema, table: Table, access: TableAccess, users, ov: AccessOverrides, forced: dict[str, str]
) -> TableAccess:
    from dataclasses import replace

    override = ov.tables.get(table.name)
    scope, reason, overridden = access.scope, access.reason, False
    if table.name in forced and forced[table.name] != scope:
        scope, overridden = forced[table.name], True
        reason = f"docbase.toml sets scope {scope} (inferred: {access.scope}, {access.reason})"
    elif table.name not in forced and scope in ("tenant", "owned") and (why := ledger_reason(schema, table)):
        readers = "its tenant's members" if access.tenant else "its owner"
        reason = f"ledger: {why}; {readers} read it, only service_role writes ({reason})"
        scope = "ledger"
    money = ledger_columns(table, table.primary_key) if scope in ("tenant_root", "user") else ()
    creators = tuple(c for c, _ in user_columns(table, users) if set(words(c)) & CREATOR_WORDS)
    if scope == "owned" and access.owner_column and access.owner_column not in creators:
        creators = (access.owner_column,) + creators
    hidden = override.hidden if override and override.hidden is not None else hidden_columns(table)
    base = {"select": "self"} if scope == "ledger" and not access.tenant else {}
    rules = rules_for(scope, {**base, **(dict(override.rules) if override else {})})
    decided = replace(
        access, scope=scope, reason=reason, creator_columns=creators, hidden_columns=hidden, rules=rules,
        overridden=overridden or bool(override and override.rules), ledger_columns=money,
    )  # fmt: skip
    authority = privileged_columns(table, decided)
    if ov.external_id:  # the column outside tokens are matched with, named in docbase.toml: never the user's to change
        named, _, column = ov.external_id.rpartition(".")
        mine = named == table.name or (not named and scope == "user")
        if mine and table.column(column) is not None and column not in {c for c, _ in authority}:
            authority += ((column, EXTERNAL_ID),)
    return replace(decided, authority_columns=authority)


class _No:
    nullable = None


_NO = _No()
