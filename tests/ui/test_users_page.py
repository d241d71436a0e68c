"""The console's users page in a real browser (Debian's chromium) against a live server: list, invite, ban, delete.

Everything the page does goes through /auth/v1/admin, so each step is checked against the admin API as well
as on the page.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, shot
from .test_browser import open_console, use_service_key

pytestmark = pytest.mark.slow


def admin_users(live: LiveServer) -> dict[str, dict]:
    headers = {"apikey": live.service_key, "Authorization": f"Bearer {live.service_key}"}
    body = httpx.get(f"{live.url}/auth/v1/admin/users?per_page=1000", headers=headers).json()
    return {u["email"]: u for u in body["users"]}


def test_users_page_lists_invites_bans_and_deletes(page, live_server):
    anon = {"apikey": live_server.anon_key}
    for who in ("ada@example.com", "bob@example.com"):
        r = httpx.post(
            f"{live_server.url}/auth/v1/signup", json={"email": who, "password": "correct horse 9"}, headers=anon
        )
        assert r.status_code == 200, r.text

    open_console(page, live_server, "/users")
    expect(page.locator("[role=alert]")).to_contain_text("service_role")  # anon: no user list
    use_service_key(page, live_server)
    page.click("header nav a[data-tab=users]")
    expect(page.locator("tr[data-email='ada@example.com']")).to_have_count(1)
    expect(page.locator("tr[data-email='bob@example.com']")).to_have_count(1)
    shot(page, "users-01-list")

    page.fill("input[name=invite_email]", "cleo@example.com")
    page.click("form.users-invite button")
    expect(page.locator(".users-status")).to_contain_text("Invitation sent to cleo@example.com")
    expect(page.locator("tr[data-email='cleo@example.com'] td").nth(3)).to_have_text("invited")
    assert "cleo@example.com" in admin_users(live_server)

    bob = page.locator("tr[data-email='bob@example.com']")
    bob.locator("button.ban").click()
    expect(page.locator(".users-status")).to_contain_text("bob@example.com is banned")
    expect(page.locator("tr[data-email='bob@example.com'] button.ban")).to_have_text("Lift ban")
    assert admin_users(live_server)["bob@example.com"]["banned_until"]
    login = httpx.post(
        f"{live_server.url}/auth/v1/token?grant_type=password",
        json={"email": "bob@example.com", "password": "correct horse 9"},
        headers=anon,
    )
    assert login.status_code == 400 and login.json()["error_code"] == "user_banned"
    shot(page, "users-02-banned")
    page.locator("tr[data-email='bob@example.com'] button.ban").click()
    expect(page.locator(".users-status")).to_contain_text("Ban lifted for bob@example.com")
    assert not admin_users(live_server)["bob@example.com"].get("banned_until")

    delete = page.locator("tr[data-email='ada@example.com'] button.delete")
    delete.click()
    expect(delete).to_have_text("Confirm delete")  # one click never deletes
    assert "ada@example.com" in admin_users(live_server)
    delete.click()
    expect(page.locator(".users-status")).to_contain_text("ada@example.com deleted")
    expect(page.locator("tr[data-email='ada@example.com']")).to_have_count(0)
    assert "ada@example.com" not in admin_users(live_server)
    shot(page, "users-03-deleted")
