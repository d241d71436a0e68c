"""Bad uploads are clean 4xx and write nothing: sizes, MIME types, malformed multipart, hostile names.

Checked over raw HTTP as well as through the client, since a client refuses some names
(``..``) before sending them. "Nothing written" means no row (the listing) and no file
left in the store (neither a blob nor a temporary file).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytest.importorskip("supabase")

from storage3.exceptions import StorageApiError  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_refusals_write_nothing(world):
    store = world.server.tmp / ".docbase" / "storage"
    world.admin.storage.create_bucket("small", options={"file_size_limit": 1000, "allowed_mime_types": ["text/*"]})
    org = world.org_a
    alice = world.client("alice").storage.from_("small")
    base = f"{world.server.base}/storage/v1/object/small"
    auth = {"apikey": world.server.anon_key, "authorization": f"Bearer {world.tokens['alice']}"}

    with pytest.raises(StorageApiError) as exc:
        alice.upload(f"{org}/big.txt", b"x" * 1001, {"content-type": "text/plain"})
    assert int(exc.value.status) == 413
    with pytest.raises(StorageApiError) as exc:
        alice.upload(f"{org}/pic.png", b"x", {"content-type": "image/png"})
    assert int(exc.value.status) == 415

    def chunks():  # no Content-Length: the limit is found while streaming, not from a header
        for _ in range(50):
            yield b"y" * 100

    streamed = httpx.post(f"{base}/{org}/stream.txt", content=chunks(), headers={**auth, "content-type": "text/plain"})
    assert streamed.status_code == 400 and streamed.json()["statusCode"] == "413"  # as Storage: the status in the body
    assert streamed.json()["code"] == "EntityTooLarge"  # the newer error system's name, beside the legacy word
    fine = httpx.post(f"{base}/{org}/ok.txt", content=b"z" * 1000, headers={**auth, "content-type": "text/plain"})
    assert fine.status_code == 200, fine.text

    malformed = [
        b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a"\r\nContent-Type: text/plain\r\n\r\nabc',  # never closed
        b"no boundary anywhere",
        b"--XYZ\r\nbroken header line\r\n\r\nabc\r\n--XYZ--\r\n",
        b'--XYZ\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n60\r\n--XYZ--\r\n',  # no file
    ]
    for body in malformed:
        r = httpx.post(
            f"{base}/{org}/multi.txt",
            content=body,
            headers={**auth, "content-type": "multipart/form-data; boundary=XYZ"},
        )
        assert r.status_code == 400 and set(r.json()) == {"statusCode", "code", "error", "message"}, (body, r.text)

    hostile = ["..%2F..%2Fetc%2Fpasswd", f"{org}/..%2F..%2Fx", f"{org}/a%00b", "%2Fetc%2Fpasswd", f"{org}//x",
               f"{org}/" + "n" * 300, f"{org}/a%5Cb", f"{org}/%2E/x", f"{org}/%2E%2E/%2E%2E/x"]  # fmt: skip
    for name in hostile:
        r = httpx.post(f"{base}/{name}", content=b"x", headers={**auth, "content-type": "text/plain"})
        assert r.status_code == 400, (name, r.status_code, r.text)
        assert r.json()["error"] == r.json()["code"] == "InvalidKey"
    with pytest.raises(ValueError):  # the client itself refuses dot segments
        alice.upload("../x.txt", b"x", {"content-type": "text/plain"})

    assert [e["name"] for e in world.admin.storage.from_("small").list(org)] == ["ok.txt"]
    assert len(_files(store)) == 1  # the one accepted blob; no temporary file survived a refusal
