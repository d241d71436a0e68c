"""The state every storage route shares, and the row-level steps they are made of.

One :class:`Storage` per app: the :class:`docbase.db.core.Engine` (the same URL as the API), the blob
store, the JWT secret, the access rules and the tenancy adapter. Handlers in
:mod:`.buckets`, :mod:`.objects` and :mod:`.transfer` parse a request, call these
steps, and shape the answer; every refusal is a :class:`StorageError`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.requests import Request

from ..auth import keys
from ..auth.bearer import bearer_token
from ..auth.third_party_users import Unlinked
from ..db.core import Connection, Engine
from .errors import StorageError, no_bucket, unauthorized
from .rules import Caller, StorageRules, needs_tenants
from .store import Store
from .tables import StorageTables, create_storage_tables, storage_tables
from .tenancy import Tenancy

log = logging.getLogger("docbase.storage")
SWEEP_AGE = 24 * 3600  # seconds; the resumable upload expiry too
MAX_JSON = 64 * 1024
MAX_JSON_DEPTH = 32


def now() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back what it stored, without the zone: always UTC here
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Storage:
    def __init__(
        self,
        engine: Engine,
        store: Store,
        secret: str,
        rules: StorageRules,
        tenancy: Tenancy,
        max_file_bytes: int,
        files_bucket: str | None = None,
        error_mode: str = "storage",
        users: Any = None,
    ) -> None:
        self.users = users  # docbase.auth.third_party_users: an outside sub -> the document's users row
        self.engine = engine
        self.store = store
        self.secret = secret
        self.rules = rules
        self.tenancy = tenancy
        self.max_file_bytes = max_file_bytes
        self.files_bucket = files_bucket  # made at start when the document has file columns
        self.error_mode = error_mode  # storage_error_status: the wire status of a refusal
        self.t: StorageTables = storage_tables(engine.dialect.name)
        self._ready = False
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        """Create the storage tables once per process, on first use (as the auth tables are)."""
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await self.store.prepare()
                await self.engine.run_sync(create_storage_tables)
                async with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        await self._policies(conn)
                    await self._tenant_triggers(conn)
                    if self.files_bucket:
                        await self._make_files_bucket(conn, self.files_bucket)
                await self._sweep()
                self._ready = True

    async def _sweep(self) -> None:
        """Forget resumable uploads past their expiry and files a crash left in tmp/ (a day old: never live)."""
        u = self.t.uploads
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(u).where(u.c.created_at < now() - timedelta(seconds=SWEEP_AGE)))
            live = {r.id for r in await conn.execute(sa.select(u.c.id))}
        gone = await asyncio.to_thread(self.store.sweep, SWEEP_AGE, live)
        if gone:
            log.warning("storage: removed %d leftover temporary file(s) from %s", gone, self.store.where)
        await self._sweep_blobs()

    async def _sweep_blobs(self) -> None:
        """Remove blobs no object row names (their rows went with a deleted tenant, or a crash came between
        the rename and the commit), a day old at least; one blob folder (1/256 of the rows) at a time."""
        o, removed = self.t.objects, 0
        for prefix, names in await asyncio.to_thread(self.store.old_blobs, SWEEP_AGE):
            async with self.engine.connect() as conn:
                rows = await conn.execute(sa.select(o.c.version).where(o.c.version.like(f"{prefix}%")))
                named = {r.version for r in rows}
            orphans = [n for n in names if n not in named]
            await self.store.delete(orphans)
            removed += len(orphans)
        if removed:
            log.warning("storage: removed %d file(s) no object names any more from %s", removed, self.store.where)

    async def _make_files_bucket(self, conn: Connection, bucket_id: str) -> None:
        """The private bucket the console uploads file columns into (docbase.conventions.files), if missing."""
        b = self.t.buckets
        if (await conn.execute(sa.select(b.c.id).where(b.c.id == bucket_id))).first() is not None:
            return
        at = now()
        row = {"id": bucket_id, "name": bucket_id, "public": False, "created_at": at, "updated_at": at}
        try:
            async with conn.begin_nested():
                await conn.execute(sa.insert(b).values(row))
        except sa.exc.IntegrityError:  # another process made it meanwhile
            return
        log.info("storage: made the private bucket %r for the document's file columns", bucket_id)

    async def _tenant_triggers(self, conn: Connection) -> None:
        """Install (or drop) the triggers that remove a deleted tenant's objects (docbase.storage.tenant_delete)."""
        from .tenant_delete import postgresql_sql, sqlite_sql

        roots, mode = self.tenancy.roots, self.rules.on_tenant_delete
        pg = conn.dialect.name == "postgresql"
        statements = postgresql_sql(roots, mode) if pg else sqlite_sql(roots, mode)
        try:
            async with conn.begin_nested():
                for statement in statements:
                    await conn.execute(sa.text(statement))
        except sa.exc.DBAPIError as exc:  # e.g. the tenant table is not migrated yet: say so, serve the rest
            log.warning("storage: tenant deletion triggers not installed: %s", str(exc.orig)[:300])

    async def _policies(self, conn: Connection) -> None:
        """Row-level security on storage.objects/buckets (docbase.storage.pg_policies); one process at a time."""
        from .pg_policies import policies_sql

        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('docbase storage policies'))"))
        try:
            async with conn.begin_nested():
                for statement in policies_sql(self.tenancy.roots, self.rules):
                    await conn.execute(sa.text(statement))
        except sa.exc.DBAPIError as exc:  # e.g. no anon/authenticated roles: the routes still decide, say so
            log.warning("storage: row-level security on storage.objects not applied: %s", str(exc.orig)[:300])

    # --- who is asking -------------------------------------------------------------------------

    async def caller(self, request: Request) -> Caller:
        """The verified role (Bearer first, else ``apikey``); 401 for a missing or untrustworthy token.

        An outside issuer's token acts as the document's users row (docbase.auth.third_party_users), as on
        /rest/v1; 403 when that row does not exist and may not be made."""
        apikey = request.headers.get("apikey") or request.query_params.get("apikey")
        authorization = request.headers.get("authorization")
        bearer = bearer_token(authorization)
        if authorization and bearer is None:
            raise unauthorized("Authorization header must be 'Bearer <token>'")
        token = bearer or apikey
        if not token:
            raise unauthorized("headers must have required property 'authorization'")
        try:
            claims = keys.verify(token, self.secret)
        except keys.TokenError as exc:
            raise StorageError(401, "InvalidJWT", exc.message) from None
        if self.users is not None:
            try:
                claims = await self.users.claims(claims)
            except Unlinked as exc:
                raise StorageError(403, "Unauthorized", f"{exc.message}: {exc.detail}") from None
        sub = claims.get("sub")
        return Caller(str(claims["role"]), str(sub) if isinstance(sub, (str, int)) and sub != "" else None)

    async def with_tenants(self, conn: Connection, caller: Caller, bucket: str, action: str) -> Caller:
        """The caller with its tenant memberships loaded, when the bucket's rule needs them."""
        if caller.tenants is not None or not needs_tenants(caller, self.rules.rule(bucket), action):
            return caller
        assert caller.user is not None
        return replace(caller, tenants=await self.tenancy.tenants(conn, caller.user))

    # --- rows ---------------------------------------------------------------------------------

    async def bucket(self, conn: Connection, bucket_id: str) -> sa.Row:
        row = (await conn.execute(sa.select(self.t.buckets).where(self.t.buckets.c.id == bucket_id))).first()
        if row is None:
            raise no_bucket()
        return row

    async def object(self, conn: Connection, bucket_id: str, name: str) -> sa.Row | None:
        o = self.t.objects
        query = sa.select(o).where(o.c.bucket_id == bucket_id, o.c.name == name)
        return (await conn.execute(query)).first()

    def limit_of(self, bucket: sa.Row) -> int:
        limit = bucket.file_size_limit
        return min(int(limit), self.max_file_bytes) if limit else self.max_file_bytes

    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()


