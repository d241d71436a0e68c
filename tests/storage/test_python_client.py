"""The official Python client (``supabase`` 2.x, storage3) against a live server, on both databases.

Every call storage3 makes: buckets (create with options, get, list, update, empty,
delete), uploads (bytes with metadata, upsert, update), download, info, exists,
list (prefix, limit, offset, sortBy, search), move, copy, remove, signed download
URLs (and their expiry), signed upload URLs and public URLs; errors arrive as
``StorageApiError`` with Supabase's status and code.
"""

from __future__ import annotations

import time

import httpx
import pytest

pytest.importorskip("supabase")

from storage3.exceptions import StorageApiError  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _status(exc: pytest.ExceptionInfo) -> int:
    return int(exc.value.status)


def test_buckets(world):
    st = world.admin.storage
    assert st.create_bucket("avatars", options={"public": True, "file_size_limit": 1024}) == {"name": "avatars"}
    st.create_bucket("reports", options={"allowed_mime_types": ["application/pdf", "image/*"]})
    got = st.get_bucket("avatars")
    assert (got.id, got.public, got.file_size_limit, got.allowed_mime_types) == ("avatars", True, 1024, None)
    assert [b.id for b in st.list_buckets()] == ["avatars", "reports"]
    assert st.get_bucket("reports").allowed_mime_types == ["application/pdf", "image/*"]
    st.update_bucket("reports", {"public": True, "file_size_limit": "2KB", "allowed_mime_types": ["text/plain"]})
    got = st.get_bucket("reports")
    assert (got.public, got.file_size_limit, got.allowed_mime_types) == (True, 2048, ["text/plain"])
    with pytest.raises(StorageApiError) as exc:
        st.create_bucket("avatars")
    assert (_status(exc), exc.value.code) == (409, "Duplicate")
    with pytest.raises(StorageApiError) as exc:
        st.get_bucket("nope")
    assert (_status(exc), exc.value.message) == (404, "Bucket not found")
    with pytest.raises(StorageApiError) as exc:
        st.create_bucket("../etc")
    assert _status(exc) == 400
    # only service_role changes buckets; a signed-in user and anon may look
    alice = world.client("alice").storage
    with pytest.raises(StorageApiError) as exc:
        alice.create_bucket("mine")
    assert _status(exc) == 403
    with pytest.raises(StorageApiError) as exc:
        alice.delete_bucket("avatars")
    assert _status(exc) == 403
    assert [b.id for b in alice.list_buckets()] == ["avatars", "reports"]
    st.update_bucket("reports", {"public": False})
    assert [b.id for b in world.client().storage.list_buckets()] == ["avatars"]
    # a bucket holding objects is emptied before it can go
    st.from_("avatars").upload(f"{world.org_a}/a.txt", b"x", {"content-type": "text/plain"})
    with pytest.raises(StorageApiError) as exc:
        st.delete_bucket("avatars")
    assert _status(exc) == 409
    assert st.empty_bucket("avatars")["message"]
    assert st.from_("avatars").list(world.org_a) == []
    assert st.delete_bucket("avatars") == {"message": "Successfully deleted"}
    assert [b.id for b in st.list_buckets()] == ["reports"]


