"""API keys at run time: ``rpc/create_api_key``, and a request carrying a key acting as its owner.

A key is ``<prefix><random>``; the table keeps its SHA-256 (lookups go by
hash), its first characters in ``start`` (so a user can tell keys apart) and
the prefix. A request's ``apikey`` header or Bearer token that is not a JWT
is looked up here, in one locked transaction that also enforces the row's
limits the way the seed's columns mean them: ``enabled`` false or
``expiresAt`` past -> 401; ``remaining`` at 0 -> 429, else one less;
``rateLimitEnabled`` with ``rateLimitMax`` requests per
``rateLimitTimeWindow`` milliseconds -> 429 past the limit (the count
starts again once a window passes with no request);
``requestCount`` and ``lastRequest`` kept up to date. The columns may be
text (seed 003 writes them so): numbers are read from and written back as
text there.
"""

from __future__ import annotations

import secrets as _random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ..access.grants import KEY_CLAIM, KEY_CREATOR, KEY_PROJECT, KEY_SUB, KEY_TENANT, role_rank
from ..access.model import KeyScope, TenantRoot
from ..schema.model import Table
from . import hashed_tokens
from .base import Applied
from .errors import ConventionError, bad_argument
from .sqltext import Sql, as_datetime

DEFAULT_PREFIX = "dbk_"
START_LENGTH = 6


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def _number(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _out(table: Table, name: str, value: int) -> Any:
    column = table.column(name)
    return str(value) if column is not None and column.type in ("text", "varchar") else value


def _unauthorized(message: str) -> ConventionError:
    return ConventionError(401, "PGRST301", message)


async def create(
    tx: Any,
    sql: Sql,
    table: Table,
    a: Applied,
    body: dict[str, Any],
    owner: Any,
    scope: tuple[KeyScope, TenantRoot] | None = None,
    system: bool = False,
) -> dict[str, Any]:
    """A new key row for ``owner``; with ``scope`` and the tenant column in ``body``, a key that acts as that
    tenant (only an admin of it may make one, with a role no higher than their own; ``system``: service_role,
    unchecked)."""
    r = a.role
    scoped = await _scope_columns(tx, sql, body, owner, scope, system)
    name = body.get("name")
    prefix = body.get("prefix", DEFAULT_PREFIX)
    expires_in = body.get("expires_in")
    if name is not None and not isinstance(name, str):
        raise bad_argument("name must be a string")
    if not isinstance(prefix, str) or len(prefix) > 16 or not all(ch.isalnum() or ch in "_-" for ch in prefix):
        raise bad_argument("prefix must be up to 16 letters, digits, '_' or '-'")
    if expires_in is not None and (not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0):
        raise bad_argument("expires_in must be a positive number of seconds")
    plain = prefix + _random.token_urlsafe(32)
    row: dict[str, Any] = {r("key"): hashed_tokens.digest(plain), r("owner"): owner, **scoped}
    key_column = table.column(r("id") or "")
    if key_column is not None and key_column.type in ("uuid", "text", "varchar"):
        row[r("id")] = str(uuid.uuid4())
    optional = {
        "start": plain[:START_LENGTH],
        "prefix": prefix,
        "name": name,
        "enabled": sql.boolean(True),
    }
    for role, value in optional.items():
        if r(role) and value is not None:
            row[r(role)] = value
    now = datetime.now(UTC)
    for role in ("created", "updated"):
        if r(role):
            row[r(role)] = sql.time(now, _type(table, r(role)))
    if expires_in is not None and r("expires"):
        row[r("expires")] = sql.time(now + timedelta(seconds=expires_in), _type(table, r("expires")))
    names = list(row)
    text = (
        f"INSERT INTO {sql.q(table.name)} ({', '.join(sql.q(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)}) RETURNING {sql.q(r('id'))}"
    )
    (created,) = await tx.rows(sql.render(text), [row[n] for n in names])
    out = {"id": str(created[0]), "key": plain, "start": plain[:START_LENGTH], "prefix": prefix, "name": name}
    return {**out, **{k: v for k, v in scoped.items()}}


async def _scope_columns(
    tx: Any, sql: Sql, body: dict[str, Any], owner: Any, scope: tuple[KeyScope, TenantRoot] | None, system: bool
) -> dict[str, Any]:
    """The tenant (and role, and project) columns of a tenant-scoped key, checked: {} for a key that acts as
    its owner. A key for a project takes the project's tenant; naming another tenant beside it is refused."""
    if scope is None:
        return {}
    key, root = scope
    project = body.get(key.project[0]) if key.project else None
    if body.get(key.tenant_column) is None and project is None:
        return {}
    tenant, held = body.get(key.tenant_column), None
    if project is not None:
        tenant, held = await _project_tenant(tx, sql, key, root, project, tenant, owner, system)
    if not isinstance(tenant, str | int) or isinstance(tenant, bool):
        raise bad_argument(f"{key.tenant_column} must name one {root.table} row")
    role = body.get("role", key.default_role)
    if role not in [x.name for x in root.roles]:
        raise bad_argument(f"role must be one of {', '.join(x.name for x in root.roles)} (the roles of {root.table})")
    if key.role_column is None and role != key.default_role:
        raise bad_argument(f"{key.table} has no role column: its tenant keys act as {key.default_role}")
    if not system:
        held = held or await _held_role(tx, sql, root, tenant, owner)  # a project's tenant was asked already
        admin = set(root.names_at_least("admin"))
        if held not in admin:
            raise ConventionError(
                403,
                "42501",
                f"permission denied for {root.table} {tenant}: only its admins create API keys for it",
                f"rule: creating a key scoped to {root.table} takes one of {', '.join(root.names_at_least('admin'))}",
            )
        if (role_rank(root, role) or 0) > (role_rank(root, held) or 0):
            raise ConventionError(
                403, "42501", f"an API key cannot hold a role above yours ({held}) in {root.table}", None, None
            )
    out = {key.tenant_column: tenant}
    if key.role_column:
        out[key.role_column] = role
    if project is not None and key.project:
        out[key.project[0]] = project
    return out


async def _project_tenant(
    tx: Any, sql: Sql, key: KeyScope, root: TenantRoot, project: Any, named: Any, owner: Any, system: bool
) -> tuple[Any, str | None]:
    """The tenant of the project a key is made for, and the role the creator holds there (None for
    service_role). A user who is no admin of it learns nothing more about
    the project than a 403 (whether it exists or not); service_role is told."""
    assert key.project is not None
    column, table, pk, tenant_column = key.project
    if not isinstance(project, str | int) or isinstance(project, bool):
        raise bad_argument(f"{column} must name one {table} row")
    q = sql.q
    rows = await tx.rows(sql.render(f"SELECT {q(tenant_column)} FROM {q(table)} WHERE {q(pk)} = ?"), [project])
    tenant = rows[0][0] if rows else None
    tenant = str(tenant) if isinstance(tenant, uuid.UUID) else tenant  # PostgreSQL's driver answers a UUID
    held = None if system or tenant is None else await _held_role(tx, sql, root, tenant, owner)
    if not system and held not in root.names_at_least("admin"):
        raise ConventionError(
            403,
            "42501",
            f"permission denied for {table} {project}: only the admins of its {root.table} create API keys for it",
            f"rule: creating a key scoped to {table} takes one of {', '.join(root.names_at_least('admin'))}",
        )
    if tenant is None:
        raise bad_argument(f"{column}: no {table} row {project}")
    if named is not None and str(named) != str(tenant):
        raise bad_argument(f"{column} names a {table} row of another {root.table} than {key.tenant_column}")
    return tenant, held


async def _held_role(tx: Any, sql: Sql, root: TenantRoot, tenant: Any, user: Any) -> str | None:
    """The role ``user`` holds in ``tenant`` (its name), or None when they are no member."""
    q = sql.q
    if not root.role_column:
        return None
    role = f"m.{q(root.role_column)}"
    join = ""
    if root.role_lookup:
        lt, lk, ln = root.role_lookup
        join = f" JOIN {q(lt)} r ON r.{q(lk)} = m.{q(root.role_column)}"
        role = f"r.{q(ln)}"
    text = (
        f"SELECT {role} FROM {q(root.membership)} m{join} "
        f"WHERE m.{q(root.member_tenant)} = ? AND m.{q(root.member_user)} = ?"
    )
    rows = await tx.rows(sql.render(text), [tenant, user])
    return str(rows[0][0]) if rows else None


def _type(table: Table, name: str | None) -> str | None:
    column = table.column(name) if name else None
    return column.type if column else None


async def authenticate(
    tx: Any, sql: Sql, table: Table, a: Applied, token: str, scope: KeyScope | None = None
) -> dict[str, Any]:
    """Claims ``{"role": "authenticated", "sub": owner}`` for a live key (a tenant-scoped key: ``sub``
    ``apikey:<id>`` and its tenant, see docbase.access.grants); 401 or 429 otherwise (limits updated)."""
    r = a.role
    q = sql.q
    wanted = [
        n
        for n in (
            r("id"),
            r("owner"),
            r("enabled"),
            r("expires"),
            r("limit_enabled"),
            r("window"),
            r("limit"),
            r("count"),
            r("remaining"),
            r("last"),
        )
        if n
    ]
    text = f"SELECT {', '.join(q(n) for n in wanted)} FROM {q(table.name)} WHERE {q(r('key'))} = ?"
    rows = await tx.rows(sql.render(text + (" FOR UPDATE" if sql.pg else "")), [hashed_tokens.digest(token)])
    if not rows:
        raise _unauthorized("Invalid API key")
    row = dict(zip(wanted, rows[0], strict=True))
    tenant = project = None
    if scope is not None:
        columns = [scope.tenant_column] + ([scope.project[0]] if scope.project else [])
        found = await tx.rows(
            sql.render(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table.name)} WHERE {q(r('id'))} = ?"),
            [row[r("id")]],
        )
        tenant = found[0][0] if found else None
        project = found[0][1] if found and scope.project else None
    now = datetime.now(UTC)
    if r("enabled") and row[r("enabled")] in (False, 0):
        raise _unauthorized("API key is disabled")
    expires = as_datetime(row.get(r("expires") or "")) if r("expires") else None
    if expires is not None and expires <= now:
        raise _unauthorized("API key has expired")
    sets: dict[str, Any] = {}
    remaining = _number(row.get(r("remaining") or "")) if r("remaining") else None
    if remaining is not None:
        if remaining <= 0:
            raise ConventionError(429, "PGRST429", "API key has no requests remaining")
        sets[r("remaining")] = _out(table, r("remaining"), remaining - 1)
    count = _number(row.get(r("count") or "")) or 0
    last = as_datetime(row.get(r("last") or "")) if r("last") else None
    window, limit = _number(row.get(r("window") or "")), _number(row.get(r("limit") or ""))
    limited = r("limit_enabled") and row[r("limit_enabled")] in (True, 1) and window and limit
    in_window = bool(limited and last is not None and (now - last) < timedelta(milliseconds=window))
    if limited and in_window and count >= limit:
        raise ConventionError(
            429, "PGRST429", "API key rate limit reached", None, f"At most {limit} requests per {window} ms."
        )
    if r("count"):
        sets[r("count")] = _out(table, r("count"), count + 1 if (in_window or not limited) else 1)
    if r("last"):
        sets[r("last")] = sql.time(now, _type(table, r("last")))
    if sets:
        assignments = ", ".join(f"{q(n)} = ?" for n in sets)
        await tx.rows(
            sql.render(f"UPDATE {q(table.name)} SET {assignments} WHERE {q(r('id'))} = ?"),
            [*sets.values(), row[r("id")]],
        )
    if tenant is not None:  # a key scoped to a tenant acts as that tenant, not as whoever created it
        return {
            "role": "authenticated",
            "sub": KEY_SUB + str(row[r("id")]),
            KEY_CLAIM: str(row[r("id")]),
            KEY_CREATOR: str(row[r("owner")]),
            KEY_TENANT: str(tenant),
            **({KEY_PROJECT: str(project)} if project is not None else {}),
        }
    return {"role": "authenticated", "sub": str(row[r("owner")]), KEY_CLAIM: str(row[r("id")])}
