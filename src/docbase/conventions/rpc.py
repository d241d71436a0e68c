"""``/rest/v1/rpc/<name>``: the functions conventions provide, found by name.

Every function decides who may call it, as a GET would:

- ``match_<table>`` (vector search) is a read: whoever may SELECT the table
  may call it, and gets only the rows they could read. ``scope`` (the API's
  access gate for this request, see ``RpcScope``) runs the transaction as
  the caller's role with its claims on PostgreSQL (row-level security
  decides) and gives the read predicate to AND in on SQLite; hidden columns
  are left out, secrets masked and soft-deleted rows skipped, as by GET.
- ``accept_invitation`` / ``decline_invitation``: the signed-in invitee only
  (the token's email must be the invited one). They run as the system,
  since the invitee is not yet a member and could not add their own
  membership row under row-level security; the checks are in ``invite_sql``.
- ``create_api_key``: the signed-in user, for themself (service_role names
  the owner). A request made *with* an API key may not mint more keys, so a
  leaked key cannot outlive its revocation through keys it made.
- ``post_<entry>`` (ledgers, docbase.rules.ledgers): service_role posts any
  amount; a member of the owner (one who may read its row) spends, i.e.
  posts a negative amount. The posting itself runs as the system, in
  ``ledger_sql``, since the ledger and the balance are written by nobody else.
- ``claim_<table>``, ``complete_<table>``, ``fail_<table>`` (job queues):
  service_role only. Workers are back-end processes holding the service
  key; a claim locks and changes a row no tenant rule was written for, and
  letting a browser claim jobs would let it starve or steal every tenant's
  queue.

Each call runs in one transaction on the API's driver; results are plain
JSON (the claimed row, or null when nothing is due, as a PostgREST function
returning a nullable row would).
"""

from __future__ import annotations

from typing import Any, Protocol

from ..access.grants import KEY_CLAIM
from ..rules.ledgers import Ledger
from . import (
    api_key_sql,
    api_keys,
    hashed_tokens,
    invitations,
    invite_sql,
    job_queue,
    ledger_sql,
    queue_sql,
    quota_sql,
    rbac_sql,
    vector_sql,
    vectors,
)
from .errors import ConventionError, bad_argument
from .runtime import Conventions


class RpcScope(Protocol):
    """What an RPC needs from the API's access gate for one request (docbase.api.rpc_access builds it)."""

    role: str

    def require(self, table: str, command: str) -> None:
        """Raise the API's 401/403 when the caller may not run ``command`` on ``table`` at all."""

    async def begin(self, tx: Any) -> None:
        """PostgreSQL: switch ``tx`` to the caller's role and claims, so row-level security applies."""

    def read_filter(self, table: str, alias: str) -> tuple[str, list[Any]] | None:
        """SQLite: the rows of ``table`` (as ``alias``) the caller may read, as SQL text with ``?`` values."""

    def hidden(self, table: str) -> frozenset[str]:
        """Columns the caller may not see."""


def names(conventions: Conventions) -> list[str]:
    out = []
    for a in conventions.applied:
        if a.convention == job_queue.NAME:
            out += [f"claim_{a.table}", f"complete_{a.table}", f"fail_{a.table}"]
        elif a.convention == vectors.NAME:
            out.append(f"match_{a.table}")
        elif a.convention == api_keys.NAME and "create_api_key" not in out:
            out.append("create_api_key")
        elif a.convention == invitations.NAME and "accept_invitation" not in out:
            out += ["accept_invitation", "decline_invitation"]
    out += [ledger.rpc for ledger in conventions.ledgers]
    if conventions.quotas:
        out.append("usage")
    if conventions.rbac is not None:
        out += ["has_permission", "my_permissions"]
    return out


