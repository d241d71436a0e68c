"""The document's role and permission tables deciding table access (issue 17, Deliver 1).

When ``docbase.rules.rbac`` finds roles, permissions, a role -> permission junction and a user -> role
assignment (per tenant, or everywhere where the assignment has no tenant), a tenant-scoped table whose
name a permission's resource gives is governed by the permission rows instead of the role-name order:
a signed-in user may run a command on its rows in a tenant only when a role assigned to them there (or
an assignment without a tenant) holds a permission on the table whose action covers the command
(``read``/``create``/``update``/``delete``, ``write``, ``manage``/``*``/``all``). A table no permission row
names keeps the membership rules (``docbase access``); a ``*``/``all`` resource grants on every table but
switches none to permissions. Both are read from the rows at each statement, so a granted or revoked
permission counts on the next request.

PostgreSQL: two ``STABLE SECURITY DEFINER`` SQL functions per tenant root, ``docbase.permitted_<root>``
(the tenants where the caller holds a permission) and ``docbase.rbac_names`` (whether any permission row
names the table), called from the RLS policies. SQLite: the same question as SQLAlchemy subqueries in
the predicates the API ANDs into every statement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import inflection
import sqlalchemy as sa

from ..rules.rbac import COMMANDS, Rbac, actions_covering, detect_rbac
from ..schema.model import Schema, Table
from ..schema.names import singular, words
from .model import AccessModel, TableAccess

TENANT_RULES = ("member", "writer", "admin", "owner")
WILDCARDS = ("*", "all")


@dataclass(frozen=True)
class RbacAccess:
    rbac: Rbac
    root: str  # the tenant root whose tables the permissions govern
    tables: tuple[tuple[str, tuple[str, ...]], ...]  # governed table -> the resource names that name it

    def names(self, table: str) -> tuple[str, ...] | None:
        return dict(self.tables).get(table)

    def note(self, table: str) -> str:
        names = self.names(table) or ()
        r = self.rbac
        return (
            f"rbac: while a {r.permissions}.{r.resource or r.permission_name} row names it ({', '.join(names)}), what its members may do "
            f"in a tenant is decided by {r.assignments} -> {r.grants} -> {r.permissions} instead of the role order "
            f"(read/create/update/delete, write, manage, *); without such a row the membership rules hold"
        )


def resource_names(table: str, extra: Any = None) -> tuple[str, ...]:
    """The resource names that name ``table``: its name and its singular, in snake_case and camelCase forms
    (``credit_transactions``, ``credit_transaction``, ``credittransactions``...), plus toml's ``resource``."""
    ws = [w.lower() for w in words(table)]
    forms = {table.lower()}
    for parts in (ws, [*ws[:-1], singular(ws[-1])], [*ws[:-1], inflection.pluralize(singular(ws[-1]))]) if ws else ():
        if parts:
            forms |= {
                "_".join(parts),
                "".join(parts),
                "-".join(parts),
                parts[0] + "".join(p.title() for p in parts[1:]),
            }
    if isinstance(extra, str):
        forms.add(extra)
    elif isinstance(extra, list):
        forms |= {e for e in extra if isinstance(e, str)}
    return tuple(sorted({f.lower() for f in forms}))


def document_aliases(table: Table | None, rules: Any) -> tuple[str, ...]:
    """The permission resources the document says also name ``table`` ("the `billing` resource covers
    invoices"); none when docbase.toml says ``[rules] document_aliases = false``."""
    if table is None or (isinstance(rules, dict) and rules.get("document_aliases") is False):
        return ()
    return tuple(resource for resource, _ in table.aliases)


def table_resource_names(schema: Schema, table: str, rules: Any) -> tuple[str, ...]:
    """Every resource name that names ``table``: its spellings, docbase.toml's ``[rules.<table>] resource`` and
    the aliases the document states. The one answer table access and ``rpc/has_permission`` both use."""
    rules = rules if isinstance(rules, dict) else {}
    per_table = rules.get(table) if isinstance(rules.get(table), dict) else {}
    extra = per_table.get("resource")
    extra = [extra] if isinstance(extra, str) else list(extra) if isinstance(extra, list) else []
    return resource_names(table, [*extra, *document_aliases(schema.table(table), rules)])


