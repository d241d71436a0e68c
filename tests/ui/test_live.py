"""The data browser updates live: rows written elsewhere appear, change and go without a reload, for the
signed-in user's tenant only (the same /realtime/v1 endpoint and rules as supabase-js)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_browser import open_console

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def _member_of_new_org(c: httpx.Client, service: dict[str, str], anon: str) -> tuple[str, str]:
    """A fresh organization and a user who owns it; returns (organization id, email)."""
    org = str(uuid.uuid4())
    assert c.post("/rest/v1/organization", headers=service, json={"id": org, "name": "o", "slug": org[:8]}).is_success
    email = f"live-{uuid.uuid4().hex[:6]}@example.com"
    signup = c.post("/auth/v1/signup", headers={"apikey": anon}, json={"email": email, "password": PASSWORD})
    assert signup.status_code == 200, signup.text
    user_id = (signup.json().get("user") or signup.json())["id"]
    member = {"id": str(uuid.uuid4()), "organizationId": org, "userId": user_id, "role": "owner"}
    assert c.post("/rest/v1/member", headers=service, json=member).status_code == 201
    return org, email


def test_rows_written_elsewhere_appear_change_and_go_for_their_tenant_only(page, live_server):
    service = {"apikey": live_server.service_key, "Authorization": f"Bearer {live_server.service_key}"}
    with httpx.Client(base_url=live_server.url) as c:
        mine, email = _member_of_new_org(c, service, live_server.anon_key)
        other = str(uuid.uuid4())
        assert c.post("/rest/v1/organization", headers=service, json={"id": other, "name": "x", "slug": other[:8]})
        open_console(page, live_server, f"/data/monitors?organizationId=eq.{mine}")
        page.click("#session button:has-text('Sign in')")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.signin-user button:has-text('Sign in')")
        page.wait_for_selector("#session [data-role=authenticated]")
        expect(page.locator(".live")).to_have_attribute("data-live", "live", timeout=30_000)
        expect(page.locator(".rows .count")).to_have_text("0 rows")

        theirs, ours = f"theirs-{uuid.uuid4().hex[:6]}", f"ours-{uuid.uuid4().hex[:6]}"
        made = c.post("/rest/v1/monitors", headers=service, json={"name": theirs, "organizationId": other})
        assert made.status_code == 201
        made = c.post(
            "/rest/v1/monitors",
            headers={**service, "Prefer": "return=representation"},
            json={"name": ours, "organizationId": mine},
        )
        assert made.status_code == 201
        monitor = made.json()[0]["id"]
        row = page.locator(".grid.data tbody tr", has_text=ours)
        expect(row).to_have_count(1, timeout=30_000)  # no reload: the event brought it
        expect(row).to_have_class("clickable changed")
        expect(page.locator(".rows .count")).to_have_text("1 row")
        expect(page.locator(f"text={theirs}")).to_have_count(0)  # another tenant's row never shows
        shot(page, "14-live-insert")

        renamed = f"renamed-{uuid.uuid4().hex[:6]}"
        assert c.patch(f"/rest/v1/monitors?id=eq.{monitor}", headers=service, json={"name": renamed}).is_success
        expect(page.locator(".grid.data tbody td[data-column='name']")).to_have_text([renamed], timeout=30_000)

        assert c.delete(f"/rest/v1/monitors?id=eq.{monitor}", headers=service).is_success
        expect(page.locator(".rows .count")).to_have_text("0 rows", timeout=30_000)
        expect(page.locator(".empty")).to_have_text("No rows to show.")


def test_leaving_the_rows_view_closes_the_live_socket(page, live_server):
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    open_console(page, live_server, "/data/monitors")
    page.click("#session button:has-text('Sign in')")
    page.fill("textarea[name=service_key]", live_server.service_key)
    page.click("button:has-text('Use key')")
    expect(page.locator(".live")).to_have_attribute("data-live", "live", timeout=30_000)
    assert sockets and all(ws.url.split("?")[0].endswith("/realtime/v1/websocket") for ws in sockets)
    assert [ws.is_closed() for ws in sockets] == [True] * (len(sockets) - 1) + [False]  # one open at a time
    page.goto(f"{live_server.url}/#/schema")
    page.wait_for_selector(".content")
    for _ in range(50):
        if sockets[-1].is_closed():
            break
        page.wait_for_timeout(100)
    assert all(ws.is_closed() for ws in sockets)