async def call(
    conventions: Conventions,
    db: Any,
    name: str,
    body: Any,
    role: str,
    claims: dict[str, Any] | None = None,
    scope: RpcScope | None = None,
) -> Any:
    """The result of RPC ``name``; ConventionError (404 unknown function, 400 bad arguments, 403...) otherwise.

    Without ``scope`` (no access gate) only service_role may search vectors.
    """
    if not isinstance(body, dict):
        raise bad_argument("RPC arguments are one JSON object")
    if name in ("accept_invitation", "decline_invitation") and name in names(conventions):
        return await _invitation(conventions, db, body, claims or {"role": role}, name.startswith("accept"))
    if name == "create_api_key" and name in names(conventions):
        return await _create_key(conventions, db, body, claims or {"role": role})
    ledger = next((found for found in conventions.ledgers if found.rpc == name), None)
    if ledger is not None:
        return await _post(conventions, db, ledger, body, role, scope)
    if name == "usage" and name in names(conventions):
        return await _usage(conventions, db, body, role, scope)
    if name in ("has_permission", "my_permissions") and name in names(conventions):
        return await _permissions(conventions, db, body, claims or {"role": role}, name == "has_permission")
    verb, _, table_name = name.partition("_")
    queue = conventions.get(job_queue.NAME, table_name) if verb in ("claim", "complete", "fail") else None
    near = conventions.get(vectors.NAME, table_name) if verb == "match" else None
    if queue is None and near is None:
        raise ConventionError(
            404,
            "PGRST202",
            f"Could not find the function public.{name} in the schema cache",
            None,
            ("Functions here: " + ", ".join(names(conventions))) if names(conventions) else None,
        )
    table = conventions.schema.table(table_name)
    assert table is not None
    sql = conventions.sql
    if near is not None and role != "service_role" and scope is not None:
        scope.require(table.name, "select")
    elif role != "service_role":
        raise ConventionError(401 if role == "anon" else 403, "42501", f"permission denied for function {name}")
    if near is not None:
        args = vector_sql.parse_args(body, table, near)
        hidden = scope.hidden(table.name) if scope is not None else frozenset()
        if hidden & set(args["filters"]):
            raise ConventionError(403, "42501", f"permission denied for table {table.name}")
        where = _visible(conventions, table.name, scope)
        async with db.transaction(readonly=True) as tx:
            if scope is not None:
                await scope.begin(tx)
            found = await vector_sql.match(tx, sql, table, near, args, where, hidden)
        return conventions.present(table.name, found, role)
    assert queue is not None
    async with db.transaction() as tx:
        if verb == "claim":
            return await queue_sql.claim(tx, sql, table, queue)
        if verb == "complete":
            return await queue_sql.complete(tx, sql, table, queue, body)
        return await queue_sql.fail(tx, sql, table, queue, body)


def _visible(conventions: Conventions, table: str, scope: RpcScope | None) -> list[tuple[str, list[Any]]]:
    """Conditions on ``t`` a search adds: the access layer's row filter, as a GET's (soft-deleted rows out on
    both databases, and on SQLite the caller's read predicate). Without a scope there is no access layer."""
    found = scope.read_filter(table, "t") if scope is not None else None
    return [found] if found is not None else []


async def _permissions(
    conventions: Conventions, db: Any, body: dict[str, Any], claims: dict[str, Any], ask: bool
) -> Any:
    """``has_permission`` (true or false) or ``my_permissions`` (the list), from the document's RBAC tables."""
    rbac = conventions.rbac
    assert rbac is not None
    user = rbac_sql.subject(body, claims)
    tenant = rbac_sql.scalar(body, rbac.assignment_tenant or "organization_id")
    wanted = body.get("permission")
    if ask and (not isinstance(wanted, str) or not wanted.strip()):
        raise bad_argument('name the permission: {"permission": "projects:update"} or its name')
    async with db.transaction(readonly=True) as tx:
        held = await rbac_sql.permissions(tx, conventions.sql, rbac, user, tenant)
    if not ask:
        return held
    same = rbac_sql.same_resource(conventions.schema, conventions.toml, rbac_sql.permission_parts(wanted)[0])
    return rbac_sql.holds(rbac, held, wanted, same)


async def _usage(conventions: Conventions, db: Any, body: dict[str, Any], role: str, scope: RpcScope | None) -> Any:
    """``rpc/usage``: a tenant's count of each limited thing against its plan's limit (docbase.rules.quotas)."""
    quotas = conventions.quotas
    tenant_table = quotas[0].tenant_table
    given = [k for k in body if k in {q.tenant_column for q in quotas} or k in ("tenant", "id")]
    if len(given) != 1 or isinstance(body[given[0]], dict | list | bool) or body[given[0]] is None:
        names_ = sorted({q.tenant_column for q in quotas})
        raise bad_argument(f"name the {tenant_table} whose usage to report: {{{names_[0]!r}: ...}}")
    tenant = body[given[0]]
    if role != "service_role" and not await _can_read(
        conventions, db, scope, tenant_table, quotas[0].tenant_key, tenant
    ):
        raise ConventionError(401 if role == "anon" else 403, "42501", f"permission denied for {tenant_table} {tenant}")
    async with db.transaction(readonly=True) as tx:
        return await quota_sql.usage(tx, conventions.sql, quotas, tenant)


async def _can_read(
    conventions: Conventions, db: Any, scope: RpcScope | None, table: str, key: str, value: Any
) -> bool:
    """Whether the caller may read ``table``'s row ``key = value``, judged as a GET of it would be."""
    if scope is None:
        return False
    sql = conventions.sql
    scope.require(table, "select")
    text = f"SELECT 1 FROM {sql.q(table)} t WHERE t.{sql.q(key)} = ?"
    params: list[Any] = [value]
    found = scope.read_filter(table, "t")
    if found is not None:
        text += f" AND ({found[0]})"
        params += found[1]
    async with db.transaction(readonly=True) as tx:
        await scope.begin(tx)
        return bool(await tx.rows(sql.render(text), params))


