"""Email codes and magic links through the outbox, and anonymous users, both databases."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from docbase.auth import keys, tokens

from .conftest import SECRET, make_harness


def code_of(mail: dict) -> str:
    return re.search(r"code: (\d{6})", mail["body"]).group(1)


def link_of(mail: dict) -> str:
    return re.search(r"(http://\S+/verify\?\S+)", mail["body"]).group(1)


async def test_otp_signs_up_a_new_address_and_each_code_works_once(auth):
    r = await auth.client.post("/auth/v1/otp", json={"email": "Ada@Example.com", "data": {"name": "Ada"}})
    assert (r.status_code, r.json()) == (200, {})
    mail = await auth.outbox()
    assert [(m["recipient"], m["kind"]) for m in mail] == [("ada@example.com", "magiclink")]
    code = code_of(mail[0])
    wrong = await auth.client.post("/auth/v1/verify", json={"type": "email", "email": "ada@example.com", "token": "000000" if code != "000000" else "111111"})  # fmt: skip
    assert (wrong.status_code, wrong.json()["error_code"]) == (403, "otp_expired")
    ok = await auth.client.post("/auth/v1/verify", json={"type": "email", "email": "ada@example.com", "token": code})
    assert ok.status_code == 200, ok.text
    session = ok.json()
    assert session["user"]["email_confirmed_at"] and session["user"]["user_metadata"] == {"name": "Ada"}
    assert (await auth.rows("SELECT name FROM users WHERE email = 'ada@example.com'"))[0]["name"] == "Ada"
    again = await auth.client.post("/auth/v1/verify", json={"type": "email", "email": "ada@example.com", "token": code})
    assert (again.status_code, again.json()["error_code"]) == (403, "otp_expired")


async def test_magic_link_signs_in_an_existing_user_once(auth):
    await auth.signup()
    assert (await auth.client.post("/auth/v1/magiclink", json={"email": "ada@example.com"})).status_code == 200
    link = urlsplit(link_of((await auth.outbox())[-1]))
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params["type"] == "magiclink"
    first = await auth.client.get("/auth/v1/verify", params=params)
    assert first.status_code == 303 and "access_token=" in first.headers["location"]
    second = await auth.client.get("/auth/v1/verify", params=params)
    assert "error_code=otp_expired" in second.headers["location"]


async def test_otp_without_create_user_refuses_unknown_addresses(auth):
    r = await auth.client.post("/auth/v1/otp", json={"email": "nobody@example.com", "create_user": False})
    assert (r.status_code, r.json()["error_code"]) == (422, "otp_disabled")
    assert await auth.outbox() == []
    assert await auth.rows(f"SELECT id FROM {'auth.users' if auth.engine.dialect.name == 'postgresql' else 'auth_users'}") == []  # fmt: skip


async def test_sending_endpoints_are_rate_limited(db_url):
    h = await make_harness(db_url, rate_limit=2)
    try:
        statuses = [
            (await h.client.post("/auth/v1/otp", json={"email": "ada@example.com"})).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        limited = await h.client.post("/auth/v1/magiclink", json={"email": "ada@example.com"})
        assert (limited.status_code, limited.json()["error_code"]) == (429, "over_email_send_rate_limit")
        assert len(await h.outbox()) == 2
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_anonymous_sign_ins_are_off_unless_enabled(auth):
    r = await auth.client.post("/auth/v1/signup", json={})
    assert (r.status_code, r.json()["error_code"]) == (422, "anonymous_provider_disabled")
    assert (await auth.client.get("/auth/v1/settings")).json()["external"]["anonymous_users"] is False


async def test_anonymous_user_then_links_an_email(db_url):
    h = await make_harness(db_url, anonymous_sign_ins=True)
    try:
        r = await h.client.post("/auth/v1/signup", json={"data": {"name": "Guest"}})
        assert r.status_code == 200, r.text
        session = r.json()
        assert session["user"]["is_anonymous"] is True and session["user"]["email"] == ""
        assert session["user"]["identities"] == []
        claims = tokens.user_claims(session["access_token"], SECRET)
        assert claims["is_anonymous"] is True and claims["role"] == "authenticated"
        bearer = {"Authorization": f"Bearer {session['access_token']}"}
        linked = await h.client.put("/auth/v1/user", headers=bearer, json={"email": "guest@example.com"})
        assert linked.status_code == 200, linked.text
        assert linked.json()["is_anonymous"] is False and linked.json()["email"] == "guest@example.com"
        assert (await h.rows("SELECT name FROM users WHERE email = 'guest@example.com'"))[0]["name"] == "Guest"
        fresh = await h.client.post(
            "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": session["refresh_token"]}
        )
        assert keys.verify(fresh.json()["access_token"], SECRET)["is_anonymous"] is False
    finally:
        await h.client.aclose()
        await h.engine.dispose()
