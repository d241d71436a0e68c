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
from ..schema.model import Schema
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
            f"rbac: while a {r.permissions}.{r.resource} row names it ({', '.join(names)}), what its members may do "
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


def apply_rbac(model: AccessModel, schema: Schema, rules: Any) -> AccessModel:
    """``model`` with the permissions attached (``model.rbac``), when the document has RBAC tables."""
    rules = rules if isinstance(rules, dict) else {}
    rbac = detect_rbac(schema, {"rules": rules})
    if rbac is None or rbac.resource is None or rbac.action is None:
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
        governed.append((t.table, resource_names(t.table, per_table.get("resource"))))
    return replace(model, rbac=RbacAccess(rbac, root.table, tuple(governed)))


def rbac_notes(schema: Schema, model: AccessModel, path: str) -> list[str]:
    """One located note per table the permission rows may decide, for ``docbase access``."""
    if model.rbac is None:
        return []
    out = []
    for table, _names in model.rbac.tables:
        t = schema.table(table)
        out.append(f"{path}:{t.line if t else 0}: note: {table}: {model.rbac.note(table)}")
    return out


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
        _matches(p.c[r.resource], names + WILDCARDS),
        _matches(p.c[r.action], _actions(command)),
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
    named = sa.exists(sa.select(sa.literal(1)).select_from(named_p).where(_matches(named_p.c[r.resource], names)))
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
        f"WHERE a.{q(r.assignment_user)} = {uid} AND lower(p.{q(r.resource)}::text) = ANY (resources) "
        f"AND lower(p.{q(r.action)}::text) = ANY (actions)"
    )
    everywhere = f"SELECT r.{q(root.key)}::{returns} FROM {q(root.table)} r WHERE EXISTS (SELECT 1 {joined}"
    everywhere += f" AND a.{q(r.assignment_tenant)} IS NULL)" if r.assignment_tenant else ")"
    tenants = f"SELECT a.{q(r.assignment_tenant)}::{returns} {joined}\n  UNION " if r.assignment_tenant else ""
    return [
        f"CREATE OR REPLACE FUNCTION {permitted_function(rbac.root)}(resources text[], actions text[]) "
        f"RETURNS SETOF {returns}\n{head}\n  {tenants}{everywhere}\n$$",
        f"CREATE OR REPLACE FUNCTION docbase.rbac_names(resources text[]) RETURNS boolean\n{head}\n"
        f"  SELECT EXISTS (SELECT 1 FROM {q(r.permissions)} p WHERE lower(p.{q(r.resource)}::text) = ANY (resources))\n$$",
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
