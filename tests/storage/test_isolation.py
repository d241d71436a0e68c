"""Two tenants never reach each other's objects, whichever call they use; a user's own folder is theirs alone.

Alice writes in org A, Vera only reads there, Bob writes in org B (tests/storage/conftest.py).
Each row of the matrix is one official-client call by one actor; a read that is not
allowed looks like a missing object, a write is refused with 403 and changes nothing.
"""

from __future__ import annotations

import httpx
import pytest

pytest.importorskip("supabase")

from storage3.exceptions import StorageApiError  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _refused(call, status: int) -> None:
    with pytest.raises(StorageApiError) as exc:
        call()
    assert int(exc.value.status) == status, exc.value.message


def test_tenants_and_users_stay_apart(world):
    world.admin.storage.create_bucket("files")
    a, b = world.org_a, world.org_b
    alice = world.client("alice").storage.from_("files")
    vera = world.client("vera").storage.from_("files")
    bob = world.client("bob").storage.from_("files")
    anon = world.client().storage.from_("files")
    alice.upload(f"{a}/plan.txt", b"A's plan", {"content-type": "text/plain"})
    bob.upload(f"{b}/plan.txt", b"B's plan", {"content-type": "text/plain"})
    me = world.users["alice"]
    alice.upload(f"{me}/diary.txt", b"mine", {"content-type": "text/plain"})

    # members read their tenant's objects; a reader-level member cannot write
    assert vera.download(f"{a}/plan.txt") == b"A's plan"
    _refused(lambda: vera.upload(f"{a}/v.txt", b"v", {"content-type": "text/plain"}), 403)
    _refused(lambda: vera.update(f"{a}/plan.txt", b"v", {"content-type": "text/plain"}), 403)
    assert vera.remove([f"{a}/plan.txt"]) == []

    # the other tenant: every read looks missing, every write is refused
    _refused(lambda: bob.download(f"{a}/plan.txt"), 404)
    _refused(lambda: bob.info(f"{a}/plan.txt"), 404)
    assert not bob.exists(f"{a}/plan.txt")
    _refused(lambda: bob.create_signed_url(f"{a}/plan.txt", 60), 404)
    assert bob.create_signed_urls([f"{a}/plan.txt"], 60)[0]["signedURL"] is None
    assert bob.list(a) == []
    assert [e["name"] for e in bob.list()] == [b]  # the root shows only the folders one may read
    assert sorted(e["name"] for e in alice.list()) == sorted([a, me])
    _refused(lambda: bob.upload(f"{a}/evil.txt", b"x", {"content-type": "text/plain"}), 403)
    _refused(lambda: bob.create_signed_upload_url(f"{a}/evil.txt"), 403)
    assert bob.remove([f"{a}/plan.txt"]) == []
    _refused(lambda: bob.move(f"{a}/plan.txt", f"{b}/stolen.txt"), 404)
    _refused(lambda: bob.copy(f"{a}/plan.txt", f"{b}/stolen.txt"), 404)
    _refused(lambda: bob.move(f"{b}/plan.txt", f"{a}/plan2.txt"), 403)  # nor into the other's folder
    _refused(lambda: bob.copy(f"{b}/plan.txt", f"{a}/plan2.txt"), 403)
    _refused(lambda: alice.copy(f"{a}/plan.txt", f"{b}/leak.txt"), 403)  # alice cannot leak A into B
    _refused(lambda: alice.move(f"{a}/plan.txt", f"{b}/leak.txt"), 403)
    assert bob.list(b) and [e["name"] for e in bob.list(b)] == ["plan.txt"]

    # a user's own folder: theirs, not even their tenant's fellow members'
    _refused(lambda: vera.download(f"{me}/diary.txt"), 404)
    assert alice.download(f"{me}/diary.txt") == b"mine"

    # a signed URL made by the owner opens that object only, and only until it expires
    signed = alice.create_signed_url(f"{a}/plan.txt", 60)["signedURL"]
    assert httpx.get(signed).content == b"A's plan"
    assert httpx.get(signed.replace(a, b)).status_code == 400
    token = signed.split("token=")[1]
    other = f"{world.server.base}/storage/v1/object/sign/files/{b}/plan.txt?token={token}"
    assert httpx.get(other).status_code == 400
    # a signed-URL token is no API key, and an API key opens no signed URL
    headers = {"apikey": token, "authorization": f"Bearer {token}"}
    assert httpx.get(f"{world.server.base}/storage/v1/object/files/{a}/plan.txt", headers=headers).status_code == 401
    assert httpx.get(f"{world.server.base}/rest/v1/organizations", headers=headers).status_code == 401
    wrong = f"{world.server.base}/storage/v1/object/sign/files/{a}/plan.txt?token={world.server.service_key}"
    assert httpx.get(wrong).status_code == 400

    # anonymous callers reach nothing in a private bucket
    _refused(lambda: anon.download(f"{a}/plan.txt"), 404)
    _refused(lambda: anon.upload(f"{a}/anon.txt", b"x", {"content-type": "text/plain"}), 403)
    assert anon.list(a) == [] and anon.list() == []
    # and nothing above changed a byte
    assert world.admin.storage.from_("files").download(f"{a}/plan.txt") == b"A's plan"
    assert sorted(e["name"] for e in world.admin.storage.from_("files").list(a)) == ["plan.txt"]
    assert sorted(e["name"] for e in world.admin.storage.from_("files").list(b)) == ["plan.txt"]