def apply_rbac(model: AccessModel, schema: Schema, rules: Any) -> AccessModel:
    """``model`` with the permissions attached (``model.rbac``), when the document has RBAC tables."""
    rules = rules if isinstance(rules, dict) else {}
    rbac = detect_rbac(schema, {"rules": rules})
    if rbac is None or ((rbac.resource is None or rbac.action is None) and rbac.permission_name is None):
        return model
    assignments = schema.table(rbac.assignments)
    root = None
    if rbac.assignment_tenant and assignments is not None:
        ref = next((fk.ref_table for fk in assignments.foreign_keys if fk.columns == (rbac.assignment_tenant,)), None)
        root = model.root(ref)
    elif len(model.roots) == 1:
        root = model.roots[0]
    if root is None:
        return model
    own = {rbac.roles, rbac.permissions, rbac.grants, rbac.assignments}
    governed = []
    for t in model.tables:
        if t.table in own or t.tenant != root.table or t.table == root.membership:
            continue
        if not any(rule in TENANT_RULES for _, rule in t.rules):
            continue
        per_table = rules.get(t.table) if isinstance(rules.get(t.table), dict) else {}
        if per_table.get("rbac") is False:
            continue
        governed.append((t.table, table_resource_names(schema, t.table, rules)))
    tables = []
    for t in model.tables:
        if t.table in (rbac.roles, rbac.permissions, rbac.grants):
            # Written by holders of a permission on them (own_predicate / own_condition narrow this).
            opened = tuple(
                (c, "authenticated" if c != "select" and who == "service_role" else who) for c, who in t.rules
            )
            t = replace(t, rules=opened)
        tables.append(t)
    return replace(model, tables=tuple(tables), rbac=RbacAccess(rbac, root.table, tuple(governed)))


def audience(model: AccessModel, access: TableAccess, command: str, plain: str) -> str:
    """Who may run ``command``, for ``docbase access``, where the permission rows decide it (``plain``: what
    the membership rules give). The RBAC tables' writes are opened to ``authenticated`` and narrowed in the
    policies (own_condition), so the plain word would say more than is allowed."""
    if model.rbac is None:
        return plain
    r, action = model.rbac.rbac, COMMANDS[command]
    if command != "select" and access.table in (r.roles, r.permissions, r.grants):
        return f"holders of {access.table}:{action} without a tenant (rbac)"
    if command != "select" and access.table == r.assignments:
        return f"{plain}, or holders of {access.table}:{action} there (rbac)"
    if model.rbac.names(access.table) and access.rule(command) in TENANT_RULES:
        return f"{plain} until a permission names it, then holders of {access.table}:{action} (rbac)"
    return plain


def rbac_notes(schema: Schema, model: AccessModel, path: str) -> list[str]:
    """One located note per table the permission rows may decide, for ``docbase access``."""
    if model.rbac is None:
        return []
    out = []
    for table, _names in model.rbac.tables:
        t = schema.table(table)
        out.append(f"{path}:{t.line if t else 0}: note: {table}: {model.rbac.note(table)}")
    r = model.rbac.rbac
    for table in (r.roles, r.permissions, r.grants, r.assignments):
        t = schema.table(table)
        if table == r.assignments:
            how = (
                "its tenant's owner roles write it, and so does a holder of a permission on it there; either "
                "only for a role whose every permission they hold there"
            )
        else:
            how = "written by holders of a permission on it through an assignment without a tenant"
            how += "; a row grants only a permission its writer holds" if table == r.grants else ""
            how += (
                "; a row states only a permission its writer holds, before and after" if table == r.permissions else ""
            )
            how += "; renamed only to a name no higher in the role order" if table == r.roles else ""
        out.append(f"{path}:{t.line if t else 0}: note: {table}: rbac: {how} (service_role: always)")
    return out


def _name_part(p, r: Rbac, which: int):
    """``projects:read`` / ``projects.read`` in a name column: its resource (1) or action (2), lowered."""
    text = sa.func.replace(sa.func.lower(p.c[r.permission_name]), ".", ":")
    cut = sa.func.instr(text, ":")
    return sa.func.substr(text, 1, cut - 1) if which == 1 else sa.func.substr(text, cut + 1)


def _res(p, r: Rbac):
    """A permission's resource (SQLite): its column, else the part of its name before ``:``."""
    return p.c[r.resource] if r.resource and r.action else _name_part(p, r, 1)


def _act(p, r: Rbac):
    return p.c[r.action] if r.resource and r.action else _name_part(p, r, 2)


def _res_pg(r: Rbac, alias: str = "p") -> str:
    from .policies import q

    if r.resource and r.action:
        return f"lower({alias}.{q(r.resource)}::text)"
    return f"split_part(replace(lower({alias}.{q(r.permission_name)}::text), '.', ':'), ':', 1)"


