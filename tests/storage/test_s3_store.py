"""The S3 store against a real S3-compatible server (SeaweedFS), directly and behind ``docbase serve``.

Directly: a blob is visible only once committed (small ones as one PutObject, larger
ones as a multipart upload whose parts are never an object), the size limit is checked
per chunk and aborts the multipart upload, ranged reads cross part boundaries, copy,
delete, resumable-upload finish, and the sweeps (crashed multipart uploads, blobs by
prefix). Behind the server, on both databases: the official Python client's object
calls and signed URLs with ranges, kill -9 mid-upload, and 200 MB in bounded memory.
"""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from docbase.settings import ConfigError
from docbase.storage.errors import StorageError
from docbase.storage.s3store import PART, S3Store, s3_config
from docbase.storage.store import FileStore, open_store

from ..api.test_serve import Server
from .conftest import DOC
from .seaweed import BUCKET, SECRET_KEY
from .test_durability import MB, big_upload_in_bounded_memory, kill_during_upload
from .test_python_client import test_objects as objects_calls
from .test_python_client import test_signed_and_public_urls as signed_url_calls
from .test_tus import resumable_upload_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # as in test_python_client


@pytest.fixture
def store(tmp_path, weed, s3_prefix) -> S3Store:
    return S3Store(s3_config(weed.settings(s3_prefix)))


async def _read(store: S3Store, version: str, start: int, end: int) -> bytes:
    return b"".join([chunk async for chunk in store.read(version, start, end)])


def _uploads(weed, prefix: str) -> list[str]:
    return [
        u["Key"] for u in weed.client().list_multipart_uploads(Bucket=BUCKET, Prefix=f"{prefix}/").get("Uploads", [])
    ]


def test_settings_choose_the_store(tmp_path, weed):
    assert isinstance(open_store(tmp_path, {}), FileStore)
    chosen = open_store(tmp_path, weed.settings("x"))
    assert isinstance(chosen, S3Store) and chosen.where == f"{weed.endpoint}/{BUCKET}/x/"
    assert "secret" not in repr(chosen.config)
    with pytest.raises(ConfigError, match="storage_backend"):
        open_store(tmp_path, {"storage_backend": "ftp"})
    with pytest.raises(ConfigError, match="storage_s3_bucket"):
        open_store(tmp_path, {"storage_backend": "s3"})


async def test_a_small_blob_is_visible_only_once_committed(store, weed, s3_prefix):
    writing = store.writing(limit=100)
    await writing.write(b"hello ")
    await writing.write(b"world")
    assert weed.keys(s3_prefix) == [] and _uploads(weed, s3_prefix) == []
    blob = await writing.commit()
    assert weed.keys(s3_prefix) == [f"{s3_prefix}/blobs/{blob.version[:2]}/{blob.version}"]
    assert (blob.size, blob.etag) == (11, f'"{hashlib.md5(b"hello world").hexdigest()}"')
    assert await _read(store, blob.version, 0, 10) == b"hello world"
    assert await _read(store, blob.version, 6, 8) == b"wor"


async def test_a_large_blob_goes_up_in_parts_and_reads_in_ranges(store, weed, s3_prefix):
    data = bytes(range(256)) * (4 * 1024) * 5  # 5 MB
    writing = store.writing(limit=4 * PART)
    for _ in range(4):  # 20 MB in 5 MB chunks: two parts sent before commit
        await writing.write(data)
    assert weed.keys(s3_prefix) == []  # the parts are no object yet
    assert len(_uploads(weed, s3_prefix)) == 1
    blob = await writing.commit()
    assert blob.size == 20 * MB and _uploads(weed, s3_prefix) == []
    assert blob.etag == f'"{hashlib.md5(data * 4).hexdigest()}"'
    across = await _read(store, blob.version, PART - 3, PART + 2)  # the first part's end, the second's start
    assert across == (data * 4)[PART - 3 : PART + 3]
    assert await _read(store, blob.version, 20 * MB - 4, 20 * MB - 1) == (data * 4)[-4:]

    copied = await store.copy(blob.version)
    assert await _read(store, copied, 0, 3) == data[:4]
    await store.delete([blob.version])
    assert weed.keys(s3_prefix) == [f"{s3_prefix}/blobs/{copied[:2]}/{copied}"]


