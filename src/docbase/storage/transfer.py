"""Uploads and downloads: bodies stream to and from the store, so memory stays bounded at any size.

Upload: everything that can be refused without the body is refused before reading it
(bucket, name, access, an existing object without ``x-upsert``, a declared length
past the limit, a MIME type the bucket does not allow); then the bytes stream into a
temporary file and the size limit is checked at each chunk (413 and the connection
closed the moment it is crossed). Only a complete, fsynced blob gets a row.

Download: ``Range: bytes=a-b`` / ``a-`` / ``-n`` answers 206 with ``Content-Range``; an
unsatisfiable range 416; ``?download`` / ``?download=name`` adds an attachment
disposition; ``If-None-Match`` with the current ETag answers 304.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any
from urllib.parse import quote

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from .errors import StorageError, bad_mime, bad_range, denied, duplicate, no_object, too_large
from .multipart import read_multipart
from .rules import Caller, allowed
from .service import Storage, check_depth, now
from .store import Blob, Writing

OCTETS = "application/octet-stream"


def mime_allowed(bucket: sa.Row, mime: str) -> bool:
    kinds = bucket.allowed_mime_types
    if not kinds:
        return True
    base = mime.split(";")[0].strip().lower()
    for kind in kinds:
        if kind == base or (kind.endswith("/*") and base.startswith(kind[:-1])):
            return True
    return False


def cache_control(value: str | None) -> str:
    value = (value or "3600").strip()
    return f"max-age={value}" if value.isdigit() else value[:200]


def user_metadata(raw: str | None, encoded: bool) -> dict[str, Any] | None:
    """The ``metadata`` form field (JSON) or ``x-metadata`` header (base64 JSON): a JSON object, else 400."""
    if raw is None or raw == "":
        return None
    try:
        text = base64.b64decode(raw, validate=True) if encoded else raw
        value = orjson.loads(text)
    except (binascii.Error, ValueError):
        raise StorageError(400, "InvalidRequest", "metadata must be a JSON object") from None
    if not isinstance(value, dict):
        raise StorageError(400, "InvalidRequest", "metadata must be a JSON object")
    check_depth(value)
    return value


async def _chunks(request: Request):
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise StorageError(400, "InvalidRequest", "The client went away before the body ended") from None


async def receive_body(storage: Storage, request: Request, bucket: sa.Row) -> tuple[Blob, str, str, dict | None]:
    """Stream the body (multipart or raw) into a new blob: (blob, mimetype, cacheControl, user metadata)."""
    limit = storage.limit_of(bucket)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
        raise too_large("object", limit)
    content_type = request.headers.get("content-type") or OCTETS
    writing: Writing | None = None
    try:
        if content_type.lower().startswith("multipart/form-data"):

            def open_file(part_type: str | None) -> Writing:
                nonlocal writing
                mime = (part_type or OCTETS).strip()
                if not mime_allowed(bucket, mime):
                    raise bad_mime(mime)
                writing = storage.store.writing(limit)
                return writing

            parsed = await read_multipart(_chunks(request), content_type, open_file)
            assert writing is not None
            mime = (parsed.content_type or OCTETS).strip()
            cache = cache_control(parsed.fields.get("cacheControl"))
            meta = user_metadata(parsed.fields.get("metadata"), encoded=False)
        else:
            mime = content_type.strip()
            if not mime_allowed(bucket, mime):
                raise bad_mime(mime)
            cache = cache_control(request.headers.get("cache-control"))
            meta = user_metadata(request.headers.get("x-metadata"), encoded=True)
            writing = storage.store.writing(limit)
            async for chunk in _chunks(request):
                await writing.write(chunk)
        blob = await writing.commit()
    except BaseException:
        if writing is not None:
            writing.abort()
        raise
    return blob, mime[:255], cache, meta


def _metadata(blob: Blob, mime: str, cache: str) -> dict[str, Any]:
    at = now()
    return {
        "eTag": blob.etag,
        "size": blob.size,
        "mimetype": mime,
        "cacheControl": cache,
        "lastModified": at.isoformat().replace("+00:00", "Z"),
        "contentLength": blob.size,
        "httpStatusCode": 200,
    }


async def store_object(
    storage: Storage,
    request: Request,
    bucket: sa.Row,
    key: str,
    owner: str | None,
    upsert: bool,
) -> dict[str, Any]:
    """Receive the body and write (or, with ``upsert``, replace) the row."""
    blob, mime, cache, meta = await receive_body(storage, request, bucket)
    return await save_row(storage, bucket, key, owner, upsert, blob, mime, cache, meta)


async def save_row(
    storage: Storage,
    bucket: sa.Row,
    key: str,
    owner: str | None,
    upsert: bool,
    blob: Blob,
    mime: str,
    cache: str,
    meta: dict[str, Any] | None,
) -> dict[str, Any]:
    """The row for a committed blob; the blob is deleted if the row cannot be written, the old one after commit."""
    o = storage.t.objects
    at = now()
    values = {
        "owner_id": owner,
        "owner": _uuid_or_none(owner),
        "updated_at": at,
        "last_accessed_at": at,
        "metadata": _metadata(blob, mime, cache),
        "user_metadata": meta,
        "version": blob.version,
    }
    old: str | None = None
    try:
        async with storage.engine.begin() as conn:
            row = await storage.object(conn, bucket.id, key)
            if row is not None and not upsert:
                raise duplicate()
            if row is not None:
                old, object_id = row.version, row.id
                await conn.execute(sa.update(o).where(o.c.id == row.id).values(values))
            else:
                object_id = storage.new_id()
                await conn.execute(
                    sa.insert(o).values(id=object_id, bucket_id=bucket.id, name=key, created_at=at, **values)
                )
    except IntegrityError:  # a concurrent upload of the same name won
        await storage.store.delete([blob.version])
        raise duplicate() from None
    except BaseException:
        await storage.store.delete([blob.version])
        raise
    if old is not None:
        await storage.store.delete([old])
    return {"Id": str(object_id), "Key": f"{bucket.id}/{key}"}


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


async def upload(storage: Storage, request: Request, caller: Caller, bucket_id: str, key: str, upsert: bool):
    await storage.ready()
    async with storage.engine.connect() as conn:
        bucket = await storage.bucket(conn, bucket_id)
        caller = await storage.with_tenants(conn, caller, bucket_id, "write")
        if not allowed(caller, storage.rules.rule(bucket_id), bool(bucket.public), key, "write"):
            raise denied()
        if not upsert and await storage.object(conn, bucket_id, key) is not None:
            raise duplicate()
    return await store_object(storage, request, bucket, key, caller.user, upsert)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) bytes of a single ``bytes=`` range; None for no range or one docbase ignores (several)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first + last).isdigit() or len(first) > 18 or len(last) > 18:
        raise bad_range(size)
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise bad_range(size)
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or end < start:
        raise bad_range(size)
    return start, end


def serve(storage: Storage, request: Request, row: sa.Row) -> Response:
    """The object's bytes (or, for HEAD, only its headers), honouring Range, download and If-None-Match."""
    meta = row.metadata or {}
    size = int(meta.get("size") or 0)
    etag = str(meta.get("eTag") or "")
    headers = {
        "accept-ranges": "bytes",
        "etag": etag,
        "cache-control": str(meta.get("cacheControl") or "no-cache"),
        "last-modified": _http_date(row.updated_at),
        "x-content-type-options": "nosniff",
    }
    download = request.query_params.get("download")
    if download is not None:
        headers["content-disposition"] = (
            f"attachment; filename*=UTF-8''{quote(download)}" if download else "attachment;"
        )
    if etag and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    mime = str(meta.get("mimetype") or OCTETS)
    try:
        chosen = parse_range(request.headers.get("range"), size)
    except StorageError as exc:
        response = exc.response(storage.error_mode)
        response.headers["content-range"] = f"bytes */{size}"
        return response
    status, start, end = 200, 0, size - 1
    if chosen is not None:
        status, (start, end) = 206, chosen
        headers["content-range"] = f"bytes {start}-{end}/{size}"
    headers["content-length"] = str(max(0, end - start + 1))
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers, media_type=mime)
    return StreamingResponse(storage.store.read(row.version, start, end), status, headers, media_type=mime)


def _http_date(value: Any) -> str:
    from email.utils import format_datetime

    from .service import UTC

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), usegmt=True)


async def readable(storage: Storage, caller: Caller, bucket_id: str, key: str) -> sa.Row:
    """The object row if ``caller`` may read it; 404 alike for missing and not allowed (never says which)."""
    await storage.ready()
    async with storage.engine.connect() as conn:
        bucket = await storage.bucket(conn, bucket_id)
        caller = await storage.with_tenants(conn, caller, bucket_id, "read")
        if not allowed(caller, storage.rules.rule(bucket_id), bool(bucket.public), key, "read"):
            raise no_object()
        row = await storage.object(conn, bucket_id, key)
    if row is None:
        raise no_object()
    return row
