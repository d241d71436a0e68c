"""The filesystem store: atomic writes, the size limit per chunk, and the sweep of what a crash left."""

from __future__ import annotations

import os
import time

import pytest

from docbase.storage.errors import StorageError
from docbase.storage.store import FileStore


async def test_a_blob_is_visible_only_once_committed(tmp_path):
    store = FileStore(tmp_path)
    writing = store.writing(limit=10)
    await writing.write(b"hello")
    assert not store.path(writing.version).exists() and writing.tmp.exists()
    blob = await writing.commit()
    assert store.path(blob.version).read_bytes() == b"hello" and not writing.tmp.exists()
    assert blob.size == 5 and blob.etag == '"5d41402abc4b2a76b9719d911017c592"'


async def test_the_limit_is_checked_at_each_chunk(tmp_path):
    store = FileStore(tmp_path)
    writing = store.writing(limit=8)
    await writing.write(b"12345")
    with pytest.raises(StorageError) as exc:
        await writing.write(b"6789")
    assert exc.value.status == 413 and not writing.tmp.exists()
    assert list((tmp_path / "blobs").rglob("*")) == []


def test_blob_ids_are_never_paths(tmp_path):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path("../../etc/passwd")


def test_sweep_removes_only_old_leftovers(tmp_path):
    store = FileStore(tmp_path)
    old_tmp, new_tmp = store.root / "tmp" / "a", store.root / "tmp" / "b"
    live, dead = store.partial("live"), store.partial("dead")
    for path in (old_tmp, new_tmp, live, dead):
        path.write_bytes(b"x")
    day_ago = time.time() - 2 * 86400
    for path in (old_tmp, live, dead):
        os.utime(path, (day_ago, day_ago))
    assert store.sweep(86400, keep={"live"}) == 2
    assert not old_tmp.exists() and not dead.exists() and new_tmp.exists() and live.exists()
