"""The access model as SQLAlchemy Core predicates, for databases without row-level security.

On SQLite nothing below the API enforces access, so the API ANDs
``read_predicate`` into every read (embedded resources included) and checks
every written row with ``write_check`` (PostgreSQL's WITH CHECK semantics):
the same decisions ``policies.py`` gives PostgreSQL, compiled to the same
shape (``col IN (SELECT ... membership ...)``), deny by default.

``claims`` are the verified JWT claims: ``role`` (anon, authenticated,
service_role) and ``sub`` (the user's id). ``sub`` may be a bind parameter
instead of a value, so one compiled statement serves every user of a role
(the API's statement cache); ``target`` lets a predicate apply to an alias
(``t0``, an embedded ``t3``) rather than the table itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from . import rbac
from .grants import KEY_CREATOR, KEY_SUB, project_hops
from .model import AccessModel, Hop, KeyScope, Limit, TableAccess

_LEVEL = {"member": "reader", "writer": "writer", "admin": "admin", "owner": "owner"}


class AccessError(LookupError):
    """The model names a table or column the metadata lacks: refuse rather than run unenforced."""


def _table(metadata: sa.MetaData, name: str) -> sa.Table:
    table = metadata.tables.get(name)
    if table is None:
        raise AccessError(f"access: table {name!r} is not in the database metadata")
    return table


def _user_value(column: sa.ColumnElement[Any], sub: Any) -> Any:
    """The JWT ``sub`` as the column's Python type; None when it cannot be one (matches nothing)."""
    if sub is None:
        return None
    if isinstance(sub, sa.BindParameter):
        return sub
    kind = column.type
    try:
        if isinstance(kind, sa.Uuid) and kind.as_uuid:
            return sub if isinstance(sub, uuid.UUID) else uuid.UUID(str(sub))
        if isinstance(kind, sa.Integer):
            return int(sub)
    except (ValueError, TypeError):
        return None
    return str(sub)


def _is_user(column: sa.ColumnElement[Any], sub: Any) -> sa.ColumnElement[bool]:
    value = _user_value(column, sub)
    return sa.false() if value is None else column == value


def _tenant_ids(
    model: AccessModel, metadata: sa.MetaData, tenant: str | None, level: str, sub: Any, roles: tuple[str, ...] = ()
) -> sa.Select:
    """Tenants where the user holds a role at ``level`` or above (or, given ``roles``, one of those)."""
    root = model.root(tenant)
    if root is None:
        raise AccessError(f"access: no tenant root {tenant!r}")
    m = _table(metadata, root.membership).alias("m")
    query = sa.select(m.c[root.member_tenant]).where(_is_user(m.c[root.member_user], sub))
    names = (roles or root.names_at_least(level)) if level != "reader" or roles else None
    if names is not None and root.role_column:
        if root.role_lookup:
            lt, lk, ln = root.role_lookup
            r = _table(metadata, lt).alias("r")
            query = query.where(m.c[root.role_column].in_(sa.select(r.c[lk]).where(_one_of(r.c[ln], names))))
        else:
            query = query.where(_one_of(m.c[root.role_column], names))
    keys = [_key_tenants(metadata, k, sub, names) for k in model.key_scopes if k.root == root.table]
    return sa.union_all(query, *keys) if keys else query


def _key_row(metadata: sa.MetaData, key: KeyScope, sub: Any) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
    """The key row a tenant-scoped API key's request was made with (sub ``apikey:<id>``), as (alias, match)."""
    k = _table(metadata, key.table).alias("k")
    given = sub if isinstance(sub, sa.BindParameter) else sa.literal(str(sub) if sub is not None else None, sa.Text)
    start = len(KEY_SUB) + 1
    match = sa.and_(
        sa.func.substr(given, 1, len(KEY_SUB)) == sa.literal(KEY_SUB), k.c[key.key] == sa.func.substr(given, start)
    )
    return k, match


def _key_tenants(metadata: sa.MetaData, key: KeyScope, sub: Any, names: tuple[str, ...] | None) -> sa.Select:
    """The tenant of the API key the request was made with, when its role is one of ``names`` (None: any)."""
    k, match = _key_row(metadata, key, sub)
    query = sa.select(k.c[key.tenant_column]).where(match, k.c[key.tenant_column].is_not(None))
    if names is not None:
        role = sa.func.coalesce(k.c[key.role_column], sa.literal(key.default_role)) if key.role_column else None
        query = query.where(
            _one_of(role, names) if role is not None else (sa.true() if key.default_role in names else sa.false())
        )
    return query