async def test_the_limit_is_checked_at_each_chunk_and_aborts_the_upload(store, weed, s3_prefix):
    writing = store.writing(limit=PART + MB)
    await writing.write(b"a" * PART)
    assert len(_uploads(weed, s3_prefix)) == 1
    with pytest.raises(StorageError) as exc:
        await writing.write(b"b" * (2 * MB))
    assert exc.value.status == 413
    assert _uploads(weed, s3_prefix) == [] and weed.keys(s3_prefix) == []


async def _body(*pieces: bytes):
    for piece in pieces:
        yield piece


async def test_a_resumable_upload_gathers_in_the_bucket_so_any_machine_continues_it(store, weed, s3_prefix):
    other = S3Store(store.config)  # a second server sharing the bucket (and the database)
    length = PART + 10
    await store.tus_begin("abc123")
    assert await store.tus_offset("abc123") == 0
    assert await store.tus_append("abc123", 0, length, _body(b"a" * MB, b"b" * MB)) == 2 * MB
    assert await other.tus_offset("abc123") == 2 * MB  # the other machine sees what was kept
    with pytest.raises(StorageError) as exc:
        await other.tus_append("abc123", MB, length, _body(b"x"))
    assert exc.value.status == 409  # not where the kept bytes end
    with pytest.raises(StorageError) as exc:
        await other.tus_append("abc123", 2 * MB, length, _body(b"c" * (PART - 2 * MB), b"d" * 11))
    assert exc.value.status == 413 and await store.tus_offset("abc123") == PART  # what fit is kept
    assert await other.tus_append("abc123", PART, length, _body(b"d" * 10)) == length
    assert weed.keys(s3_prefix) and all("/uploads/abc123/" in k for k in weed.keys(s3_prefix))
    blob = await other.finish("abc123")
    expected = b"a" * MB + b"b" * MB + b"c" * (PART - 2 * MB) + b"d" * 10
    assert blob.size == length and blob.etag == f'"{hashlib.md5(expected).hexdigest()}"'
    assert await _read(store, blob.version, 0, length - 1) == expected
    assert weed.keys(s3_prefix) == [f"{s3_prefix}/blobs/{blob.version[:2]}/{blob.version}"]  # pieces gone
    assert _uploads(weed, s3_prefix) == []


async def test_a_piece_off_the_chain_is_ignored(store, weed, s3_prefix):
    await store.tus_append("race", 0, 100, _body(b"0123456789"))
    # a PATCH that lost a race left a piece overlapping the chain; it is not counted, nor read
    weed.client().put_object(Bucket=BUCKET, Key=f"{s3_prefix}/uploads/race/{5:015d}", Body=b"zzzzz")
    assert await store.tus_offset("race") == 10
    await store.tus_drop("race")
    assert weed.keys(s3_prefix) == []


async def test_the_sweeps_find_crashed_uploads_and_unnamed_blobs(store, weed, s3_prefix):
    crashed = store.writing(limit=4 * PART)
    await crashed.write(b"c" * PART)  # a part sent, then the process "dies": no commit, no abort
    kept = store.writing(limit=10)
    await kept.write(b"kept")
    blob = await kept.commit()
    await store.tus_append("live", 0, 100, _body(b"kept"))
    await store.tus_append("dead", 0, 100, _body(b"abandoned"))
    assert store.sweep(older_than=3600, keep={"live"}) == 0  # nothing is a day (an hour) old yet
    assert len(_uploads(weed, s3_prefix)) == 1
    # everything counts as old: the crashed upload is aborted, the abandoned resumable upload's piece goes
    assert store.sweep(older_than=-60, keep={"live"}) == 2
    assert _uploads(weed, s3_prefix) == [] and await store.tus_offset("dead") == 0
    assert await store.tus_offset("live") == 4
    await store.tus_drop("live")
    assert store.old_blobs(older_than=3600) == []
    assert store.old_blobs(older_than=-60) == [(blob.version[:2], [blob.version])]