def _act_pg(r: Rbac, alias: str = "p") -> str:
    from .policies import q

    if r.resource and r.action:
        return f"lower({alias}.{q(r.action)}::text)"
    return f"split_part(replace(lower({alias}.{q(r.permission_name)}::text), '.', ':'), ':', 2)"


def _governs(model: AccessModel, access: TableAccess, rule: str) -> tuple[str, ...] | None:
    rbac = model.rbac
    if rbac is None or rule not in TENANT_RULES or access.tenant != rbac.root:
        return None
    return rbac.names(access.table)


def _actions(command: str) -> tuple[str, ...]:
    return tuple(a.lower() for a in actions_covering(COMMANDS[command]))


# --- SQLite: SQLAlchemy predicates -------------------------------------------------------------------


def _matches(column: sa.ColumnElement[Any], names: tuple[str, ...]) -> sa.ColumnElement[bool]:
    lowered = sa.func.lower(column)
    return sa.or_(*[lowered == sa.literal(n) for n in names])


def predicate(model, metadata, access: TableAccess, rule: str, command: str, sub: Any, table, cond):
    """``cond`` (the membership rule) combined with the permissions, for a governed table; else ``cond``."""
    from .predicates import _chain, _is_user, _table  # the access layer's own helpers

    own = own_predicate(model, metadata, access, rule, command, sub, table, cond)
    if own is not None:
        return own
    names = _governs(model, access, rule)
    if names is None or sub is None:
        return cond
    r: Rbac = model.rbac.rbac
    a, g, p = (_table(metadata, n).alias() for n in (r.assignments, r.grants, r.permissions))
    joined = a.join(g, g.c[r.grant_role] == a.c[r.assignment_role]).join(
        p, p.c[r.permission_key] == g.c[r.grant_permission]
    )
    holds = sa.and_(
        _is_user(a.c[r.assignment_user], sub),
        _matches(_res(p, r), names + WILDCARDS),
        _matches(_act(p, r), _actions(command)),
    )
    if r.assignment_tenant:
        ids = sa.select(a.c[r.assignment_tenant]).select_from(joined).where(holds)
        everywhere = sa.exists(
            sa.select(sa.literal(1)).select_from(joined).where(holds, a.c[r.assignment_tenant].is_(None))
        )
    else:
        ids, everywhere = None, sa.exists(sa.select(sa.literal(1)).select_from(joined).where(holds))

    def permitted(column):
        found = sa.and_(column.is_not(None), everywhere)
        return found if ids is None else sa.or_(column.in_(ids), found)

    root = model.root(access.tenant)
    granted = (
        permitted(table.c[root.key])
        if access.scope == "tenant_root"
        else _chain(metadata, table, access.path, permitted)
    )
    named_p = _table(metadata, r.permissions).alias()
    named = sa.exists(sa.select(sa.literal(1)).select_from(named_p).where(_matches(_res(named_p, r), names)))
    return sa.or_(granted, sa.and_(sa.not_(named), cond))


# --- PostgreSQL: functions and policy conditions ----------------------------------------------------


def functions_sql(schema: Schema, model: AccessModel) -> list[str]:
    from .policies import _PG_TYPES, _col_type, q, uid_for

    rbac = model.rbac
    if rbac is None:
        return []
    r, root = rbac.rbac, model.root(rbac.root)
    returns = _PG_TYPES.get(_col_type(schema, root.table, root.key), "text")
    uid = uid_for(_col_type(schema, r.assignments, r.assignment_user))
    head = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$"
    joined = (
        f"FROM {q(r.assignments)} a JOIN {q(r.grants)} g ON g.{q(r.grant_role)} = a.{q(r.assignment_role)} "
        f"JOIN {q(r.permissions)} p ON p.{q(r.permission_key)} = g.{q(r.grant_permission)} "
        f"WHERE a.{q(r.assignment_user)} = {uid} AND {_res_pg(r)} = ANY ($1) "
        f"AND {_act_pg(r)} = ANY ($2)"
    )
    everywhere = f"SELECT r.{q(root.key)}::{returns} FROM {q(root.table)} r WHERE EXISTS (SELECT 1 {joined}"
    everywhere += f" AND a.{q(r.assignment_tenant)} IS NULL)" if r.assignment_tenant else ")"
    tenants = f"SELECT a.{q(r.assignment_tenant)}::{returns} {joined}\n  UNION " if r.assignment_tenant else ""
    return [
        f"CREATE OR REPLACE FUNCTION {permitted_function(rbac.root)}(resources text[], actions text[]) "
        f"RETURNS SETOF {returns}\n{head}\n  {tenants}{everywhere}\n$$",
        f"CREATE OR REPLACE FUNCTION docbase.rbac_names(resources text[]) RETURNS boolean\n{head}\n"
        f"  SELECT EXISTS (SELECT 1 FROM {q(r.permissions)} p WHERE {_res_pg(r)} = ANY ($1))\n$$",
        *own_functions_sql(schema, model),
    ]