def bucket_json(row: sa.Row) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "owner": str(row.owner) if row.owner else "",
        "owner_id": row.owner_id,
        "public": bool(row.public),
        "type": row.type,
        "file_size_limit": row.file_size_limit,
        "allowed_mime_types": list(row.allowed_mime_types) if row.allowed_mime_types is not None else None,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def object_json(row: sa.Row) -> dict[str, Any]:
    """An object as Supabase's list and remove answers show it."""
    return {
        "name": row.name,
        "bucket_id": row.bucket_id,
        "owner": str(row.owner) if row.owner else None,
        "owner_id": row.owner_id,
        "id": str(row.id),
        "version": row.version,
        "updated_at": iso(row.updated_at),
        "created_at": iso(row.created_at),
        "last_accessed_at": iso(row.last_accessed_at),
        "metadata": row.metadata,
        "user_metadata": row.user_metadata,
    }


async def read_json(request: Request) -> dict[str, Any]:
    """A small JSON object body (64 kB, 32 levels at most); 400/413 otherwise, never a 500."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 12 or int(declared) > MAX_JSON):
        raise StorageError(413, "Payload too large", f"JSON body larger than {MAX_JSON} bytes", close=True)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON:
            raise StorageError(413, "Payload too large", f"JSON body larger than {MAX_JSON} bytes", close=True)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise StorageError(400, "InvalidRequest", "Body is not valid JSON") from None
    if not isinstance(body, dict):
        raise StorageError(400, "InvalidRequest", "Body must be a JSON object")
    check_depth(body)
    return body


def check_depth(value: Any, depth: int = 0) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (it is stored and sent back; orjson encodes 255 at most)."""
    if depth > MAX_JSON_DEPTH:
        raise StorageError(400, "InvalidRequest", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, dict):
        for v in value.values():
            check_depth(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            check_depth(v, depth + 1)
