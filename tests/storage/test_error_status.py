"""The HTTP status of a Storage refusal, as Supabase's Storage server sends it, and the `http` switch.

Storage's error handler answers every refusal with 400 (500 for a fault) and puts the real status in the
body's ``statusCode``; both official clients read the body, so code that checks ``error.statusCode`` (or
storage3's ``status``) works the same against Supabase and docbase. ``storage_error_status = "http"``
puts the body's status on the wire instead.
"""

from __future__ import annotations

import httpx
import pytest
from storage3.exceptions import StorageApiError

from .conftest import served_world

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _refusals(world) -> dict[str, tuple[int, str]]:
    """(wire status, body statusCode) of each refusal a user can meet."""
    world.admin.storage.create_bucket("files")
    world.admin.storage.create_bucket("tiny", options={"file_size_limit": 5})
    a = world.org_a
    base = f"{world.server.base}/storage/v1/object"
    alice = {"apikey": world.server.anon_key, "authorization": f"Bearer {world.tokens['alice']}"}
    bob = {"apikey": world.server.anon_key, "authorization": f"Bearer {world.tokens['bob']}"}
    plain = {"content-type": "text/plain"}
    assert httpx.post(f"{base}/files/{a}/x.txt", content=b"hello", headers={**alice, **plain}).status_code == 200
    answers = {
        "missing": httpx.get(f"{base}/files/{a}/none.txt", headers=alice),
        "other tenant": httpx.get(f"{base}/files/{a}/x.txt", headers=bob),
        "denied write": httpx.post(f"{base}/files/{a}/y.txt", content=b"y", headers={**bob, **plain}),
        "duplicate": httpx.post(f"{base}/files/{a}/x.txt", content=b"again", headers={**alice, **plain}),
        "too large": httpx.post(f"{base}/tiny/{a}/big.txt", content=b"123456", headers={**alice, **plain}),
        "bad range": httpx.get(f"{base}/files/{a}/x.txt", headers={**alice, "range": "bytes=50-"}),
        "no bucket": httpx.get(f"{base}/nobucket/{a}/x.txt", headers=alice),
        "no key": httpx.get(f"{base}/files/{a}/x.txt"),
    }
    return {what: (r.status_code, r.json()["statusCode"]) for what, r in answers.items()}


def test_refusals_are_400_with_the_status_in_the_body(world):
    assert _refusals(world) == {
        "missing": (400, "404"),
        "other tenant": (400, "404"),
        "denied write": (400, "403"),
        "duplicate": (400, "409"),
        "too large": (400, "413"),
        "bad range": (400, "416"),
        "no bucket": (400, "404"),
        "no key": (401, "401"),  # the gateway's refusal in Supabase, before Storage
    }
    files = world.client("alice").storage.from_("files")
    with pytest.raises(StorageApiError) as exc:  # storage3 reads the body: its status is the real one
        files.download(f"{world.org_a}/none.txt")
    assert (str(exc.value.status), exc.value.code) == ("404", "not_found")
    assert files.exists(f"{world.org_a}/x.txt") and not files.exists(f"{world.org_a}/none.txt")


@pytest.fixture
def http_world(tmp_path, db_url):
    with served_world(tmp_path, db_url, 'storage_error_status = "http"\n') as made:
        yield made


def test_http_puts_the_status_on_the_wire(http_world):
    assert {what: wire for what, (wire, body) in _refusals(http_world).items() if str(wire) == body} == {
        "missing": 404, "other tenant": 404, "denied write": 403, "duplicate": 409,
        "too large": 413, "bad range": 416, "no bucket": 404, "no key": 401,
    }  # fmt: skip