def permitted_function(root: str) -> str:
    from .policies import q

    return f"docbase.{q('permitted_' + root)}"


def policy_condition(schema: Schema, model: AccessModel, access: TableAccess, rule: str, command: str, cond: str):
    from .policies import _chain, lit, q

    names = _governs(model, access, rule)
    if names is None:
        return cond

    def array(values: tuple[str, ...]) -> str:
        return "ARRAY[" + ", ".join(lit(v) for v in values) + "]::text[]"

    ids = f"SELECT {permitted_function(model.rbac.root)}({array(names + WILDCARDS)}, {array(_actions(command))})"
    root = model.root(access.tenant)
    if access.scope == "tenant_root":
        granted = f"{q(root.key)} IN ({ids})"
    else:
        granted = _chain(schema, access.path, lambda column, _type: f"{column} IN ({ids})")
    return f"({granted}) OR (NOT (SELECT docbase.rbac_names({array(names)})) AND ({cond}))"


# --- Edits to the RBAC tables themselves ----------------------------------------------------------------
#
# roles, permissions and the junction are global: a signed-in user writes them only through a permission
# on the table held by an assignment without a tenant, and grants (junction rows) only permissions they
# hold themselves. Assignments are per tenant: besides the membership rule (the tenant's owner roles: the
# bootstrap), a holder of a permission on the assignment table in that tenant may write one; either only
# for a role whose every permission they hold there. service_role bypasses all of it.

EVERY = ("manage", "*", "all", "admin")
WRITE_ACTIONS = ("create", "update", "delete", "insert")


def _own(model: AccessModel, access: TableAccess, command: str) -> str | None:
    """Which RBAC table ``access`` is (roles/permissions/grants/assignments), for a write; else None."""
    if model.rbac is None or command == "select":
        return None
    r = model.rbac.rbac
    kinds = {r.roles: "roles", r.permissions: "permissions", r.grants: "grants", r.assignments: "assignments"}
    return kinds.get(access.table)


def owns(model: AccessModel, access: TableAccess, command: str) -> bool:
    return _own(model, access, command) is not None


def _covers_sa(q_action, wanted) -> sa.ColumnElement[bool]:
    """A held action ``q_action`` covers the granted action ``wanted`` (both columns)."""
    held, want = sa.func.lower(q_action), sa.func.lower(wanted)
    return sa.or_(
        held == want,
        sa.or_(*[held == sa.literal(a) for a in EVERY]),
        sa.and_(held == sa.literal("write"), sa.or_(*[want == sa.literal(a) for a in WRITE_ACTIONS])),
    )