def test_objects(world):
    world.admin.storage.create_bucket("docs")
    org = world.org_a
    files = world.client("alice").storage.from_("docs")
    key = f"{org}/reports/q1.txt"
    done = files.upload(key, b"first quarter", {"content-type": "text/plain", "metadata": {"k": "v"}})
    assert done.full_path == f"docs/{key}"
    with pytest.raises(StorageApiError) as exc:
        files.upload(key, b"again", {"content-type": "text/plain"})
    assert (_status(exc), exc.value.code) == (409, "Duplicate")
    files.upload(key, b"first quarter, revised", {"content-type": "text/plain", "upsert": "true"})
    assert files.download(key) == b"first quarter, revised"
    files.update(key, b"Q1", {"content-type": "text/markdown", "cache-control": "60"})
    info = files.info(key)
    assert (info["size"], info["content_type"], info["cache_control"]) == (2, "text/markdown", "max-age=60")
    assert info["name"] == key and info["bucket_id"] == "docs"
    assert files.exists(key) and not files.exists(f"{org}/reports/none.txt")
    with pytest.raises(StorageApiError) as exc:
        files.download(f"{org}/missing.txt")
    assert (_status(exc), exc.value.code) == (404, "not_found")

    for name in ("b.txt", "a.txt", "c.png"):
        files.upload(f"{org}/reports/{name}", name.encode() * 3, {"content-type": "text/plain"})
        time.sleep(0.01)
    files.upload(f"{org}/reports/2024/old.txt", b"old", {"content-type": "text/plain"})
    listed = files.list(f"{org}/reports")
    assert [e["name"] for e in listed] == ["2024", "a.txt", "b.txt", "c.png", "q1.txt"]
    assert listed[0]["id"] is None and listed[1]["metadata"]["size"] == 15
    assert [e["name"] for e in files.list(f"{org}/reports", {"limit": 2, "offset": 1})] == ["a.txt", "b.txt"]
    assert [e["name"] for e in files.list(f"{org}/reports", {"search": "c"})] == ["c.png"]
    newest = files.list(f"{org}/reports/", {"sortBy": {"column": "created_at", "order": "desc"}, "limit": 1})
    assert [e["name"] for e in newest] == ["c.png"]
    assert [e["name"] for e in files.list(f"{org}/reports", {"sortBy": {"column": "name", "order": "desc"}})][0] == (
        "q1.txt"
    )

    files.move(f"{org}/reports/a.txt", f"{org}/archive/a.txt")
    assert not files.exists(f"{org}/reports/a.txt")
    assert files.download(f"{org}/archive/a.txt") == b"a.txta.txta.txt"
    files.copy(f"{org}/archive/a.txt", f"{org}/archive/a-copy.txt")
    assert files.download(f"{org}/archive/a-copy.txt") == b"a.txta.txta.txt"
    removed = files.remove([f"{org}/archive/a.txt", f"{org}/archive/a-copy.txt", f"{org}/archive/none.txt"])
    assert sorted(r["name"] for r in removed) == [f"{org}/archive/a-copy.txt", f"{org}/archive/a.txt"]
    assert files.list(f"{org}/archive") == []


def test_signed_and_public_urls(world):
    st = world.admin.storage
    st.create_bucket("private")
    st.create_bucket("public", options={"public": True})
    org = world.org_a
    alice = world.client("alice").storage
    alice.from_("private").upload(f"{org}/x.txt", b"0123456789", {"content-type": "text/plain"})
    alice.from_("public").upload(f"{org}/logo.txt", b"logo", {"content-type": "text/plain"})

    signed = alice.from_("private").create_signed_url(f"{org}/x.txt", 60)["signedURL"]
    assert httpx.get(signed).content == b"0123456789"  # no key needed: the token is the permission
    part = httpx.get(signed, headers={"Range": "bytes=2-4"})
    assert (part.status_code, part.content, part.headers["content-range"]) == (206, b"234", "bytes 2-4/10")
    assert httpx.get(signed, headers={"Range": "bytes=-3"}).content == b"789"
    assert httpx.get(signed, headers={"Range": "bytes=20-"}).json()["statusCode"] == "416"
    named = alice.from_("private").create_signed_url(f"{org}/x.txt", 60, {"download": "report.txt"})["signedURL"]
    assert "attachment" in httpx.get(named).headers["content-disposition"]
    assert httpx.get(signed.replace("x.txt", "y.txt")).status_code == 400  # the token names one object
    short = alice.from_("private").create_signed_url(f"{org}/x.txt", 1)["signedURL"]
    time.sleep(2.1)
    expired = httpx.get(short)
    assert expired.status_code == 400 and expired.json()["message"] == "jwt expired"

    many = alice.from_("private").create_signed_urls([f"{org}/x.txt", f"{org}/none.txt"], 60)
    assert many[0]["error"] is None and httpx.get(many[0]["signedURL"]).content == b"0123456789"
    assert many[1]["signedURL"] is None and many[1]["error"]

    upload = alice.from_("private").create_signed_upload_url(f"{org}/up.txt")
    alice.from_("private").upload_to_signed_url(f"{org}/up.txt", upload["token"], b"uploaded")
    assert alice.from_("private").download(f"{org}/up.txt") == b"uploaded"
    reused = httpx.put(upload["signed_url"], content=b"again", headers={"content-type": "text/plain"})
    assert reused.json()["statusCode"] == "409"  # the token was made without upsert

    public_url = world.client().storage.from_("public").get_public_url(f"{org}/logo.txt")
    assert httpx.get(public_url).content == b"logo"
    assert (
        httpx.get(world.client().storage.from_("private").get_public_url(f"{org}/x.txt")).json()["statusCode"] == "404"
    )
    listed = world.client().storage.from_("public").list(org)
    assert [e["name"] for e in listed] == ["logo.txt"]
    assert world.client().storage.from_("private").list(org) == []
