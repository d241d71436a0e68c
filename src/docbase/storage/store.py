"""The blob stores: the :class:`Store` protocol, and the local filesystem store that is the default.

:class:`FileStore` keeps blobs on this machine; :class:`docbase.storage.s3store.S3Store`
keeps them in an S3-compatible bucket. Routes and the service see only :class:`Store`,
so which one serves is a setting (``storage_backend``, see :func:`open_store`).

An object's bytes live in ``<root>/blobs/<2 hex>/<blob id>``; the blob id is a fresh
UUID per write, recorded in the object's row (``version``), so object names never
touch the filesystem (no path traversal can exist) and an overwrite never changes a
file a reader has open. A write goes to ``<root>/tmp/<id>``, is fsynced, then
renamed into place (and the directory fsynced): until the row pointing at it
commits, a blob is invisible; a crash leaves at most an unreferenced temp file or
blob, never a partial object.

Memory is bounded: bytes are written chunk by chunk as they arrive, and read back
in fixed-size chunks.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .. import settings
from .errors import StorageError, too_large

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Blob:
    version: str
    size: int
    etag: str


class Writing(Protocol):
    """One blob being written: ``write`` chunks (the size limit checked at each), then ``commit`` or ``abort``.

    Nothing written is readable until ``commit`` returns, and a blob is reached only through the
    object row that names it, so an aborted or crashed write never shows. ``abort`` never raises
    (cleanup it cannot finish is left to the store's sweep)."""

    version: str

    async def write(self, chunk: bytes) -> None: ...

    async def commit(self) -> Blob: ...

    def abort(self) -> None: ...


class Store(Protocol):
    """Where object bytes live. Blob ids are uuid4 hex made by the store; object names never reach it."""

    where: str  # for log lines: a folder or an s3:// URL, never a credential

    async def prepare(self) -> None:
        """Check (and make, saying so) what the store needs; once per process, at the first storage request."""
        ...

    def writing(self, limit: int) -> Writing: ...

    async def tus_begin(self, upload_id: str) -> None:
        """A new resumable (TUS) upload: its bytes gather under ``upload_id`` until the last one arrives."""
        ...

    async def tus_offset(self, upload_id: str) -> int:
        """How many bytes of the upload are kept (what ``HEAD`` reports; a PATCH resumes there)."""
        ...

    async def tus_append(self, upload_id: str, offset: int, length: int, chunks: AsyncIterator[bytes]) -> int:
        """Append a PATCH body at ``offset`` (409 unless it is the kept size, or another PATCH is under way;
        413 past ``length``); what arrived before the body ended early is kept. Returns the new offset."""
        ...

    async def finish(self, upload_id: str) -> Blob:
        """Turn a complete resumable upload into a blob (its gathered bytes go)."""
        ...

    async def tus_drop(self, upload_id: str) -> None: ...

    async def copy(self, version: str) -> str: ...

    async def delete(self, versions: list[str]) -> None: ...

    def read(self, version: str, start: int, end: int) -> AsyncIterator[bytes]: ...

    def sweep(self, older_than: float, keep: set[str] = frozenset()) -> int:
        """Remove what interrupted writes left (older than ``older_than`` seconds); blocking, run in a thread."""
        ...

    def old_blobs(self, older_than: float) -> list[tuple[str, list[str]]]:
        """``(2-hex folder, blob ids)`` of blobs older than ``older_than`` seconds; blocking, run in a thread."""
        ...


class FileWriting:
    """A blob being written to ``tmp/``, renamed into ``blobs/`` by ``commit``."""

    def __init__(self, store: FileStore, limit: int) -> None:
        self.store = store
        self.limit = limit
        self.version = uuid.uuid4().hex
        self.tmp = store.root / "tmp" / self.version
        self.file = open(self.tmp, "xb")  # noqa: SIM115 - closed by commit/abort
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise too_large("object", self.limit)
        self.md5.update(chunk)
        self.file.write(chunk)

    async def commit(self) -> Blob:
        final = self.store.path(self.version)
        await asyncio.to_thread(self._durable, final)
        return Blob(self.version, self.size, f'"{self.md5.hexdigest()}"')

    def _durable(self, final: Path) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        final.parent.mkdir(exist_ok=True)
        os.rename(self.tmp, final)
        _fsync_dir(final.parent)

    def abort(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.tmp.unlink(missing_ok=True)


class FileStore:
    """Blobs on the local filesystem under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.where = str(self.root)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        (self.root / "blobs").mkdir(exist_ok=True)
        (self.root / "uploads").mkdir(exist_ok=True)

    async def prepare(self) -> None:
        pass  # the folders were made when the store was

    def sweep(self, older_than: float, keep: set[str] = frozenset()) -> int:
        """Remove temporary files a crash left behind (and abandoned upload parts not in ``keep``), if older
        than ``older_than`` seconds - an upload still being written is younger. Returns how many went."""
        import time

        cutoff, gone = time.time() - older_than, 0
        for folder in ("tmp", "uploads"):
            for path in (self.root / folder).iterdir():
                try:
                    if path.name not in keep and path.stat().st_mtime < cutoff:
                        path.unlink()
                        gone += 1
                except FileNotFoundError:
                    pass
        return gone

    def old_blobs(self, older_than: float) -> list[tuple[str, list[str]]]:
        """``(folder, blob ids)`` for each blob folder, listing blobs older than ``older_than`` seconds."""
        import time

        cutoff, found = time.time() - older_than, []
        for folder in sorted((self.root / "blobs").iterdir()):
            names = []
            for path in folder.iterdir():
                try:
                    if path.name.isalnum() and path.stat().st_mtime < cutoff:
                        names.append(path.name)
                except FileNotFoundError:
                    pass
            if names:
                found.append((folder.name, names))
        return found

    def path(self, version: str) -> Path:
        if not version.isalnum():  # versions are uuid4 hex made here; anything else is not ours
            raise ValueError(f"not a blob id: {version!r}")
        return self.root / "blobs" / version[:2] / version

    def partial(self, upload_id: str) -> Path:
        """Where a resumable upload's bytes gather until the last one arrives (docbase.storage.tus)."""
        if not upload_id.isalnum():
            raise ValueError(f"not an upload id: {upload_id!r}")
        return self.root / "uploads" / upload_id

    async def tus_begin(self, upload_id: str) -> None:
        self.partial(upload_id).touch(exist_ok=False)

    async def tus_offset(self, upload_id: str) -> int:
        try:
            return (await asyncio.to_thread(os.stat, self.partial(upload_id))).st_size
        except FileNotFoundError:
            return 0

    async def tus_append(self, upload_id: str, offset: int, length: int, chunks: AsyncIterator[bytes]) -> int:
        """Appends to ``uploads/<id>`` under a file lock, fsynced at the end (what arrived is kept)."""
        try:
            handle = open(self.partial(upload_id), "ab")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise StorageError(404, "not_found", "Upload not found") from None
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StorageError(409, "InvalidRequest", "Another PATCH of this upload is under way") from None
            size = os.fstat(handle.fileno()).st_size
            if offset != size:
                raise StorageError(409, "InvalidRequest", f"Upload-Offset {offset} does not match {size}")
            try:
                async for chunk in chunks:
                    if size + len(chunk) > length:
                        raise StorageError(413, "Payload too large", f"More bytes than Upload-Length {length}", True)
                    handle.write(chunk)
                    size += len(chunk)
            finally:
                handle.flush()
                await asyncio.to_thread(os.fsync, handle.fileno())
        finally:
            handle.close()
        return size

    async def tus_drop(self, upload_id: str) -> None:
        self.partial(upload_id).unlink(missing_ok=True)

    async def finish(self, upload_id: str) -> Blob:
        """Turn a complete resumable upload into a blob: hashed, fsynced, renamed (never visible half-done)."""
        source = self.partial(upload_id)
        version = uuid.uuid4().hex
        final = self.path(version)

        def run() -> Blob:
            md5, size = hashlib.md5(usedforsecurity=False), 0
            with open(source, "rb") as f:
                while chunk := f.read(1 << 20):
                    md5.update(chunk)
                    size += len(chunk)
                os.fsync(f.fileno())
            final.parent.mkdir(exist_ok=True)
            os.rename(source, final)
            _fsync_dir(final.parent)
            return Blob(version, size, f'"{md5.hexdigest()}"')

        return await asyncio.to_thread(run)

    def writing(self, limit: int) -> FileWriting:
        return FileWriting(self, limit)

    async def copy(self, version: str) -> str:
        """A new blob with the same bytes (a hard link when the filesystem allows), for object copies."""
        new = uuid.uuid4().hex
        source, target = self.path(version), self.path(new)

        def run() -> None:
            target.parent.mkdir(exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                tmp = self.root / "tmp" / new
                with open(source, "rb") as src, open(tmp, "xb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                    dst.flush()
                    os.fsync(dst.fileno())
                os.rename(tmp, target)
            _fsync_dir(target.parent)

        await asyncio.to_thread(run)
        return new

    async def delete(self, versions: list[str]) -> None:
        def run() -> None:
            for v in versions:
                self.path(v).unlink(missing_ok=True)

        if versions:
            await asyncio.to_thread(run)

    async def read(self, version: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive, in chunks; the file is opened before the first one."""
        handle = await asyncio.to_thread(open, self.path(version), "rb")
        try:
            await asyncio.to_thread(handle.seek, start)
            left = end - start + 1
            while left > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK * 4, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            handle.close()


BACKENDS = ("fs", "s3")


def open_store(root: Path, toml: dict[str, Any]) -> Store:
    """The store ``storage_backend`` names: ``fs`` (blobs under ``root``) or ``s3`` (an S3-compatible bucket)."""
    backend = str(settings.get(settings.STORAGE_BACKEND, toml=toml)).strip().lower()
    if backend not in BACKENDS:
        raise settings.ConfigError(f"storage_backend: error: {backend!r} should be one of {', '.join(BACKENDS)}")
    if backend == "fs":
        return FileStore(root)
    from .s3store import S3Store, s3_config

    return S3Store(s3_config(toml))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
