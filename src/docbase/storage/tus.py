"""Resumable uploads with the TUS protocol (1.0.0, extensions creation and termination), as Supabase serves them.

``POST /upload/resumable`` with ``Upload-Length`` and ``Upload-Metadata`` (``bucketName``,
``objectName``, ``contentType``, ``cacheControl``, ``metadata``; base64 values) creates
an upload and answers its URL; ``HEAD`` tells how many bytes arrived; ``PATCH`` with
``Upload-Offset`` appends; ``DELETE`` abandons. This is what tus-js-client and Uppy do
against Supabase for large files.

Everything is decided when the upload is created - bucket, name, access, an existing
object without ``x-upsert``, the declared length against the size limit - and again
for the caller on every later request (only the user who created an upload may
continue it). Bytes gather in the store (``uploads/<id>`` on disk, fsynced at the end of each
PATCH; one S3 object per PATCH), so an interrupted PATCH resumes from what was kept; the object exists only once
the last byte is in, as a blob renamed into place like any other upload. One PATCH at
a time per upload (a file lock; a concurrent one gets 409). Uploads expire after 24 hours.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from . import names
from .errors import StorageError, bad_mime, denied, duplicate, too_large
from .rules import allowed
from .service import Storage, now
from .transfer import cache_control, mime_allowed, save_row, user_metadata

VERSION = "1.0.0"
EXPIRY = timedelta(hours=24)
BASE = {"tus-resumable": VERSION}


def _metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs."""
    found: dict[str, str] = {}
    for pair in (header or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if not key:
            continue
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value.strip() else ""
        except (binascii.Error, UnicodeDecodeError):
            raise StorageError(400, "InvalidRequest", f"Upload-Metadata: {key[:50]} is not base64 UTF-8") from None
    return found


def _number(header: str | None, name: str) -> int:
    if header is None or not header.isascii() or not header.isdigit() or len(header) > 15:
        raise StorageError(400, "InvalidRequest", f"{name} must be a whole number of bytes")
    return int(header)


async def _body(request: Request) -> AsyncIterator[bytes]:
    """The PATCH body; a client that goes away ends it (what arrived is kept, it resumes from HEAD's offset)."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        return


def _version(request: Request) -> None:
    if request.headers.get("tus-resumable") != VERSION:
        raise StorageError(412, "InvalidRequest", f"Tus-Resumable {VERSION} is required")


class TusRoutes:
    def __init__(self, storage: Storage) -> None:
        self.s = storage

    async def options(self, request: Request) -> Response:
        headers = {
            **BASE,
            "tus-version": VERSION,
            "tus-extension": "creation,termination",
            "tus-max-size": str(self.s.max_file_bytes),
        }
        return Response(status_code=204, headers=headers)

    async def create(self, request: Request) -> Response:
        _version(request)
        caller = await self.s.caller(request)
        if request.headers.get("upload-defer-length"):
            raise StorageError(400, "InvalidRequest", "Upload-Defer-Length is not supported: give Upload-Length")
        length = _number(request.headers.get("upload-length"), "Upload-Length")
        meta = _metadata(request.headers.get("upload-metadata"))
        bucket_id = names.bucket_id(meta.get("bucketName"))
        key = names.object_key(meta.get("objectName"))
        upsert = request.headers.get("x-upsert", "").lower() == "true"
        mime = (meta.get("contentType") or "application/octet-stream").strip()[:255]
        await self.s.ready()
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, bucket_id)
            who = await self.s.with_tenants(conn, caller, bucket_id, "write")
            if not allowed(who, self.s.rules.rule(bucket_id), bool(bucket.public), key, "write"):
                raise denied()
            if not upsert and await self.s.object(conn, bucket_id, key) is not None:
                raise duplicate()
        if length > self.s.limit_of(bucket):
            raise too_large("object", self.s.limit_of(bucket))
        if not mime_allowed(bucket, mime):
            raise bad_mime(mime)
        upload_id = uuid.uuid4().hex
        values = {
            "id": upload_id,
            "bucket_id": bucket_id,
            "name": key,
            "owner_id": caller.user,
            "upsert": upsert,
            "length": length,
            "mimetype": mime,
            "cache_control": cache_control(meta.get("cacheControl")),
            "user_metadata": user_metadata(meta.get("metadata"), encoded=False),
            "created_at": now(),
        }
        await self.s.store.tus_begin(upload_id)
        async with self.s.engine.begin() as conn:
            await conn.execute(sa.insert(self.s.t.uploads).values(values))
        if length == 0:
            await self._finish(values)
        location = f"{str(request.url.replace(query='')).rstrip('/')}/{upload_id}"
        return Response(status_code=201, headers={**BASE, "location": location, "upload-offset": "0"})

    async def _upload(self, request: Request) -> dict[str, Any]:
        """The upload named in the path, if the caller is the one who created it (404 alike otherwise)."""
        _version(request)
        caller = await self.s.caller(request)
        upload_id = request.path_params["id"]
        gone = StorageError(404, "not_found", "Upload not found")
        if not upload_id.isalnum() or len(upload_id) != 32:
            raise gone
        await self.s.ready()
        u = self.s.t.uploads
        async with self.s.engine.connect() as conn:
            row = (await conn.execute(sa.select(u).where(u.c.id == upload_id))).first()
        if row is None:
            raise gone
        if not caller.service and (caller.user is None or caller.user != row.owner_id):
            raise gone
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=now().tzinfo)
        if now() - created > EXPIRY:
            await self._drop(upload_id)
            raise StorageError(410, "InvalidRequest", "Upload expired")
        return dict(row._mapping)

    async def head(self, request: Request) -> Response:
        upload = await self._upload(request)
        offset = await self.s.store.tus_offset(upload["id"])
        headers = {**BASE, "upload-offset": str(offset), "upload-length": str(upload["length"]),
                   "cache-control": "no-store"}  # fmt: skip
        return Response(status_code=200, headers=headers)

    async def patch(self, request: Request) -> Response:
        upload = await self._upload(request)
        if request.headers.get("content-type") != "application/offset+octet-stream":
            raise StorageError(415, "InvalidRequest", "PATCH needs Content-Type: application/offset+octet-stream")
        offset = _number(request.headers.get("upload-offset"), "Upload-Offset")
        size = await self.s.store.tus_append(upload["id"], offset, upload["length"], _body(request))
        headers = {**BASE, "upload-offset": str(size)}
        if size == upload["length"]:
            await self._finish(upload)
        return Response(status_code=204, headers=headers)

    async def _finish(self, upload: dict[str, Any]) -> None:
        async with self.s.engine.connect() as conn:
            bucket = await self.s.bucket(conn, upload["bucket_id"])
        blob = await self.s.store.finish(upload["id"])
        try:
            await save_row(
                self.s, bucket, upload["name"], upload["owner_id"], upload["upsert"], blob,
                upload["mimetype"], upload["cache_control"], upload["user_metadata"],
            )  # fmt: skip
        finally:
            await self._drop(upload["id"])

    async def delete(self, request: Request) -> Response:
        upload = await self._upload(request)
        await self._drop(upload["id"])
        return Response(status_code=204, headers=BASE)

    async def _drop(self, upload_id: str) -> None:
        u = self.s.t.uploads
        async with self.s.engine.begin() as conn:
            await conn.execute(sa.delete(u).where(u.c.id == upload_id))
        await self.s.store.tus_drop(upload_id)