def own_predicate(model, metadata, access: TableAccess, rule: str, command: str, sub: Any, table, cond):
    """SQLite: ``cond`` for a write to an RBAC table, narrowed or widened by the permission rows; else None."""
    from .predicates import _is_user, _table

    kind = _own(model, access, command)
    if kind is None:
        return None
    if sub is None:
        return sa.false()
    r: Rbac = model.rbac.rbac

    def held(resource, action, tenant, literal_action: bool):
        a, g, p = (_table(metadata, n).alias() for n in (r.assignments, r.grants, r.permissions))
        joined = a.join(g, g.c[r.grant_role] == a.c[r.assignment_role]).join(
            p, p.c[r.permission_key] == g.c[r.grant_permission]
        )
        res = sa.func.lower(_res(p, r))
        if isinstance(resource, tuple):
            on_resource = _matches(_res(p, r), resource + WILDCARDS)
        else:
            on_resource = sa.or_(res == sa.func.lower(resource), *[res == sa.literal(w) for w in WILDCARDS])
        on_action = _matches(_act(p, r), _actions(action)) if literal_action else _covers_sa(_act(p, r), action)
        where = [_is_user(a.c[r.assignment_user], sub), on_resource, on_action]
        if r.assignment_tenant:
            at = a.c[r.assignment_tenant]
            where.append(at.is_(None) if tenant is None else sa.or_(at.is_(None), at == tenant))
        return sa.exists(sa.select(sa.literal(1)).select_from(joined).where(*where))

    names = resource_names(access.table)
    if kind in ("roles", "permissions", "grants"):
        allowed = held(names, command, None, True)
        if kind == "permissions":  # the row states only what its writer holds, before and after the edit
            allowed = sa.and_(allowed, held(_res(table, r), _act(table, r), None, False))
        if kind == "roles" and command == "update":
            allowed = sa.and_(allowed, *_no_rename_up_sa(model, metadata, table))
        if kind == "grants" and command in ("insert", "update"):
            p2 = _table(metadata, r.permissions).alias()
            grantable = sa.exists(
                sa.select(sa.literal(1))
                .select_from(p2)
                .where(
                    p2.c[r.permission_key] == table.c[r.grant_permission],
                    held(_res(p2, r), _act(p2, r), None, False),
                )
            )
            allowed = sa.and_(allowed, grantable)
        return allowed
    tenant = table.c[r.assignment_tenant] if r.assignment_tenant else None
    allowed = held(names, command, tenant, True)
    if command in ("insert", "update"):
        g2, p2 = _table(metadata, r.grants).alias(), _table(metadata, r.permissions).alias()
        beyond = sa.exists(
            sa.select(sa.literal(1))
            .select_from(g2.join(p2, p2.c[r.permission_key] == g2.c[r.grant_permission]))
            .where(
                g2.c[r.grant_role] == table.c[r.assignment_role],
                sa.not_(held(_res(p2, r), _act(p2, r), tenant, False)),
            )
        )
        return sa.and_(sa.or_(cond, allowed), sa.not_(beyond))  # the owner too grants only what they hold
    return sa.or_(cond, allowed)


def own_functions_sql(schema: Schema, model: AccessModel) -> list[str]:
    from .policies import _PG_TYPES, _col_type, lit, q, uid_for

    r = model.rbac.rbac
    root = model.root(model.rbac.root)
    tenant_t = _PG_TYPES.get(_col_type(schema, root.table, root.key), "text")
    perm_t = _PG_TYPES.get(_col_type(schema, r.permissions, r.permission_key), "text")
    role_t = _PG_TYPES.get(_col_type(schema, r.roles, r.role_key), "text")
    uid = uid_for(_col_type(schema, r.assignments, r.assignment_user))
    head = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$"
    every = ", ".join(lit(a) for a in EVERY)
    writes = ", ".join(lit(a) for a in WRITE_ACTIONS)
    wild = ", ".join(lit(w) for w in WILDCARDS)
    scope = (
        f" AND (a.{q(r.assignment_tenant)} IS NULL OR a.{q(r.assignment_tenant)} = $3)" if r.assignment_tenant else ""
    )
    holds = (
        f"CREATE OR REPLACE FUNCTION docbase.rbac_holds(resources text[], action text, tenant {tenant_t}) "
        f"RETURNS boolean\n{head}\n  SELECT EXISTS (SELECT 1 FROM {q(r.assignments)} a "
        f"JOIN {q(r.grants)} g ON g.{q(r.grant_role)} = a.{q(r.assignment_role)} "
        f"JOIN {q(r.permissions)} p ON p.{q(r.permission_key)} = g.{q(r.grant_permission)} "
        f"WHERE a.{q(r.assignment_user)} = {uid}{scope} "
        f"AND ({_res_pg(r)} = ANY ($1) OR {_res_pg(r)} IN ({wild})) "
        f"AND ({_act_pg(r)} IN (lower($2), {every}) "
        f"OR ({_act_pg(r)} = 'write' AND lower($2) IN ({writes}))))\n$$"
    )
    grantable = (
        f"CREATE OR REPLACE FUNCTION docbase.rbac_grantable(permission {perm_t}) RETURNS boolean\n{head}\n"
        f"  SELECT EXISTS (SELECT 1 FROM {q(r.permissions)} p WHERE p.{q(r.permission_key)} = $1 "
        f"AND docbase.rbac_holds(ARRAY[{_res_pg(r)}], {_act_pg(r)}, NULL))\n$$"
    )
    assignable = (
        f"CREATE OR REPLACE FUNCTION docbase.rbac_assignable(role {role_t}, tenant {tenant_t}) RETURNS boolean\n"
        f"{head}\n  SELECT NOT EXISTS (SELECT 1 FROM {q(r.grants)} g JOIN {q(r.permissions)} p "
        f"ON p.{q(r.permission_key)} = g.{q(r.grant_permission)} WHERE g.{q(r.grant_role)} = $1 "
        f"AND NOT docbase.rbac_holds(ARRAY[{_res_pg(r)}], {_act_pg(r)}, $2))\n$$"
    )
    return [holds, grantable, assignable]


