"""File columns in the console: a member uploads an organisation's logo, sees it previewed, and teammates can read it.

Seed 003's ``organization.logo`` is a file column (docbase.conventions.files). The upload goes
to ``/storage/v1`` with the signed-in user's own session, under the organisation's folder
(``files/<organization id>/...``), so the organisation's other members may read it and
nobody else may.
"""

from __future__ import annotations

import struct
import uuid
import zlib

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, shot
from .test_browser import field, open_console

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def png(width: int, height: int) -> bytes:
    """A real PNG (red pixels) of the given size: the preview must decode it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _user(c: httpx.Client, live: LiveServer, org: str | None) -> tuple[str, str]:
    """Sign up a user (a member of ``org`` when given); returns (email, access token)."""
    service = {"apikey": live.service_key, "Authorization": f"Bearer {live.service_key}"}
    email = f"u-{uuid.uuid4().hex[:8]}@example.com"
    signup = c.post("/auth/v1/signup", headers={"apikey": live.anon_key}, json={"email": email, "password": PASSWORD})
    assert signup.status_code == 200, signup.text
    body = signup.json()
    user_id = (body.get("user") or body)["id"]
    if org is not None:
        member = {"id": str(uuid.uuid4()), "organizationId": org, "userId": user_id, "role": "owner"}
        assert c.post("/rest/v1/member", headers=service, json=member).status_code == 201
    token = c.post(
        "/auth/v1/token?grant_type=password",
        headers={"apikey": live.anon_key},
        json={"email": email, "password": PASSWORD},
    ).json()["access_token"]
    return email, token


def test_an_owner_uploads_a_logo_that_teammates_read_and_others_do_not(page, live_server):
    service = {"apikey": live_server.service_key, "Authorization": f"Bearer {live_server.service_key}"}
    org = str(uuid.uuid4())
    with httpx.Client(base_url=live_server.url) as c:
        assert (
            c.post(
                "/rest/v1/organization", headers=service, json={"id": org, "name": "Logo Co", "slug": org[:8]}
            ).status_code
            == 201
        )
        email, _ = _user(c, live_server, org)
        _, teammate = _user(c, live_server, org)
        _, stranger = _user(c, live_server, None)

    open_console(page, live_server, "/data/organization")
    page.click("#session button:has-text('Sign in')")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.signin-user button:has-text('Sign in')")
    page.wait_for_selector("#session [data-role=authenticated]")
    open_console(page, live_server, f"/data/organization/edit?id=eq.{org}")
    page.wait_for_selector("form.row-form")
    image = png(3, 2)
    page.set_input_files(
        "input[data-upload-for='logo']", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": image}]
    )
    expect(field(page, "logo").locator(".file-state")).to_have_text("uploaded")
    value = field(page, "logo").locator("input[type=text]").input_value()
    assert value.startswith(f"{live_server.url}/storage/v1/object/authenticated/files/{org}/organization/logo/")
    assert value.endswith("-logo.png")
    shot(page, "20-logo-uploaded")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector(".row-view[data-table='organization']")
    expect(page.locator(".grid.record tr[data-column='logo'] td")).to_contain_text(value)
    preview = page.locator(".file-preview[data-preview-for='logo'] img")
    preview.wait_for()
    page.wait_for_function(
        "() => document.querySelector(\".file-preview[data-preview-for='logo'] img\").naturalWidth > 0"
    )
    assert preview.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [3, 2]
    shot(page, "21-logo-previewed")

    path = value.removeprefix(f"{live_server.url}")
    with httpx.Client(base_url=live_server.url) as c:
        mine = c.get(path, headers={"apikey": live_server.anon_key, "Authorization": f"Bearer {teammate}"})
        assert mine.status_code == 200 and mine.content == image  # the organisation's folder: teammates read it
        theirs = c.get(path, headers={"apikey": live_server.anon_key, "Authorization": f"Bearer {stranger}"})
        assert theirs.json()["statusCode"] == "404", theirs.text  # nobody else does (it looks missing)
