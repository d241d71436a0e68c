"""The admin API in-process, both databases: who may call it, and what each call leaves in the tables."""

from __future__ import annotations

import pytest

from docbase.auth import keys

from .conftest import SECRET, Clock, make_harness

SERVICE = {"Authorization": f"Bearer {keys.service_key(SECRET)}"}


def table(h, name: str) -> str:
    return f"auth.{name}" if h.engine.dialect.name == "postgresql" else f"auth_{name}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/v1/admin/users"),
        ("POST", "/auth/v1/admin/users"),
        ("GET", "/auth/v1/admin/users/00000000-0000-4000-8000-000000000000"),
        ("PUT", "/auth/v1/admin/users/00000000-0000-4000-8000-000000000000"),
        ("DELETE", "/auth/v1/admin/users/00000000-0000-4000-8000-000000000000"),
        ("POST", "/auth/v1/admin/generate_link"),
        ("POST", "/auth/v1/invite"),
    ],
)
async def test_only_service_role_reaches_the_admin_api(auth, method, path):
    await auth.signup()
    user_token = (await auth.login()).json()["access_token"]
    callers = {
        "none": ({}, 401, "no_authorization"),
        "anon": ({"Authorization": f"Bearer {auth.anon}"}, 403, "not_admin"),
        "user": ({"Authorization": f"Bearer {user_token}"}, 403, "not_admin"),
        "forged": ({"Authorization": f"Bearer {keys.service_key('another-secret-0123456789-abcdefghijkl')}"}, 401, "bad_jwt"),
    }  # fmt: skip
    for who, (headers, status, code) in callers.items():
        r = await auth.client.request(method, path, headers=headers, json={"email": "eve@example.com"})
        assert (r.status_code, r.json()["error_code"], who) == (status, code, who)
        assert r.json()["code"] == status
    assert (await auth.client.request(method, path, headers={"apikey": ""}, json={})).status_code == 401
    assert len(await auth.rows(f"SELECT id FROM {table(auth, 'users')}")) == 1  # nobody was created


async def test_create_get_update_and_ban(auth):
    r = await auth.client.post(
        "/auth/v1/admin/users",
        headers=SERVICE,
        json={
            "email": "Grace@Example.com",
            "password": "correct horse",
            "email_confirm": True,
            "user_metadata": {"name": "Grace"},
            "app_metadata": {"plan": "pro"},
        },
    )
    assert r.status_code == 200, r.text
    user = r.json()
    assert user["email"] == "grace@example.com" and user["email_confirmed_at"]
    assert user["user_metadata"] == {"name": "Grace"}
    assert user["app_metadata"] == {"provider": "email", "providers": ["email"], "plan": "pro"}
    # the document's users table follows (name from metadata, the hash, verified)
    profile = await auth.rows("SELECT name, is_verified, password_hash FROM users WHERE email = 'grace@example.com'")
    assert profile[0]["name"] == "Grace" and profile[0]["is_verified"] in (True, 1)
    assert profile[0]["password_hash"].startswith("$2")
    assert (await auth.login("grace@example.com")).status_code == 200
    dup = await auth.client.post("/auth/v1/admin/users", headers=SERVICE, json={"email": "grace@example.com"})
    assert (dup.status_code, dup.json()["error_code"]) == (422, "email_exists")

    got = await auth.client.get(f"/auth/v1/admin/users/{user['id']}", headers=SERVICE)
    assert got.json()["id"] == user["id"]
    missing = await auth.client.get("/auth/v1/admin/users/00000000-0000-4000-8000-000000000000", headers=SERVICE)
    assert (missing.status_code, missing.json()["error_code"]) == (404, "user_not_found")

    changed = await auth.client.put(
        f"/auth/v1/admin/users/{user['id']}",
        headers=SERVICE,
        json={"user_metadata": {"name": None, "theme": "dark"}, "password": "another horse", "ban_duration": "24h"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["user_metadata"] == {"theme": "dark"} and changed.json()["banned_until"]
    banned = await auth.login("grace@example.com", "another horse")
    assert (banned.status_code, banned.json()["error_code"]) == (400, "user_banned")
    bad = await auth.client.put(f"/auth/v1/admin/users/{user['id']}", headers=SERVICE, json={"ban_duration": "1x"})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "validation_failed")
    lifted = await auth.client.put(f"/auth/v1/admin/users/{user['id']}", headers=SERVICE, json={"ban_duration": "none"})
    assert "banned_until" not in lifted.json()
    assert (await auth.login("grace@example.com", "another horse")).status_code == 200


async def test_a_ban_ends_on_the_service_clock(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock)
    try:
        made = await h.client.post(
            "/auth/v1/admin/users", headers=SERVICE, json={"email": "bo@example.com", "password": "correct horse"}
        )
        uid = made.json()["id"]
        await h.client.put(f"/auth/v1/admin/users/{uid}", headers=SERVICE, json={"ban_duration": "1h30m"})
        assert (await h.login("bo@example.com")).json()["error_code"] == "user_banned"
        clock.now += 5401
        assert (await h.login("bo@example.com")).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_list_pages_with_gotrue_headers(auth):
    for n in range(5):
        r = await auth.client.post("/auth/v1/admin/users", headers=SERVICE, json={"email": f"u{n}@example.com"})
        assert r.status_code == 200
    first = await auth.client.get("/auth/v1/admin/users", headers=SERVICE, params={"page": 1, "per_page": 2})
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "5"
    assert first.headers["link"] == (
        '</auth/v1/admin/users?page=2&per_page=2>; rel="next", </auth/v1/admin/users?page=3&per_page=2>; rel="last"'
    )
    last = await auth.client.get("/auth/v1/admin/users", headers=SERVICE, params={"page": 3, "per_page": 2})
    assert last.headers["link"] == '</auth/v1/admin/users?page=3&per_page=2>; rel="last"'
    pages = [first.json()["users"], (await auth.client.get(
        "/auth/v1/admin/users", headers=SERVICE, params={"page": 2, "per_page": 2})).json()["users"], last.json()["users"]]  # fmt: skip
    emails = [u["email"] for page in pages for u in page]
    assert sorted(emails) == [f"u{n}@example.com" for n in range(5)] and [len(p) for p in pages] == [2, 2, 1]
    bad = await auth.client.get("/auth/v1/admin/users", headers=SERVICE, params={"per_page": "-1"})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "validation_failed")