def test_python_client_objects_on_s3(s3_world, weed, s3_prefix):
    objects_calls(s3_world)
    keys = weed.keys(s3_prefix)
    # one blob per object left (q1.txt, b.txt, c.png, 2024/old.txt): overwritten and removed ones went
    assert len(keys) == 4 and all(k.startswith(f"{s3_prefix}/blobs/") for k in keys)
    assert not list((s3_world.server.tmp / ".docbase" / "storage" / "blobs").rglob("*"))  # none on the disk


def test_signed_urls_and_ranges_on_s3(s3_world, weed, s3_prefix):
    signed_url_calls(s3_world)
    assert weed.keys(s3_prefix)


def test_refused_credentials_are_a_logged_500_that_never_shows_the_secret(tmp_path, sqlite_url, weed, s3_prefix):
    wrong = "not-the-secret-" + s3_prefix
    toml = weed.toml(s3_prefix).replace(SECRET_KEY, wrong)
    (tmp_path / "docbase.toml").write_text(toml)
    server = Server(tmp_path, sqlite_url, document=DOC)
    server.start()
    try:
        with server.client() as c:
            refused = c.post("/storage/v1/bucket", json={"id": "files"})
        assert refused.status_code == 500 and refused.json()["error"] == "InternalError"
    finally:
        server.stop()
    assert server.proc is not None and server.proc.stdout is not None
    log = server.output + server.proc.stdout.read()
    assert "storage: unexpected error" in log and "403" in log and wrong not in log
    assert weed.keys(s3_prefix) == []


def test_an_upload_the_client_abandons_is_aborted_in_s3(tmp_path, sqlite_url, weed, s3_prefix):
    (tmp_path / "docbase.toml").write_text(weed.toml(s3_prefix))
    server = Server(tmp_path, sqlite_url, document=DOC)
    server.start()
    try:
        with server.client() as c:
            assert c.post("/storage/v1/bucket", json={"id": "files"}).status_code == 200

        class GaveUp(Exception):
            pass

        def body():
            for _ in range(9):  # past one part: a multipart upload is under way
                yield b"x" * MB
            deadline = time.time() + 30
            while not _uploads(weed, s3_prefix) and time.time() < deadline:
                time.sleep(0.05)
            raise GaveUp  # the client drops the connection mid-body

        headers = {"apikey": server.service_key, "content-type": "application/octet-stream"}
        with pytest.raises(GaveUp):
            httpx.post(f"{server.base}/storage/v1/object/files/gone.bin", content=body(), headers=headers)
        deadline = time.time() + 30
        while _uploads(weed, s3_prefix) and time.time() < deadline:
            time.sleep(0.05)
        assert _uploads(weed, s3_prefix) == [] and weed.keys(s3_prefix) == []  # aborted, and never an object
        with server.client() as c:
            assert c.get("/storage/v1/object/files/gone.bin").json()["statusCode"] == "404"
    finally:
        server.stop()


@pytest.mark.slow
def test_resumable_upload_to_s3(s3_world, weed, s3_prefix):
    resumable_upload_calls(s3_world)  # tus-js-client: interrupted, resumed from HEAD's offset, finished
    assert len(weed.keys(s3_prefix)) == 1 and _uploads(weed, s3_prefix) == []  # the blob; no piece is left
    assert not (s3_world.server.tmp / ".docbase" / "storage" / "uploads").exists()  # nothing on the local disk


@pytest.mark.slow
def test_kill_during_s3_upload_leaves_no_object(tmp_path, db_url, weed, s3_prefix):
    def part_sent() -> bool:
        return bool(_uploads(weed, s3_prefix))

    kill_during_upload(tmp_path, db_url, weed.toml(s3_prefix), part_sent, lambda: weed.keys(s3_prefix))
    assert len(_uploads(weed, s3_prefix)) == 1  # the crashed multipart upload: never an object; swept after a day


@pytest.mark.slow
def test_200_mb_through_s3_in_bounded_memory(tmp_path, db_url, weed, s3_prefix):
    big_upload_in_bounded_memory(tmp_path, db_url, weed.toml(s3_prefix))
    assert len(weed.keys(s3_prefix)) == 1
