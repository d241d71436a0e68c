"""``/rest/v1/rpc/<name>``: the functions conventions provide, found by name.

``claim_<table>``, ``complete_<table>`` and ``fail_<table>`` for job queues
(service_role only: workers are back-end processes); ``match_<table>`` for
vector columns (service_role only until row-level access reaches the API,
so a caller never sees rows it could not read). Each call runs in
one transaction on the API's driver; results are plain JSON (the claimed
row, or null when nothing is due, as a PostgREST function returning a
nullable row would).
"""

from __future__ import annotations

from typing import Any

from . import api_key_sql, api_keys, hashed_tokens, invitations, invite_sql, job_queue, queue_sql, vector_sql, vectors
from .errors import ConventionError, bad_argument
from .runtime import Conventions


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
    return out


async def call(
    conventions: Conventions, db: Any, name: str, body: Any, role: str, claims: dict[str, Any] | None = None
) -> Any:
    """The result of RPC ``name``; ConventionError (404 unknown function, 400 bad arguments, 403...) otherwise."""
    if not isinstance(body, dict):
        raise bad_argument("RPC arguments are one JSON object")
    if name in ("accept_invitation", "decline_invitation") and name in names(conventions):
        return await _invitation(conventions, db, body, claims or {"role": role}, name.startswith("accept"))
    if name == "create_api_key" and name in names(conventions):
        return await _create_key(conventions, db, body, claims or {"role": role})
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
    if role != "service_role":
        raise ConventionError(401 if role == "anon" else 403, "42501", f"permission denied for function {name}")
    table = conventions.schema.table(table_name)
    assert table is not None
    sql = conventions.sql
    if near is not None:
        args = vector_sql.parse_args(body, table, near)
        async with db.transaction() as tx:
            return await vector_sql.match(tx, sql, table, near, args)
    assert queue is not None
    async with db.transaction() as tx:
        if verb == "claim":
            return await queue_sql.claim(tx, sql, table, queue)
        if verb == "complete":
            return await queue_sql.complete(tx, sql, table, queue, body)
        return await queue_sql.fail(tx, sql, table, queue, body)


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
    elif claims.get("role") == "authenticated" and claims.get("sub"):
        owner = claims["sub"]
    else:
        raise ConventionError(401, "42501", "sign in to create an API key")
    table = conventions.schema.table(a.table)
    assert table is not None
    async with db.transaction() as tx:
        return await api_key_sql.create(tx, conventions.sql, table, a, body, owner)
