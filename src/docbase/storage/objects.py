"""Object operations other than the byte transfer: list, info, move, copy, remove, signed URLs.

Every step decides access per object name with docbase.storage.rules: a read that is
not allowed looks exactly like a missing object (404), a write that is not allowed is
a 403. Move and copy need the right on both names, so nobody moves or copies an
object into (or out of) another tenant's folder. A signed URL is made only for an
object the caller may read, and opens only that object.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import names, tokens
from .errors import StorageError, denied, duplicate, no_object
from .rules import Caller, allowed
from .service import Storage, iso, now, object_json, read_json
from .transfer import mime_allowed, readable, store_object

MAX_LIST = 1000
MAX_PATHS = 1000
SORT_COLUMNS = ("name", "updated_at", "created_at", "last_accessed_at")
SIGN_MISSING = "Either the object does not exist or you do not have access to it"


def _int(value: Any, default: int, low: int, high: int, what: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise StorageError(400, "InvalidRequest", f"{what} must be a whole number from {low} to {high}")
    return value


class ObjectRoutes:
    def __init__(self, storage: Storage) -> None:
        self.s = storage

    async def _may(self, conn, caller: Caller, bucket: sa.Row, key: str, action: str) -> bool:
        caller = await self.s.with_tenants(conn, caller, bucket.id, action)
        return allowed(caller, self.s.rules.rule(bucket.id), bool(bucket.public), key, action)

    # --- list ----------------------------------------------------------------------------------

    async def list(self, request: Request) -> Response:
        """Supabase's ``search``: the files and folders directly under ``prefix``, folders with ``id`` null."""
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        body = await read_json(request)
        prefix = names.prefix(body.get("prefix"))
        limit = _int(body.get("limit"), 100, 1, MAX_LIST, "limit")
        offset = _int(body.get("offset"), 0, 0, 1_000_000, "offset")
        sort = body.get("sortBy") or {}
        if not isinstance(sort, dict):
            raise StorageError(400, "InvalidRequest", "sortBy must be an object")
        column = sort.get("column", "name")
        order = str(sort.get("order", "asc")).lower()
        if column not in SORT_COLUMNS or order not in ("asc", "desc"):
            raise StorageError(400, "InvalidRequest", f"sortBy.column must be one of {', '.join(SORT_COLUMNS)}")
        search = body.get("search") or ""
        if not isinstance(search, str) or len(search) > 1024 or "\x00" in search:
            raise StorageError(400, "InvalidRequest", "search must be a string")
        await self.s.ready()
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
            probe = (prefix or "") + "x"  # a name inside the listed folder decides who may list it
            if not await self._may(conn, caller, bucket, probe, "read"):
                if caller.role == "anon" or not prefix:
                    return JSONResponse(await self._root_entries(conn, caller, bucket, limit, offset, search))
                return JSONResponse([])
            rows = await self._entries(conn, bucket_id, prefix, search, column, order, limit, offset)
        return JSONResponse(rows)

    async def _root_entries(self, conn, caller, bucket, limit, offset, search) -> list[dict[str, Any]]:
        """At the bucket's root a prefix-scoped caller sees only the folders it may read (its own, its tenants')."""
        if caller.user is None:
            return []
        caller = await self.s.with_tenants(conn, caller, bucket.id, "read")
        mine = [caller.user, *(caller.tenants or {})]
        found = []
        o = self.s.t.objects
        for head in sorted(set(mine)):
            if search and not head.lower().startswith(search.lower()):
                continue
            if not allowed(caller, self.s.rules.rule(bucket.id), False, head + "/x", "read"):
                continue
            inside = sa.select(o.c.id).where(
                o.c.bucket_id == bucket.id, o.c.name.startswith(head + "/", autoescape=True)
            )
            if (await conn.execute(inside.limit(1))).first() is not None:
                found.append({"name": head, "id": None, "updated_at": None, "created_at": None,
                              "last_accessed_at": None, "metadata": None})  # fmt: skip
        return found[offset : offset + limit]

    async def _entries(self, conn, bucket_id, prefix, search, column, order, limit, offset) -> list[dict[str, Any]]:
        o = self.s.t.objects
        n = len(prefix)
        rest = sa.func.substr(o.c.name, n + 1)
        find = sa.func.strpos if self.s.engine.dialect.name == "postgresql" else sa.func.instr
        slash = find(rest, "/")
        entry = sa.case((slash > 0, sa.func.substr(rest, 1, slash - 1)), else_=rest).label("entry")
        folder = sa.case((slash > 0, 1), else_=0).label("folder")
        where = [o.c.bucket_id == bucket_id]
        if prefix:
            where.append(sa.func.substr(o.c.name, 1, n) == prefix)
        if search:
            where.append(sa.func.lower(rest).startswith(search.lower(), autoescape=True))
        inner = sa.select(entry, folder, o.c.name, o.c.updated_at, o.c.created_at, o.c.last_accessed_at).where(*where)
        sub = inner.subquery()
        if column == "name":
            key = sub.c.entry.desc() if order == "desc" else sub.c.entry.asc()
        else:  # a folder has no timestamps (as in Supabase): it sorts after the files either way
            stamp = sa.case((sub.c.folder == 1, sa.null()), else_=sa.func.max(sub.c[column]))
            key = (stamp.desc() if order == "desc" else stamp.asc()).nulls_last()
        grouped = (
            sa.select(sub.c.entry, sub.c.folder, sa.func.min(sub.c.name).label("name"))
            .group_by(sub.c.entry, sub.c.folder)
            .order_by(key, sub.c.entry, sub.c.folder.desc())
            .limit(limit)
            .offset(offset)
        )
        picked = (await conn.execute(grouped)).all()
        files = [p.name for p in picked if not p.folder]
        details: dict[str, sa.Row] = {}
        if files:
            rows = (await conn.execute(sa.select(o).where(o.c.bucket_id == bucket_id, o.c.name.in_(files)))).all()
            details = {r.name: r for r in rows}
        out = []
        for p in picked:
            row = details.get(p.name) if not p.folder else None
            if row is None:
                out.append(
                    {
                        "name": p.entry,
                        "id": None,
                        "updated_at": None,
                        "created_at": None,
                        "last_accessed_at": None,
                        "metadata": None,
                    }  # fmt: skip
                )
            else:
                out.append(
                    {
                        "name": p.entry,
                        "id": str(row.id),
                        "updated_at": iso(row.updated_at),
                        "created_at": iso(row.created_at),
                        "last_accessed_at": iso(row.last_accessed_at),
                        "metadata": row.metadata,
                        "user_metadata": row.user_metadata,
                    }  # fmt: skip
                )
        return out

    # --- info ----------------------------------------------------------------------------------

    async def info(self, request: Request, public: bool = False) -> Response:
        caller = Caller("anon") if public else await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        key = names.object_key(request.path_params["path"])
        row = await readable(self.s, caller, bucket_id, key)
        meta = row.metadata or {}
        return JSONResponse(
            {
                "id": str(row.id),
                "name": row.name,
                "version": row.version,
                "bucket_id": row.bucket_id,
                "size": meta.get("size"),
                "content_type": meta.get("mimetype"),
                "cache_control": meta.get("cacheControl"),
                "etag": meta.get("eTag"),
                "metadata": row.user_metadata,
                "last_modified": iso(row.updated_at),
                "created_at": iso(row.created_at),
            }
        )

    # --- move and copy -------------------------------------------------------------------------

    async def _pair(self, request: Request) -> tuple[Caller, str, str, str, str, dict[str, Any]]:
        caller = await self.s.caller(request)
        body = await read_json(request)
        source_bucket = names.bucket_id(body.get("bucketId"))
        target_bucket = names.bucket_id(body.get("destinationBucket") or source_bucket)
        source = names.object_key(body.get("sourceKey"))
        target = names.object_key(body.get("destinationKey"))
        return caller, source_bucket, source, target_bucket, target, body

    async def move(self, request: Request) -> Response:
        caller, sb, source, tb, target, _ = await self._pair(request)
        await self.s.ready()
        o = self.s.t.objects
        try:
            async with self.s.engine.begin() as conn:
                src_bucket = await self.s.bucket(conn, sb)
                dst_bucket = src_bucket if tb == sb else await self.s.bucket(conn, tb)
                row = await self.s.object(conn, sb, source)
                if row is None or not await self._may(conn, caller, src_bucket, source, "read"):
                    raise no_object()
                if not await self._may(conn, caller, src_bucket, source, "write"):
                    raise denied()
                if not await self._may(conn, caller, dst_bucket, target, "write"):
                    raise denied()
                self._fits(dst_bucket, row)
                if await self.s.object(conn, tb, target) is not None:
                    raise duplicate()
                await conn.execute(
                    sa.update(o).where(o.c.id == row.id).values(bucket_id=tb, name=target, updated_at=now())
                )
        except IntegrityError:
            raise duplicate() from None
        return JSONResponse({"message": "Successfully moved", "Id": str(row.id)})

    def _fits(self, bucket: sa.Row, row: sa.Row) -> None:
        """An object moved or copied into another bucket obeys that bucket's size and type limits."""
        meta = row.metadata or {}
        if int(meta.get("size") or 0) > self.s.limit_of(bucket):
            raise StorageError(
                413,
                "Payload too large",
                f"The object exceeded the maximum allowed size of {self.s.limit_of(bucket)} bytes",
            )
        if not mime_allowed(bucket, str(meta.get("mimetype") or "application/octet-stream")):
            raise StorageError(415, "invalid_mime_type", f"mime type {meta.get('mimetype')} is not supported")

    async def copy(self, request: Request) -> Response:
        caller, sb, source, tb, target, body = await self._pair(request)
        upsert = request.headers.get("x-upsert", "").lower() == "true"
        await self.s.ready()
        o = self.s.t.objects
        async with self.s.engine.connect() as conn:
            src_bucket = await self.s.bucket(conn, sb)
            dst_bucket = src_bucket if tb == sb else await self.s.bucket(conn, tb)
            row = await self.s.object(conn, sb, source)
            if row is None or not await self._may(conn, caller, src_bucket, source, "read"):
                raise no_object()
            if not await self._may(conn, caller, dst_bucket, target, "write"):
                raise denied()
            self._fits(dst_bucket, row)
        version = await self.s.store.copy(row.version)
        at = now()
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
        values = {
            "owner_id": caller.user,
            "updated_at": at,
            "last_accessed_at": at,
            "metadata": row.metadata,
            "user_metadata": row.user_metadata if meta is None else meta,
            "version": version,
        }
        old = None
        try:
            async with self.s.engine.begin() as conn:
                existing = await self.s.object(conn, tb, target)
                if existing is not None and not upsert:
                    raise duplicate()
                if existing is not None:
                    old, new_id = existing.version, existing.id
                    await conn.execute(sa.update(o).where(o.c.id == existing.id).values(values))
                else:
                    new_id = self.s.new_id()
                    await conn.execute(
                        sa.insert(o).values(id=new_id, bucket_id=tb, name=target, created_at=at, **values)
                    )
        except BaseException as exc:
            await self.s.store.delete([version])
            if isinstance(exc, IntegrityError):
                raise duplicate() from None
            raise
        if old:
            await self.s.store.delete([old])
        return JSONResponse({"Id": str(new_id), "Key": f"{tb}/{target}", "name": target, "bucket_id": tb})

    # --- remove --------------------------------------------------------------------------------

    async def remove_many(self, request: Request) -> Response:
        """Delete the named objects the caller may write; the answer lists those deleted (others are absent)."""
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        body = await read_json(request)
        paths = body.get("prefixes")
        if not isinstance(paths, list) or not 1 <= len(paths) <= MAX_PATHS:
            raise StorageError(400, "InvalidRequest", f"prefixes must be a list of 1 to {MAX_PATHS} object names")
        keys = [names.object_key(p) for p in paths]
        return JSONResponse(await self._remove(caller, bucket_id, keys))

    async def remove_one(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        key = names.object_key(request.path_params["path"])
        if not await self._remove(caller, bucket_id, [key]):
            raise no_object()
        return JSONResponse({"message": "Successfully deleted"})

    async def _remove(self, caller: Caller, bucket_id: str, keys: list[str]) -> list[dict[str, Any]]:
        await self.s.ready()
        o = self.s.t.objects
        async with self.s.engine.begin() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
            mine = [k for k in dict.fromkeys(keys) if await self._may(conn, caller, bucket, k, "write")]
            rows = []
            if mine:
                rows = (await conn.execute(sa.select(o).where(o.c.bucket_id == bucket_id, o.c.name.in_(mine)))).all()
                if rows:
                    await conn.execute(sa.delete(o).where(o.c.id.in_([r.id for r in rows])))
        await self.s.store.delete([r.version for r in rows])
        return [object_json(r) for r in rows]

    # --- signed URLs ---------------------------------------------------------------------------

    async def sign(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        key = names.object_key(request.path_params["path"])
        body = await read_json(request)
        seconds = tokens.expiry(body.get("expiresIn"))
        await readable(self.s, caller, bucket_id, key)
        return JSONResponse({"signedURL": self._download_url(bucket_id, key, seconds)})

    def _download_url(self, bucket_id: str, key: str, seconds: int) -> str:
        url = f"{bucket_id}/{key}"
        return f"/object/sign/{url}?token={tokens.sign(self.s.secret, tokens.DOWNLOAD, url, seconds)}"

    async def sign_many(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        body = await read_json(request)
        seconds = tokens.expiry(body.get("expiresIn"))
        paths = body.get("paths")
        if (
            not isinstance(paths, list)
            or not 1 <= len(paths) <= MAX_PATHS
            or not all(isinstance(p, str) for p in paths)
        ):
            raise StorageError(400, "InvalidRequest", f"paths must be a list of 1 to {MAX_PATHS} object names")
        await self.s.ready()
        out = []
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
            o = self.s.t.objects
            valid = []
            for p in paths:
                try:
                    valid.append(names.object_key(p))
                except StorageError:
                    pass
            present = set()
            if valid:
                found = await conn.execute(sa.select(o.c.name).where(o.c.bucket_id == bucket_id, o.c.name.in_(valid)))
                present = {r.name for r in found}
            for p in paths:
                if p in present and await self._may(conn, caller, bucket, p, "read"):
                    out.append({"error": None, "path": p, "signedURL": self._download_url(bucket_id, p, seconds)})
                else:
                    out.append({"error": SIGN_MISSING, "path": p, "signedURL": None})
        return JSONResponse(out)

    async def sign_upload(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["bucket"])
        key = names.object_key(request.path_params["path"])
        upsert = request.headers.get("x-upsert", "").lower() == "true"
        await self.s.ready()
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
            if not await self._may(conn, caller, bucket, key, "write"):
                raise denied()
            if not upsert and await self.s.object(conn, bucket_id, key) is not None:
                raise duplicate()
        url = f"{bucket_id}/{key}"
        token = tokens.sign(self.s.secret, tokens.UPLOAD, url, tokens.UPLOAD_EXPIRY, owner=caller.user, upsert=upsert)
        return JSONResponse({"url": f"/object/upload/sign/{url}?token={token}", "token": token})

    async def upload_signed(self, request: Request) -> Response:
        bucket_id = names.bucket_id(request.path_params["bucket"])
        key = names.object_key(request.path_params["path"])
        claims = tokens.verify(self.s.secret, tokens.UPLOAD, request.query_params.get("token"), f"{bucket_id}/{key}")
        await self.s.ready()
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
        owner = claims.get("owner") if isinstance(claims.get("owner"), str) else None
        return JSONResponse(await store_object(self.s, request, bucket, key, owner, bool(claims.get("upsert"))))