async def test_hard_delete_cascades_and_soft_delete_keeps_the_row(auth):
    one = (await auth.signup("one@example.com")).json()
    two = (await auth.signup("two@example.com")).json()
    sessions, tokens = table(auth, "sessions"), table(auth, "refresh_tokens")
    assert len(await auth.rows(f"SELECT id FROM {sessions}")) == 2
    gone = await auth.client.request("DELETE", f"/auth/v1/admin/users/{one['user']['id']}", headers=SERVICE)
    assert (gone.status_code, gone.json()) == (200, {})
    left = await auth.rows(f"SELECT user_id FROM {sessions}")
    assert [str(r["user_id"]).replace("-", "") for r in left] == [two["user"]["id"].replace("-", "")]
    assert len(await auth.rows(f"SELECT id FROM {tokens}")) == 1  # the deleted user's token went by cascade
    assert (await auth.login("one@example.com")).status_code == 400

    soft = await auth.client.request(
        "DELETE", f"/auth/v1/admin/users/{two['user']['id']}", headers=SERVICE, json={"should_soft_delete": True}
    )
    assert soft.status_code == 200
    assert (await auth.login("two@example.com")).status_code == 400
    kept = await auth.client.get(f"/auth/v1/admin/users/{two['user']['id']}", headers=SERVICE)
    assert kept.status_code == 200 and kept.json()["deleted_at"] and kept.json()["email"] == ""
    assert await auth.rows(f"SELECT id FROM {sessions}") == []
    me = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {two['access_token']}"})
    assert me.status_code == 403


async def test_generate_link_and_invite(auth):
    link = await auth.client.post(
        "/auth/v1/admin/generate_link", headers=SERVICE, json={"type": "invite", "email": "new@example.com"}
    )
    assert link.status_code == 200, link.text
    body = link.json()
    assert body["verification_type"] == "invite" and len(body["email_otp"]) == 6
    assert body["action_link"].startswith("http://testserver/auth/v1/verify?token=" + body["hashed_token"])
    assert body["email"] == "new@example.com" and body["invited_at"]
    assert await auth.outbox() == []  # generate_link mails nothing
    verified = await auth.client.post(
        "/auth/v1/verify", json={"type": "invite", "email": "new@example.com", "token": body["email_otp"]}
    )
    assert verified.status_code == 200 and verified.json()["user"]["email_confirmed_at"]
    again = await auth.client.post(
        "/auth/v1/verify", json={"type": "invite", "email": "new@example.com", "token": body["email_otp"]}
    )
    assert (again.status_code, again.json()["error_code"]) == (403, "otp_expired")

    nobody = await auth.client.post(
        "/auth/v1/admin/generate_link", headers=SERVICE, json={"type": "recovery", "email": "none@example.com"}
    )
    assert (nobody.status_code, nobody.json()["error_code"]) == (404, "user_not_found")
    change = await auth.client.post(
        "/auth/v1/admin/generate_link",
        headers=SERVICE,
        json={"type": "email_change_new", "email": "new@example.com", "new_email": "newer@example.com"},
    )
    assert change.json()["verification_type"] == "email_change" and change.json()["new_email"] == "newer@example.com"
    done = await auth.client.get(
        "/auth/v1/verify", params={"type": "email_change", "token": change.json()["hashed_token"]}
    )
    assert done.status_code == 303 and "access_token=" in done.headers["location"]
    assert await auth.rows(f"SELECT email FROM {table(auth, 'users')} WHERE email = 'newer@example.com'")

    invited = await auth.client.post("/auth/v1/invite", headers=SERVICE, json={"email": "guest@example.com"})
    assert invited.status_code == 200 and "action_link" not in invited.json()
    mail = await auth.outbox()
    assert [(m["recipient"], m["kind"]) for m in mail] == [("guest@example.com", "invite")]
    assert "type=invite" in mail[0]["body"]


async def test_invitations_are_rate_limited_per_address(db_url):
    h = await make_harness(db_url, rate_limit=1)
    try:
        first = await h.client.post("/auth/v1/invite", headers=SERVICE, json={"email": "guest@example.com"})
        again = await h.client.post("/auth/v1/invite", headers=SERVICE, json={"email": "guest@example.com"})
        assert (first.status_code, again.status_code, again.json()["error_code"]) == (
            200, 429, "over_email_send_rate_limit")  # fmt: skip
        assert len(await h.outbox()) == 1
    finally:
        await h.client.aclose()
        await h.engine.dispose()
