"""Deleting a tenant removes its stored files (or keeps them for service_role only, as docbase.toml says).

The tenant's row is deleted through the API; the object rows under ``<bucket>/<tenant id>/``
go in the same transaction (a trigger, whoever deletes), the other tenant's stay, and the
bytes left on disk are swept at the next start once they are old enough.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("supabase")

from storage3.exceptions import StorageApiError  # noqa: E402

from ..api.test_serve import Server  # noqa: E402
from .conftest import DOC, TOML, make_world  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _blobs(root: Path) -> set[str]:
    return {p.name for p in (root / ".docbase" / "storage" / "blobs").rglob("*") if p.is_file()}


def _start(tmp_path: Path, db_url: str, toml: str) -> Server:
    (tmp_path / "docbase.toml").write_text(toml)
    server = Server(tmp_path, db_url, document=DOC)
    server.start()
    return server


def test_deleting_a_tenant_removes_its_objects_and_then_their_bytes(tmp_path, db_url):
    server = _start(tmp_path, db_url, TOML)
    try:
        world = make_world(server)
        world.admin.storage.create_bucket("files")
        a, b = world.org_a, world.org_b
        world.client("alice").storage.from_("files").upload(f"{a}/plan.txt", b"A's plan")
        world.client("bob").storage.from_("files").upload(f"{b}/plan.txt", b"B's plan")
        world.admin.storage.from_("files").upload(f"{a}.txt", b"beside the folder, not in it")
        before = _blobs(tmp_path)
        assert len(before) == 3

        world.admin.table("organizations").delete().eq("id", a).execute()

        files = world.admin.storage.from_("files")
        assert files.list(a) == []
        with pytest.raises(StorageApiError) as exc:
            files.download(f"{a}/plan.txt")
        assert int(exc.value.status) == 404
        assert files.download(f"{b}/plan.txt") == b"B's plan"  # the other tenant keeps its files
        assert files.download(f"{a}.txt") == b"beside the folder, not in it"
        assert _blobs(tmp_path) == before  # bytes stay until the sweep: a rolled-back delete loses nothing
    finally:
        server.stop()

    # The next start sweeps blobs no row names, once they are older than a day (live uploads are younger).
    day_old = time.time() - 2 * 24 * 3600
    for path in (tmp_path / ".docbase" / "storage" / "blobs").rglob("*"):
        if path.is_file():
            os.utime(path, (day_old, day_old))
    server = _start(tmp_path, db_url, TOML)
    try:
        with httpx.Client(base_url=server.base, headers={"apikey": server.service_key}) as c:
            auth = {"Authorization": f"Bearer {server.service_key}"}
            assert c.get("/storage/v1/bucket/files", headers=auth).status_code == 200  # first use: sweep runs
            after = _blobs(tmp_path)
            assert len(after) == 2 and after < before
            assert c.get(f"/storage/v1/object/files/{b}/plan.txt", headers=auth).content == b"B's plan"
    finally:
        server.stop()


def test_keep_leaves_the_objects_for_service_role_only(tmp_path, db_url):
    server = _start(tmp_path, db_url, TOML + '\n[storage]\non_tenant_delete = "keep"\n')
    try:
        world = make_world(server)
        world.admin.storage.create_bucket("files")
        a = world.org_a
        alice = world.client("alice").storage.from_("files")
        alice.upload(f"{a}/plan.txt", b"A's plan")
        world.admin.table("organizations").delete().eq("id", a).execute()

        assert world.admin.storage.from_("files").download(f"{a}/plan.txt") == b"A's plan"
        with pytest.raises(StorageApiError) as exc:  # alice's membership went with the organisation
            alice.download(f"{a}/plan.txt")
        assert int(exc.value.status) == 404
    finally:
        server.stop()


def test_an_unknown_choice_stops_the_server_naming_the_key(tmp_path, db_url):
    (tmp_path / "docbase.toml").write_text('[storage]\non_tenant_delete = "shred"\n')
    server = Server(tmp_path, db_url, document=DOC)
    with pytest.raises(AssertionError) as exc:
        server.start()
    assert "storage.on_tenant_delete" in str(exc.value)