def own_condition(schema: Schema, model: AccessModel, access: TableAccess, command: str, cond: tuple | None):
    """PostgreSQL: the policy (roles, condition) for a write to an RBAC table; else ``cond`` unchanged."""
    from .policies import lit, q

    kind = _own(model, access, command)
    if kind is None:
        return cond
    r = model.rbac.rbac
    names = "ARRAY[" + ", ".join(lit(n) for n in resource_names(access.table)) + "]::text[]"
    action = lit(COMMANDS[command])
    if kind in ("roles", "permissions", "grants"):
        allowed = f"docbase.rbac_holds({names}, {action}, NULL)"
        if kind == "permissions":  # the row states only what its writer holds, before and after the edit
            row = q(r.permissions)
            allowed += f" AND docbase.rbac_holds(ARRAY[{_res_pg(r, row)}], {_act_pg(r, row)}, NULL)"
        if kind == "roles" and command == "update":
            allowed = " AND ".join([allowed, *_no_rename_up_pg(model)])
        if kind == "grants" and command in ("insert", "update"):
            allowed += f" AND docbase.rbac_grantable({q(r.grant_permission)})"
        return "authenticated", allowed
    tenant = q(r.assignment_tenant) if r.assignment_tenant else "NULL"
    allowed = f"docbase.rbac_holds({names}, {action}, {tenant})"
    if cond is not None:
        allowed = f"({cond[1]}) OR ({allowed})"
    if command in ("insert", "update"):  # the owner too grants only what they hold
        allowed = f"({allowed}) AND docbase.rbac_assignable({q(r.assignment_role)}, {tenant})"
    return "authenticated", allowed


# --- Renaming a role -------------------------------------------------------------------------------------
#
# Where the membership's role is a row of the roles table (user_roles.role_id -> roles.name), a role's name
# is its rank in the tenant's role order (docbase.access.roles): renaming "viewer" to "owner" would make
# every viewer an owner in every tenant, a grant nobody held. So a signed-in holder of ``roles:update`` may
# rename a role only to a name no higher in that order than its current one (a name outside the order
# ranks lowest); service_role may rename freely. The current name is read as before the statement (the
# policy's snapshot on PostgreSQL; SQLite checks the row before writing it).


def _ranked_orders(model: AccessModel) -> list[tuple[str, str, tuple[str, ...]]]:
    """(key column, name column, names highest first) of each role order whose names live in the roles table."""
    r = model.rbac.rbac
    found = []
    for root in model.roots:
        if root.role_lookup and root.role_lookup[0] == r.roles and root.roles:
            _, key, name = root.role_lookup
            found.append((key, name, tuple(role.name for role in root.roles)))
    return found


def _no_rename_up_sa(model: AccessModel, metadata, table) -> list[sa.ColumnElement[bool]]:
    from .predicates import _table

    out = []
    for key, name, order in _ranked_orders(model):

        def rank(column, order=order):
            return sa.case(*[(column == sa.literal(n), i) for i, n in enumerate(order)], else_=len(order))

        before = _table(metadata, model.rbac.rbac.roles).alias()
        was = sa.select(rank(before.c[name])).where(before.c[key] == table.c[key]).scalar_subquery()
        out.append(rank(table.c[name]) >= sa.func.coalesce(was, len(order)))
    return out


def _no_rename_up_pg(model: AccessModel) -> list[str]:
    from .policies import lit, q

    out = []
    roles = q(model.rbac.rbac.roles)
    for key, name, order in _ranked_orders(model):

        def rank(column: str, order=order) -> str:
            cases = " ".join(f"WHEN {lit(n)} THEN {i}" for i, n in enumerate(order))
            return f"(CASE {column}::text {cases} ELSE {len(order)} END)"

        was = f"(SELECT {rank('b.' + q(name))} FROM {roles} b WHERE b.{q(key)} = {roles}.{q(key)})"
        out.append(f"{rank(roles + '.' + q(name))} >= COALESCE({was}, {len(order)})")
    return out