async def _post(
    conventions: Conventions, db: Any, ledger: Ledger, body: dict[str, Any], role: str, scope: RpcScope | None
) -> Any:
    """One ledger posting; members are checked against the owner's row as a GET of it would be."""
    sql = conventions.sql
    if role not in ("service_role", "authenticated"):
        raise ConventionError(401, "42501", f"permission denied for function {ledger.rpc}")
    owner, amount = ledger_sql.arguments(conventions.schema, ledger, body)
    if role != "service_role":
        if amount > 0:
            raise ledger_sql.refuse_credit(ledger)
        if not await _can_read(conventions, db, scope, ledger.owner_table, ledger.owner_key, owner):
            raise ConventionError(403, "42501", f"permission denied for {ledger.owner_table} {owner}")
    async with db.transaction() as tx:
        row = await ledger_sql.post(tx, sql, conventions.schema, ledger, body)
    return conventions.present(ledger.table, [row], role)[0]


async def _invitation(
    conventions: Conventions, db: Any, body: dict[str, Any], claims: dict[str, Any], accept: bool
) -> Any:
    """The invitation table that holds the token: one per document in practice; the first that knows it wins."""
    tables = [a for a in conventions.applied if a.convention == invitations.NAME]
    last: ConventionError | None = None
    for a in tables:
        hashed = conventions.get(hashed_tokens.NAME, a.table) is not None and a.role("token") != a.role("key")
        try:
            async with db.transaction() as tx:
                return await invite_sql.respond(
                    tx, conventions.sql, conventions.schema, a, body, claims, accept, hashed
                )
        except ConventionError as exc:
            if exc.status != 404:
                raise
            last = exc
    assert last is not None
    raise last


async def _create_key(conventions: Conventions, db: Any, body: dict[str, Any], claims: dict[str, Any]) -> Any:
    """A new key for the signed-in user (or, for service_role, for ``user_id``); the plaintext is in this answer only."""
    a = next(a for a in conventions.applied if a.convention == api_keys.NAME)
    if claims.get("role") == "service_role":
        owner = body.get("user_id")
        if not isinstance(owner, str | int) or isinstance(owner, bool):
            raise bad_argument('service_role names the key\'s owner: {"user_id": ...}')
    elif claims.get("role") == "authenticated" and claims.get(KEY_CLAIM):
        raise ConventionError(403, "42501", "an API key cannot create API keys", None, "Sign in to create one.")
    elif claims.get("role") == "authenticated" and claims.get("sub"):
        owner = claims["sub"]
    else:
        raise ConventionError(401, "42501", "sign in to create an API key")
    table = conventions.schema.table(a.table)
    assert table is not None
    scope = conventions.key_scopes.get(a.table)
    system = claims.get("role") == "service_role"
    async with db.transaction() as tx:
        return await api_key_sql.create(tx, conventions.sql, table, a, body, owner, scope, system)


def describe(conventions: Conventions) -> list[dict[str, Any]]:
    """Each RPC ``names`` lists, as ``{"name", "summary", "parameters": {name: description}, "required"}``,
    for the OpenAPI document (docbase.api.openapi)."""
    out: list[dict[str, Any]] = []
    for ledger in conventions.ledgers:
        out.append({
            "name": ledger.rpc,
            "summary": f"Post one {ledger.table} entry: moves {ledger.owner_table}.{ledger.balance} and writes "
            f"{ledger.balance_after} in one transaction (docs/rules.md)",
            "parameters": {
                ledger.owner_column: f"the {ledger.owner_table} whose balance moves",
                ledger.amount: "signed amount; signed-in members may only spend (negative)",
            },
            "required": [ledger.owner_column, ledger.amount],
            "more": True,
        })  # fmt: skip
    if conventions.quotas:
        tenants = sorted({q.tenant_column for q in conventions.quotas})
        out.append({
            "name": "usage",
            "summary": "Rows counted against the tenant's plan limits: used, allowed (null: unlimited), remaining",
            "parameters": {c: "the tenant" for c in tenants},
            "required": tenants[:1],
            "more": False,
        })  # fmt: skip
    rbac = conventions.rbac
    if rbac is not None:
        tenant = rbac.assignment_tenant or "organization_id"
        ask = {
            tenant: "the tenant (omitted: roles assigned without one only)",
            "user_id": "service_role only: whose permissions",
        }
        out.append({
            "name": "has_permission",
            "summary": f"Whether the caller holds a permission ('resource:action' or a {rbac.permissions} name), "
            f"from {rbac.assignments} -> {rbac.grants} -> {rbac.permissions}",
            "parameters": {"permission": "'projects:update', 'projects.read' or a permission's name", **ask},
            "required": ["permission"],
            "more": False,
        })  # fmt: skip
        out.append({
            "name": "my_permissions",
            "summary": f"The {rbac.permissions} the caller holds in the tenant, each once",
            "parameters": ask,
            "required": [],
            "more": False,
        })  # fmt: skip
    described = {d["name"] for d in out}
    for name in names(conventions):
        if name not in described:
            out.append(
                {
                    "name": name,
                    "summary": f"rpc/{name} (docs/conventions.md)",
                    "parameters": {},
                    "required": [],
                    "more": True,
                }
            )
    return out
