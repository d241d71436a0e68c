"""``/bucket``: create, get, list, update, empty and delete buckets, as storage-js and storage3 call them.

Bucket rows are readable by any caller with a key (anon sees public buckets only);
every change is ``service_role``'s (docbase.storage.rules). Deleting a bucket that
still holds objects is a 409, as in Supabase: empty it first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import names
from .errors import StorageError, denied, duplicate, no_bucket
from .rules import Caller
from .service import Storage, bucket_json, now, read_json

EMPTY_BATCH = 500


def _service_only(caller: Caller) -> None:
    if not caller.service:
        raise denied("Only the service_role key may create, change or delete buckets")


def _size_limit(value: Any, ceiling: int) -> int | None:
    """``file_size_limit``: bytes as a number, or Supabase's text form (``"20MB"``, ``"30KB"``, ``"3B"``)."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, bool):
        raise StorageError(400, "InvalidRequest", "file_size_limit must be a number of bytes")
    if isinstance(value, str):
        text = value.strip().upper().replace(" ", "")
        units = {"GB": 1 << 30, "MB": 1 << 20, "KB": 1 << 10, "B": 1}
        for unit, factor in units.items():
            number = text.removesuffix(unit)
            if number != text and number.isdigit() and len(number) < 13:
                value = int(number) * factor
                break
        else:
            if text.isdigit() and len(text) < 16:
                value = int(text)
            else:
                raise StorageError(400, "InvalidRequest", "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B")
    if not isinstance(value, int) or value < 0:
        raise StorageError(400, "InvalidRequest", "file_size_limit must be a whole number of bytes")
    if value > ceiling:
        raise StorageError(
            413, "Payload too large", f"file_size_limit {value} is above the server's limit of {ceiling} bytes"
        )
    return value


def _mime_types(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 100 or not all(isinstance(m, str) and len(m) < 256 for m in value):
        raise StorageError(400, "InvalidRequest", "allowed_mime_types must be a list of MIME types")
    kept = [m.strip().lower() for m in value if m.strip()]
    for m in kept:
        if "/" not in m or any(c.isspace() or ord(c) < 32 for c in m):
            raise StorageError(400, "InvalidRequest", f"allowed_mime_types: {m!r} is not a MIME type")
    return kept or None


def _public(value: Any) -> bool:
    if not isinstance(value, bool):
        raise StorageError(400, "InvalidRequest", "public must be true or false")
    return value


class BucketRoutes:
    def __init__(self, storage: Storage) -> None:
        self.s = storage

    async def list(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        await self.s.ready()
        b = self.s.t.buckets
        query = sa.select(b).order_by(b.c.name)
        if caller.role == "anon":
            query = query.where(b.c.public == sa.true())
        try:
            limit = int(request.query_params.get("limit", "1000"))
            offset = int(request.query_params.get("offset", "0"))
        except ValueError:
            raise StorageError(400, "InvalidRequest", "limit and offset must be whole numbers") from None
        search = request.query_params.get("search")
        if search:
            query = query.where(sa.func.lower(b.c.name).contains(search.lower(), autoescape=True))
        query = query.limit(max(1, min(limit, 1000))).offset(max(0, offset))
        async with self.s.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return JSONResponse([bucket_json(r) for r in rows])

    async def get(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        bucket_id = names.bucket_id(request.path_params["id"])
        await self.s.ready()
        async with self.s.engine.connect() as conn:
            row = await self.s.bucket(conn, bucket_id)
        if caller.role == "anon" and not row.public:
            raise no_bucket()
        return JSONResponse(bucket_json(row))

    async def create(self, request: Request) -> Response:
        caller = await self.s.caller(request)
        _service_only(caller)
        body = await read_json(request)
        name = body.get("name") if body.get("name") is not None else body.get("id")
        bucket_id = names.bucket_id(body.get("id") if body.get("id") is not None else name)
        name = names.bucket_id(name)
        at = now()
        values = {
            "id": bucket_id,
            "name": name,
            "owner_id": caller.user,
            "public": _public(body.get("public", False)),
            "file_size_limit": _size_limit(body.get("file_size_limit"), self.s.max_file_bytes),
            "allowed_mime_types": _mime_types(body.get("allowed_mime_types")),
            "created_at": at,
            "updated_at": at,
        }
        await self.s.ready()
        try:
            async with self.s.engine.begin() as conn:
                await conn.execute(sa.insert(self.s.t.buckets).values(values))
        except IntegrityError:
            raise duplicate() from None
        return JSONResponse({"name": name})

    async def update(self, request: Request) -> Response:
        _service_only(await self.s.caller(request))
        bucket_id = names.bucket_id(request.path_params["id"])
        body = await read_json(request)
        values: dict[str, Any] = {"updated_at": now()}
        if "public" in body:
            values["public"] = _public(body["public"])
        if "file_size_limit" in body:
            values["file_size_limit"] = _size_limit(body["file_size_limit"], self.s.max_file_bytes)
        if "allowed_mime_types" in body:
            values["allowed_mime_types"] = _mime_types(body["allowed_mime_types"])
        await self.s.ready()
        b = self.s.t.buckets
        async with self.s.engine.begin() as conn:
            done = await conn.execute(sa.update(b).where(b.c.id == bucket_id).values(values))
            if done.rowcount == 0:
                raise no_bucket()
        return JSONResponse({"message": "Successfully updated"})

    async def empty(self, request: Request) -> Response:
        """Delete every object of the bucket, rows first (in batches), then their blobs."""
        _service_only(await self.s.caller(request))
        bucket_id = names.bucket_id(request.path_params["id"])
        await self.s.ready()
        o = self.s.t.objects
        async with self.s.engine.connect() as conn:
            await self.s.bucket(conn, bucket_id)
        while True:
            async with self.s.engine.begin() as conn:
                batch = (
                    await conn.execute(
                        sa.select(o.c.id, o.c.version).where(o.c.bucket_id == bucket_id).limit(EMPTY_BATCH)
                    )
                ).all()
                if not batch:
                    break
                await conn.execute(sa.delete(o).where(o.c.id.in_([r.id for r in batch])))
            await self.s.store.delete([r.version for r in batch])
        return JSONResponse({"message": "Successfully emptied"})

    async def delete(self, request: Request) -> Response:
        _service_only(await self.s.caller(request))
        bucket_id = names.bucket_id(request.path_params["id"])
        await self.s.ready()
        b, o = self.s.t.buckets, self.s.t.objects
        async with self.s.engine.begin() as conn:
            await self.s.bucket(conn, bucket_id)
            held = (await conn.execute(sa.select(o.c.id).where(o.c.bucket_id == bucket_id).limit(1))).first()
            if held is not None:
                raise StorageError(409, "InvalidRequest", "The bucket you tried to delete is not empty")
            await conn.execute(sa.delete(b).where(b.c.id == bucket_id))
        return JSONResponse({"message": "Successfully deleted"})
