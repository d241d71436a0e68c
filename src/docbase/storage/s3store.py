"""The S3-compatible store: blobs as keys ``<prefix>blobs/<2 hex>/<blob id>`` in one bucket (AWS S3, MinIO, SeaweedFS...).

Same guarantees as the filesystem store. An upload is held in memory only up to one
part (``PART`` bytes): a small object is one PutObject at commit; a larger one is a
multipart upload, a part sent each time ``PART`` bytes have gathered (the size limit is
checked at every chunk, as for files), completed at commit and aborted on any error, so
no partial object is ever written under a blob key - and a blob is reached only through
the object row that names it anyway. A crash (``kill -9``) can leave an incomplete
multipart upload, which S3 never shows as an object; the sweep aborts those once a day
old, and removes blobs no row names, listed by prefix.

Reads are ranged GetObject calls streamed in 256 kB pieces; copies are CopyObject (the
bytes never pass through docbase, up to S3's 5 GB single-copy limit); deletes are
DeleteObjects in batches of 1000.

Resumable (TUS) uploads gather in the bucket too, one object per PATCH body at
``<prefix>uploads/<upload id>/<offset>``, so any machine can take the next PATCH. The
kept bytes are the chain of pieces from offset 0, each starting where the last ended (a
piece off the chain - a PATCH that lost a race - is ignored and removed); the last byte
in, the chain is streamed into a new blob and the pieces deleted.

boto3 is synchronous and thread-safe: every call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from .. import settings
from .errors import StorageError, too_large
from .store import CHUNK, Blob

log = logging.getLogger("docbase.storage")
PART = 8 * 1024 * 1024  # S3 needs parts of 5 MB at least (the last excepted)


@dataclass(frozen=True)
class S3Config:
    bucket: str
    endpoint: str = ""
    region: str = "us-east-1"
    access_key: str = ""
    secret_key: str = field(default="", repr=False)
    prefix: str = ""


def s3_config(toml: dict[str, Any]) -> S3Config:
    """The ``storage_s3_*`` settings; a missing bucket is a configuration error."""

    def get(setting: settings.Setting) -> str:
        return str(settings.get(setting, toml=toml) or "").strip()

    bucket = get(settings.STORAGE_S3_BUCKET)
    if not bucket:
        raise settings.ConfigError("storage_s3_bucket: error: storage_backend = 's3' needs a bucket name")
    prefix = get(settings.STORAGE_S3_PREFIX).strip("/")
    return S3Config(
        bucket=bucket,
        endpoint=get(settings.STORAGE_S3_ENDPOINT),
        region=get(settings.STORAGE_S3_REGION) or "us-east-1",
        access_key=get(settings.STORAGE_S3_ACCESS_KEY),
        secret_key=get(settings.STORAGE_S3_SECRET_KEY),
        prefix=f"{prefix}/" if prefix else "",
    )


def _client(config: S3Config) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - depends on the install
        raise settings.ConfigError("storage_backend: error: 's3' needs boto3: pip install 'docbase[s3]'") from None
    options: dict[str, Any] = {
        "retries": {"max_attempts": 5, "mode": "standard"},
        "max_pool_connections": 32,
        # other S3-compatible servers do not all know the CRC checksums newer botocore adds by default
        "request_checksum_calculation": "when_required",
        "response_checksum_validation": "when_required",
    }
    if config.endpoint:
        options["s3"] = {"addressing_style": "path"}
    credentials = (
        {"aws_access_key_id": config.access_key, "aws_secret_access_key": config.secret_key}
        if config.access_key
        else {}
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.endpoint or None,
        region_name=config.region,
        config=Config(**options),
        **credentials,
    )


def _missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchBucket", "NotFound", "NoSuchKey")


class S3Writing:
    """A blob on its way to S3: one part buffered at most; multipart once it outgrows a part."""

    def __init__(self, store: S3Store, limit: int, key: str | None = None) -> None:
        self.store = store
        self.limit = limit
        self.version = uuid.uuid4().hex
        self.key = key or store.key(self.version)
        self.buffer = bytearray()
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.closed = False

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            upload_id, self.upload_id = self.upload_id, None
            self.abort()
            if upload_id is not None:
                await asyncio.to_thread(self.store.abort_upload, self.key, upload_id)
            raise too_large("object", self.limit)
        self.md5.update(chunk)
        self.buffer += chunk
        while len(self.buffer) >= PART:
            part = bytes(self.buffer[:PART])
            del self.buffer[:PART]
            await self._send(part)

    async def _send(self, part: bytes) -> None:
        s3, bucket = self.store.s3, self.store.config.bucket
        if self.upload_id is None:
            started = await asyncio.to_thread(s3.create_multipart_upload, Bucket=bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = await asyncio.to_thread(
            s3.upload_part, Bucket=bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=part
        )
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})

    async def commit(self) -> Blob:
        s3, bucket = self.store.s3, self.store.config.bucket
        try:
            if self.upload_id is None:
                await asyncio.to_thread(s3.put_object, Bucket=bucket, Key=self.key, Body=bytes(self.buffer))
            else:
                if self.buffer:
                    await self._send(bytes(self.buffer))
                await asyncio.to_thread(
                    s3.complete_multipart_upload,
                    Bucket=bucket,
                    Key=self.key,
                    UploadId=self.upload_id,
                    MultipartUpload={"Parts": self.parts},
                )
        except BaseException:
            self.abort()
            raise
        self.closed = True
        self.buffer = bytearray()
        return Blob(self.version, self.size, f'"{self.md5.hexdigest()}"')

    def abort(self) -> None:
        """Drop the buffer and abort the multipart upload in the background (the sweep catches a failure)."""
        if self.closed:
            return
        self.closed = True
        self.buffer = bytearray()
        if self.upload_id is not None:
            self.store.background(self.store.abort_upload, self.key, self.upload_id)


class S3Store:
    """Blobs (and resumable uploads' pieces) in an S3-compatible bucket."""

    def __init__(self, config: S3Config, client: Any = None) -> None:
        self.config = config
        self.s3 = client if client is not None else _client(config)
        where = config.endpoint.rstrip("/") + "/" if config.endpoint else "s3://"
        self.where = f"{where}{config.bucket}/{config.prefix}"
        self._pending: set[asyncio.Future] = set()

    def key(self, version: str) -> str:
        if not version.isalnum():  # versions are uuid4 hex made here; anything else is not ours
            raise ValueError(f"not a blob id: {version!r}")
        return f"{self.config.prefix}blobs/{version[:2]}/{version}"

    async def prepare(self) -> None:
        def run() -> None:
            try:
                self.s3.head_bucket(Bucket=self.config.bucket)
                return
            except Exception as exc:
                if not _missing(exc):
                    raise
            extra = {}
            if self.config.region != "us-east-1" and not self.config.endpoint:
                extra = {"CreateBucketConfiguration": {"LocationConstraint": self.config.region}}
            self.s3.create_bucket(Bucket=self.config.bucket, **extra)
            log.warning("storage: made the S3 bucket %r at %s: it did not exist", self.config.bucket, self.where)

        await asyncio.to_thread(run)

    def background(self, fn: Any, *args: Any) -> None:
        """Run ``fn`` in a worker thread without waiting (an abort while the request unwinds)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            fn(*args)
            return
        future = loop.run_in_executor(None, fn, *args)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def abort_upload(self, key: str, upload_id: str) -> None:
        try:
            self.s3.abort_multipart_upload(Bucket=self.config.bucket, Key=key, UploadId=upload_id)
        except Exception as exc:  # the sweep aborts it a day later
            log.warning("storage: could not abort an S3 multipart upload (the sweep will): %s", exc)

    def writing(self, limit: int, key: str | None = None) -> S3Writing:
        return S3Writing(self, limit, key)

    def _pieces_root(self, upload_id: str) -> str:
        if not upload_id.isalnum():
            raise ValueError(f"not an upload id: {upload_id!r}")
        return f"{self.config.prefix}uploads/{upload_id}/"

    def _list(self, prefix: str) -> list[dict[str, Any]]:
        pages = self.s3.get_paginator("list_objects_v2")
        return [
            item
            for page in pages.paginate(Bucket=self.config.bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]

    def _chain(self, upload_id: str) -> tuple[list[dict[str, Any]], int, list[str]]:
        """(pieces from offset 0 on, each where the last ended; the size they make; keys off that chain)."""
        root = self._pieces_root(upload_id)
        by_offset = {}
        for item in self._list(root):
            name = item["Key"][len(root) :]
            if name.isdigit():
                by_offset[int(name)] = item
        chain, size = [], 0
        while size in by_offset and by_offset[size]["Size"] > 0:  # an empty piece is never written
            piece = by_offset.pop(size)
            chain.append(piece)
            size += piece["Size"]
        return chain, size, [item["Key"] for item in by_offset.values()]

    async def tus_begin(self, upload_id: str) -> None:
        self._pieces_root(upload_id)  # nothing is written before the first PATCH

    async def tus_offset(self, upload_id: str) -> int:
        return (await asyncio.to_thread(self._chain, upload_id))[1]

    async def tus_append(self, upload_id: str, offset: int, length: int, chunks: AsyncIterator[bytes]) -> int:
        """One piece per PATCH at ``<offset>``; what arrived before the body ended early is kept."""
        size = await self.tus_offset(upload_id)
        if offset != size:
            raise StorageError(409, "InvalidRequest", f"Upload-Offset {offset} does not match {size}")
        piece = self.writing(limit=length - offset, key=f"{self._pieces_root(upload_id)}{offset:015d}")
        try:
            async for chunk in chunks:
                if size + len(chunk) > length:
                    raise StorageError(413, "Payload too large", f"More bytes than Upload-Length {length}", True)
                await piece.write(chunk)
                size += len(chunk)
        except StorageError:
            if piece.size:
                await piece.commit()  # keep what arrived, as the filesystem store does
            raise
        except BaseException:
            piece.abort()
            raise
        if piece.size:
            await piece.commit()
        else:
            piece.abort()
        return size

    async def tus_drop(self, upload_id: str) -> None:
        keys = [item["Key"] for item in await asyncio.to_thread(self._list, self._pieces_root(upload_id))]
        await self._delete_keys(keys)

    async def finish(self, upload_id: str) -> Blob:
        """Stream the pieces, in order, into a new blob; then delete them."""
        chain, _, _ = await asyncio.to_thread(self._chain, upload_id)
        writing = self.writing(limit=1 << 62)
        try:
            for piece in chain:
                got = await asyncio.to_thread(self.s3.get_object, Bucket=self.config.bucket, Key=piece["Key"])
                body = got["Body"]
                try:
                    while chunk := await asyncio.to_thread(body.read, PART):
                        await writing.write(chunk)
                finally:
                    body.close()
            blob = await writing.commit()
        except BaseException:
            writing.abort()
            raise
        await self.tus_drop(upload_id)
        return blob

    async def copy(self, version: str) -> str:
        new = uuid.uuid4().hex
        bucket = self.config.bucket
        source = {"Bucket": bucket, "Key": self.key(version)}
        await asyncio.to_thread(self.s3.copy_object, Bucket=bucket, Key=self.key(new), CopySource=source)
        return new

    async def delete(self, versions: list[str]) -> None:
        await self._delete_keys([self.key(v) for v in versions])

    async def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = {"Objects": [{"Key": k} for k in keys[start : start + 1000]], "Quiet": True}
            await asyncio.to_thread(self.s3.delete_objects, Bucket=self.config.bucket, Delete=batch)

    async def read(self, version: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive, one ranged GetObject streamed in pieces."""
        got = await asyncio.to_thread(
            self.s3.get_object, Bucket=self.config.bucket, Key=self.key(version), Range=f"bytes={start}-{end}"
        )
        body = got["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK * 4):
                yield chunk
        finally:
            body.close()

    def sweep(self, older_than: float, keep: set[str] = frozenset()) -> int:
        """Multipart uploads a crash left unfinished, and pieces of resumable uploads not in ``keep``."""
        cutoff, gone = time.time() - older_than, 0
        pages = self.s3.get_paginator("list_multipart_uploads")
        for folder in ("blobs/", "uploads/"):
            for page in pages.paginate(Bucket=self.config.bucket, Prefix=f"{self.config.prefix}{folder}"):
                for upload in page.get("Uploads", []):
                    if upload["Initiated"].timestamp() < cutoff:
                        self.abort_upload(upload["Key"], upload["UploadId"])
                        gone += 1
        root = f"{self.config.prefix}uploads/"
        stale = [
            item["Key"]
            for item in self._list(root)
            if item["Key"][len(root) :].partition("/")[0] not in keep and item["LastModified"].timestamp() < cutoff
        ]
        for start in range(0, len(stale), 1000):
            batch = {"Objects": [{"Key": k} for k in stale[start : start + 1000]], "Quiet": True}
            self.s3.delete_objects(Bucket=self.config.bucket, Delete=batch)
        return gone + len(stale)

    def old_blobs(self, older_than: float) -> list[tuple[str, list[str]]]:
        cutoff, found = time.time() - older_than, {}
        root = f"{self.config.prefix}blobs/"
        pages = self.s3.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.config.bucket, Prefix=root):
            for item in page.get("Contents", []):
                folder, _, name = item["Key"][len(root) :].partition("/")
                if name.isalnum() and item["LastModified"].timestamp() < cutoff:
                    found.setdefault(folder, []).append(name)
        return sorted(found.items())


__all__ = ["PART", "S3Config", "S3Store", "S3Writing", "s3_config"]
