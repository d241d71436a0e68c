"""``/reauthenticate`` nonces for a password change, and the secure two-address email change, through the outbox.

Both databases; the service clock is moved by hand to make a session a day old.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import Clock, make_harness

DAY = 24 * 3600


def code_in(body: str) -> str:
    return re.search(r"\b(\d{6})\b", body).group(1)


def link_in(body: str) -> str:
    return re.search(r"(https?://\S+)", body).group(1)


@pytest.fixture
async def h(db_url: str):
    clock = Clock()
    harness = await make_harness(db_url, clock=clock, secure_password_change=True)
    harness.clock = clock
    yield harness
    await harness.client.aclose()
    await harness.engine.dispose()


def bearer(session: dict) -> dict:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def test_a_day_old_session_changes_the_password_only_with_a_mailed_nonce_used_once(h):
    assert (await h.signup()).status_code == 200
    fresh = (await h.login()).json()
    r = await h.client.put("/auth/v1/user", json={"password": "a new horse 1"}, headers=bearer(fresh))
    assert r.status_code == 200, r.text  # a session from the last day needs no nonce (GoTrue's rule)

    h.clock.now += DAY + 60
    old = (
        await h.client.post(
            "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": fresh["refresh_token"]}
        )
    ).json()
    r = await h.client.put("/auth/v1/user", json={"password": "a newer horse 2"}, headers=bearer(old))
    assert r.status_code == 400 and r.json()["error_code"] == "reauthentication_needed"

    assert (await h.client.get("/auth/v1/reauthenticate", headers=bearer(old))).status_code == 200
    [mail] = [m for m in await h.outbox() if m["kind"] == "reauthentication"]
    assert mail["recipient"] == "ada@example.com"
    nonce = code_in(mail["body"])
    wrong = f"{(int(nonce) + 1) % 1_000_000:06d}"
    r = await h.client.put("/auth/v1/user", json={"password": "a newer horse 2", "nonce": wrong}, headers=bearer(old))
    assert r.status_code == 422 and r.json()["error_code"] == "reauthentication_not_valid"
    r = await h.client.put("/auth/v1/user", json={"password": "a newer horse 2", "nonce": nonce}, headers=bearer(old))
    assert r.status_code == 200, r.text
    assert (await h.login(password="a newer horse 2")).status_code == 200
    again = await h.client.put("/auth/v1/user", json={"password": "third horse 3", "nonce": nonce}, headers=bearer(old))
    assert again.status_code == 422 and again.json()["error_code"] == "reauthentication_not_valid"
    assert (await h.client.get("/auth/v1/reauthenticate")).status_code == 401


async def test_reauthenticate_is_rate_limited_per_address(db_url):
    h = await make_harness(db_url, rate_limit=2)
    try:
        session = (await h.signup()).json()
        statuses = [
            (await h.client.get("/auth/v1/reauthenticate", headers=bearer(session))).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_an_email_change_needs_both_the_old_and_the_new_address(db_url):
    h = await make_harness(db_url, confirm_email=True)
    try:
        await h.signup()
        code = code_in((await h.outbox())[0]["body"])
        session = (
            await h.client.post("/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code})
        ).json()
        r = await h.client.put("/auth/v1/user", json={"email": "ada@new.example"}, headers=bearer(session))
        assert r.status_code == 200 and r.json()["new_email"] == "ada@new.example"
        mails = {m["recipient"]: m for m in (await h.outbox())[1:]}
        assert set(mails) == {"ada@example.com", "ada@new.example"}
        assert "ada@new.example" in mails["ada@example.com"]["body"]  # the owner sees where it would go

        first = await h.client.post(
            "/auth/v1/verify",
            json={
                "type": "email_change",
                "email": "ada@new.example",
                "token": code_in(mails["ada@new.example"]["body"]),
            },
        )
        assert first.status_code == 200 and "other email" in first.json()["msg"]
        assert (await h.rows("SELECT email FROM users"))[0]["email"] == "ada@example.com"
        replay = await h.client.post(
            "/auth/v1/verify",
            json={
                "type": "email_change",
                "email": "ada@new.example",
                "token": code_in(mails["ada@new.example"]["body"]),
            },
        )
        assert replay.status_code == 403 and replay.json()["error_code"] == "otp_expired"

        link = urlsplit(link_in(mails["ada@example.com"]["body"]))
        second = await h.client.get("/auth/v1/verify", params=parse_qs(link.query))
        assert second.status_code == 303
        fragment = parse_qs(urlsplit(second.headers["location"]).fragment)
        assert "access_token" in fragment
        assert (await h.rows("SELECT email FROM users"))[0]["email"] == "ada@new.example"
        user = (
            await h.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {fragment['access_token'][0]}"})
        ).json()
        assert user["email"] == "ada@new.example" and "new_email" not in user
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_the_first_confirmation_by_link_says_so_in_the_redirect(db_url):
    h = await make_harness(db_url, confirm_email=True)
    try:
        await h.signup()
        code = code_in((await h.outbox())[0]["body"])
        session = (
            await h.client.post("/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code})
        ).json()
        await h.client.put("/auth/v1/user", json={"email": "ada@new.example"}, headers=bearer(session))
        mails = {m["recipient"]: m for m in (await h.outbox())[1:]}
        link = urlsplit(link_in(mails["ada@example.com"]["body"]))
        r = await h.client.get("/auth/v1/verify", params=parse_qs(link.query))
        fragment = parse_qs(urlsplit(r.headers["location"]).fragment)
        assert r.status_code == 303 and "access_token" not in fragment and "other email" in fragment["message"][0]
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_email_change_mail_is_rate_limited_per_address(db_url):
    h = await make_harness(db_url, rate_limit=2)
    try:
        session = (await h.signup()).json()  # no confirmation needed to sign up; the change is confirmed
        await h.client.aclose()
        await h.engine.dispose()
        h = await make_harness(db_url, ddl=None, rate_limit=2, confirm_email=True)
        statuses = []
        for n in range(3):
            r = await h.client.put("/auth/v1/user", json={"email": f"ada{n}@new.example"}, headers=bearer(session))
            statuses.append(r.status_code)
        assert statuses == [200, 200, 429]  # the current address was mailed twice already
        assert len([m for m in await h.outbox() if m["recipient"] == "ada@example.com"]) == 2
    finally:
        await h.client.aclose()
        await h.engine.dispose()