def _is_author(model: AccessModel, metadata: sa.MetaData, column: sa.ColumnElement[Any], sub: Any):
    """A creator column names the caller, or for a tenant-scoped API key, the key's creator."""
    cond = _is_user(column, sub)
    for key in model.key_scopes:
        k, match = _key_row(metadata, key, sub)
        cond = sa.or_(cond, column.in_(sa.select(k.c[key.owner]).where(match)))
    return cond


def _one_of(column: sa.ColumnElement[Any], names: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """``column IN ('owner', 'admin')`` without an expanding parameter, so the SQL can be compiled once."""
    return sa.or_(*[column == sa.literal(n) for n in names]) if names else sa.false()


def _chain(metadata: sa.MetaData, table: sa.FromClause, path: tuple[Hop, ...], final) -> sa.ColumnElement[bool]:
    hop = path[0]
    column = table.c[hop.columns[0]]
    if len(path) == 1:
        return final(column)
    nxt = _table(metadata, hop.ref_table).alias()
    inner = _chain(metadata, nxt, path[1:], final)
    return column.in_(sa.select(nxt.c[hop.ref_columns[0]]).where(inner))


def _condition(
    model: AccessModel, metadata: sa.MetaData, access: TableAccess, rule: str, sub: Any, target=None
) -> sa.ColumnElement[bool]:
    table = target if target is not None else _table(metadata, access.table)
    if rule in ("anon", "authenticated"):
        return sa.true()
    if rule == "service_role":
        return sa.false()
    if sub is None:
        return sa.false()
    if rule == "teammate" and (access.scope == "user" or access.owner_column):  # the caller's or a teammate's
        column = table.c[model.user_key] if access.scope == "user" else table.c[access.owner_column]
        own = _is_user(column, sub)
        for root in model.roots:
            m = _table(metadata, root.membership).alias()
            mates = sa.select(m.c[root.member_user]).where(
                m.c[root.member_tenant].in_(_tenant_ids(model, metadata, root.table, "reader", sub))
            )
            own = sa.or_(own, column.in_(mates))
        return own
    if rule in ("self", "teammate"):
        if access.scope == "user":
            return _is_user(table.c[model.user_key], sub)
        if not access.path:
            return sa.false()
        own = _chain(metadata, table, access.path, lambda col: _is_user(col, sub))
        if access.admins_of is not None:  # a tenant's keys are its admins' too (grants.py)
            column, root = access.admins_of
            own = sa.or_(own, table.c[column].in_(_tenant_ids(model, metadata, root, "admin", sub)))
        return own
    ids = _tenant_ids(model, metadata, access.tenant, _LEVEL[rule], sub)
    if access.scope == "tenant_root":
        root = model.root(access.tenant)
        return table.c[root.key].in_(ids)
    return _chain(metadata, table, access.path, lambda col: col.in_(ids))


def _access(model: AccessModel, name: str) -> TableAccess:
    access = model.table(name)
    if access is None:
        raise AccessError(f"access: table {name!r} has no access decision")
    return access


def _role(claims: Mapping[str, Any] | None) -> str:
    return str((claims or {}).get("role") or "anon")


def read_predicate(
    model: AccessModel,
    metadata: sa.MetaData,
    table: str,
    claims: Mapping[str, Any] | None,
    target: sa.FromClause | None = None,
) -> sa.ColumnElement[bool]:
    """Rows of ``table`` the caller may see; AND it into the WHERE of every read.

    Example:
        >>> # select(t).where(read_predicate(model, metadata, "projects", {"role": "authenticated", "sub": uid}))
    """
    return _for(model, metadata, table, "select", claims, target)


def write_check(
    model: AccessModel,
    metadata: sa.MetaData,
    table: str,
    command: str,
    claims: Mapping[str, Any] | None,
    target: sa.FromClause | None = None,
) -> sa.ColumnElement[bool]:
    """For UPDATE/DELETE: the rows the caller may target (AND into the WHERE). For INSERT/UPDATE the
    written rows must satisfy it too (WITH CHECK); see ``check_row``."""
    return _for(model, metadata, table, command, claims, target)


def _for(model, metadata, name: str, command: str, claims, target=None) -> sa.ColumnElement[bool]:
    access = _access(model, name)
    role = _role(claims)
    if role == "service_role":
        return sa.true()
    rule = access.rule(command)
    if role != "authenticated":
        return sa.true() if rule == "anon" else sa.false()
    sub = (claims or {}).get("sub")
    table = target if target is not None else _table(metadata, name)
    cond = rbac.predicate(
        model, metadata, access, rule, command, sub, table, _condition(model, metadata, access, rule, sub, table)
    )
    if command == "select" and sub is not None:
        root = model.root(access.tenant)
        # Each user sees their own memberships. (A tenant's creator column alone grants nothing, as on
        # PostgreSQL: the creator sees the tenant through the owner membership made with it.)
        if access.scope == "membership" and root and root.membership == name:
            cond = sa.or_(cond, _is_user(table.c[root.member_user], sub))
    if command == "insert":
        for column in access.creator_columns:
            cond = sa.and_(cond, _is_author(model, metadata, table.c[column], sub))
    for limit in access.limits:
        if command in limit.commands:
            cond = sa.and_(cond, _limit(model, metadata, access, limit, sub, table))
    return cond


def _limit(model: AccessModel, metadata: sa.MetaData, access: TableAccess, limit: Limit, sub: Any, table):
    """A grants.py limit as a predicate (PostgreSQL: policies.limit_sql). ``not_by_api_key`` and ``aal2`` are
    the API's to refuse before any statement (docbase.access.decide; the compiled SQL does not carry those
    claims), so they add nothing here."""
    if limit.kind in ("not_by_api_key", "aal2"):  # claims the compiled SQL does not carry: refused before it
        return sa.true()
    if limit.kind == "key_project":
        return _key_project(model, metadata, access, sub, table)
    root = model.root(access.tenant)
    if limit.kind == "own_or_admin":
        admin = _condition(model, metadata, access, "admin", sub, table) if root else sa.false()
        return admin if limit.column is None else sa.or_(_is_user(table.c[limit.column], sub), admin)
    if limit.kind == "role_within_own" and root is not None and limit.column and access.path:
        role = table.c[limit.column]
        cases = []
        for i, named in enumerate(root.roles):
            held = _tenant_ids(
                model, metadata, access.tenant, "reader", sub, tuple(r.name for r in root.roles[: i + 1])
            )
            cases.append(
                sa.and_(
                    role == sa.literal(named.name), _chain(metadata, table, access.path, lambda c, h=held: c.in_(h))
                )
            )
        return sa.or_(*cases) if cases else sa.false()
    return sa.false()


def _key_project(model: AccessModel, metadata: sa.MetaData, access: TableAccess, sub: Any, table):
    """Not a project key's request, or the row is its project's (grants.project_limits)."""
    conds = []
    for key in model.key_scopes:
        if key.project is None or key.root != access.tenant:
            continue
        column, project, project_key, _ = key.project
        k, match = _key_row(metadata, key, sub)
        mine = sa.select(k.c[column]).where(match, k.c[column].is_not(None))
        hops = project_hops(access, project)
        if hops is None:
            inside: sa.ColumnElement[bool] = sa.false()
        elif not hops:
            inside = table.c[project_key].in_(mine)
        else:
            inside = _chain(metadata, table, hops, lambda col, mine=mine: col.in_(mine))
        conds.append(sa.or_(~mine.exists(), inside))
    return sa.and_(sa.true(), *conds)


def check_row(
    model: AccessModel,
    metadata: sa.MetaData,
    table: str,
    command: str,
    row: Mapping[str, Any],
    claims: Mapping[str, Any] | None,
) -> sa.Select:
    """``SELECT <check>`` with the row's values in place of its columns: run it before writing ``row``;
    a false (or NULL) answer means 403 (42501)."""
    target = _table(metadata, table)
    cond = write_check(model, metadata, table, command, claims)

    def swap(element):
        if isinstance(element, sa.Column) and element.table is target:
            return sa.literal(row.get(element.name), type_=element.type)
        return None

    return sa.select(sa.func.coalesce(visitors.replacement_traverse(cond, {}, swap), sa.false()))


def creator_defaults(model: AccessModel, table: str, claims: Mapping[str, Any] | None) -> dict[str, Any]:
    """Columns an insert fills with the signed-in user's id when the body leaves them out."""
    sub = (claims or {}).get(KEY_CREATOR) or (claims or {}).get("sub")  # a tenant key records its creator
    if _role(claims) != "authenticated" or sub is None:
        return {}
    return {c: sub for c in _access(model, table).creator_columns}


def immutable_columns(model: AccessModel, table: str, claims: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Columns the caller may not change in an UPDATE (creator columns; a user's own secrets)."""
    if _role(claims) == "service_role":
        return ()
    access = _access(model, table)
    frozen = access.creator_columns + (access.hidden_columns if access.scope == "user" else ()) + access.frozen_columns
    return tuple(dict.fromkeys(frozen))


def hidden_columns(model: AccessModel, table: str, claims: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Columns never returned to the caller."""
    return () if _role(claims) == "service_role" else _access(model, table).hidden_columns


def tenant_claim(
    model: AccessModel, table: str, row: Mapping[str, Any], claims: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]] | None:
    """The membership row to write, in the same transaction, when a signed-in user creates a tenant:
    ``(membership table, values)`` making them its owner; None when ``table`` is no tenant root.
    (PostgreSQL does this with a trigger; on SQLite the API writes it.)"""
    sub = (claims or {}).get("sub")
    root = model.root(table)
    if root is None or _role(claims) != "authenticated" or sub is None or root.role_lookup:
        return None
    values: dict[str, Any] = {root.member_tenant: row.get(root.key), root.member_user: sub}
    if root.role_column and root.top_role:
        values[root.role_column] = root.top_role
    return root.membership, values


def own_membership_check(
    model: AccessModel, metadata: sa.MetaData, table: str, command: str, sub: Any
) -> sa.ColumnElement[bool] | None:
    """Nobody inserts a membership naming themself, and nobody writes a role higher than one they hold in
    that tenant (PostgreSQL: the RESTRICTIVE ``docbase own membership``/``docbase role cap`` policies)."""
    access = _access(model, table)
    if access.scope != "membership" or not access.member_user or command not in ("insert", "update"):
        return None
    t = _table(metadata, table)
    column = t.c[access.member_user]
    not_me = sa.or_(column.is_(None), sa.not_(_is_user(column, sub)))
    root = model.root(access.tenant)
    held = _role_cap(model, metadata, t, sub) if root is not None and root.membership == table else not_me
    return sa.and_(not_me, held) if command == "insert" else held


def _role_cap(model: AccessModel, metadata: sa.MetaData, t: sa.Table, sub: Any) -> sa.ColumnElement[bool]:
    """The writer holds, in the row's tenant, a role at least as high as the row's (no role: membership will
    do; a role outside the known order: the top level)."""
    root = next(r for r in model.roots if r.membership == t.name)
    tenant = t.c[root.member_tenant]
    if not root.role_column:
        return tenant.in_(_tenant_ids(model, metadata, root.table, "reader", sub))
    role = t.c[root.role_column]
    cases = [(role.is_(None), tenant.in_(_tenant_ids(model, metadata, root.table, "reader", sub)))]
    for i, r in enumerate(root.roles):
        held = _held(model, metadata, root.table, tuple(x.name for x in root.roles[: i + 1]), sub)
        if root.role_lookup:
            lt, lk, ln = root.role_lookup
            named = _table(metadata, lt).alias()
            cases.append((role.in_(sa.select(named.c[lk]).where(named.c[ln] == sa.literal(r.name))), tenant.in_(held)))
        else:
            cases.append((role == sa.literal(r.name), tenant.in_(held)))
    top = root.names_at_least(root.roles[0].level) if root.roles else ()
    return sa.case(*cases, else_=tenant.in_(_held(model, metadata, root.table, top, sub)))  # an unknown role: top only


def _held(model: AccessModel, metadata: sa.MetaData, tenant: str, names: tuple[str, ...], sub: Any) -> sa.Select:
    """Tenants where the user holds one of ``names``."""
    root = model.root(tenant)
    assert root is not None and root.role_column
    m = _table(metadata, root.membership).alias()
    query = sa.select(m.c[root.member_tenant]).where(_is_user(m.c[root.member_user], sub))
    if root.role_lookup:
        lt, lk, ln = root.role_lookup
        r = _table(metadata, lt).alias()
        return query.where(m.c[root.role_column].in_(sa.select(r.c[lk]).where(_one_of(r.c[ln], names))))
    return query.where(_one_of(m.c[root.role_column], names))
