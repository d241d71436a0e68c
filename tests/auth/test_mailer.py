"""Confirmation, recovery and email-change mail: kept in the outbox without SMTP, followed to a session."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from docbase.auth.mailer import read_outbox

from .conftest import make_harness


def code_in(body: str) -> str:
    return re.search(r"code: (\d{6})", body).group(1)


def link_in(body: str) -> str:
    return re.search(r"(http\S+/verify\?\S+)", body).group(1)


async def test_signup_with_confirmation_waits_for_the_emailed_code(confirming, caplog):
    caplog.set_level(logging.INFO, logger="docbase.auth")
    r = await confirming.signup()
    assert r.status_code == 200
    body = r.json()
    assert "access_token" not in body and body["email"] == "ada@example.com" and body["confirmation_sent_at"]
    assert body["email_confirmed_at"] is None
    assert (await confirming.rows("SELECT is_verified FROM users"))[0]["is_verified"] in (False, 0)
    denied = await confirming.login()
    assert denied.status_code == 400 and denied.json()["error_code"] == "email_not_confirmed"
    [mail] = await confirming.outbox()
    assert mail["recipient"] == "ada@example.com" and mail["kind"] == "signup"
    code = code_in(mail["body"])
    assert code not in caplog.text and "ada@example.com" in caplog.text
    r = await confirming.client.post(
        "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code}
    )
    assert r.status_code == 200, r.text
    assert r.json()["access_token"] and r.json()["user"]["email_confirmed_at"]
    assert (await confirming.rows("SELECT is_verified FROM users"))[0]["is_verified"] in (True, 1)
    assert (await confirming.login()).status_code == 200
    again = await confirming.client.post(
        "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code}
    )
    assert again.status_code == 403 and again.json()["error_code"] == "otp_expired"


async def test_the_emailed_link_redirects_with_a_session(confirming):
    await confirming.signup()
    [mail] = await confirming.outbox()
    link = urlsplit(link_in(mail["body"]))
    r = await confirming.client.get(link.path, params=parse_qs(link.query), headers={"apikey": ""})
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("http://localhost:3000#")
    fragment = parse_qs(target.split("#", 1)[1])
    assert fragment["type"] == ["signup"] and fragment["access_token"] and fragment["refresh_token"]


async def test_a_bad_link_redirects_with_the_error(confirming):
    r = await confirming.client.get(
        "/auth/v1/verify", params={"type": "signup", "token": "f" * 64, "redirect_to": "https://evil.example"}
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith("http://localhost:3000#error=access_denied")
    assert "otp_expired" in r.headers["location"]


async def test_recovery_signs_in_and_allows_a_new_password(auth):
    await auth.signup()
    assert (await auth.client.post("/auth/v1/recover", json={"email": "ada@example.com"})).json() == {}
    unknown = await auth.client.post("/auth/v1/recover", json={"email": "nobody@example.com"})
    assert unknown.status_code == 200
    [mail] = await auth.outbox()
    assert mail["kind"] == "recovery"
    token_hash = parse_qs(urlsplit(link_in(mail["body"])).query)["token"][0]
    r = await auth.client.post("/auth/v1/verify", json={"type": "recovery", "token_hash": token_hash})
    assert r.status_code == 200
    access = r.json()["access_token"]
    changed = await auth.client.put(
        "/auth/v1/user", headers={"Authorization": f"Bearer {access}"}, json={"password": "brand new secret"}
    )
    assert changed.status_code == 200
    assert (await auth.login(password="brand new secret")).status_code == 200
    stored = (await auth.rows("SELECT password_hash FROM users"))[0]["password_hash"]
    assert stored.startswith("$2b$")


async def test_a_code_only_works_for_its_own_email(auth):
    await auth.signup()
    await auth.signup(email="eve@example.com")
    await auth.client.post("/auth/v1/recover", json={"email": "ada@example.com"})
    code = code_in((await auth.outbox())[0]["body"])
    r = await auth.client.post("/auth/v1/verify", json={"type": "recovery", "email": "eve@example.com", "token": code})
    assert r.status_code == 403


async def test_email_change_with_confirmation_waits_for_the_new_address(db_url):
    confirming = await make_harness(db_url, confirm_email=True, secure_email_change=False)
    try:
        await _single_address_change(confirming)
    finally:
        await confirming.client.aclose()
        await confirming.engine.dispose()


async def _single_address_change(confirming):
    await confirming.signup()
    code = code_in((await confirming.outbox())[0]["body"])
    session = (
        await confirming.client.post(
            "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code}
        )
    ).json()
    r = await confirming.client.put(
        "/auth/v1/user",
        headers={"Authorization": f"Bearer {session['access_token']}"},
        json={"email": "ada@new.example"},
    )
    assert (
        r.status_code == 200 and r.json()["email"] == "ada@example.com" and r.json()["new_email"] == "ada@new.example"
    )
    mail = (await confirming.outbox())[-1]
    assert mail["recipient"] == "ada@new.example" and mail["kind"] == "email_change"
    done = await confirming.client.post(
        "/auth/v1/verify", json={"type": "email_change", "email": "ada@new.example", "token": code_in(mail["body"])}
    )
    assert done.status_code == 200 and done.json()["user"]["email"] == "ada@new.example"
    assert (await confirming.rows("SELECT email FROM users"))[0]["email"] == "ada@new.example"


async def test_mail_to_one_address_is_rate_limited(sqlite_url):
    h = await make_harness(sqlite_url, rate_limit=2)
    try:
        await h.signup()
        for _ in range(2):
            assert (await h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})).status_code == 200
        r = await h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})
        assert r.status_code == 429 and r.json()["error_code"] == "over_email_send_rate_limit"
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_unreachable_smtp_keeps_the_mail_in_the_outbox(sqlite_url, caplog):
    h = await make_harness(sqlite_url, confirm_email=True, smtp_host="127.0.0.1", smtp_port=1)
    try:
        assert (await h.signup()).status_code == 200
        assert len(await h.outbox()) == 1
        assert "failed over SMTP" in caplog.text
    finally:
        await h.client.aclose()
        await h.engine.dispose()


@pytest.mark.parametrize("dialect_url", ["sqlite"])
async def test_read_outbox_for_the_cli(sqlite_url, dialect_url):
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert read_outbox(conn) == []
    h = await make_harness(sqlite_url, confirm_email=True)
    try:
        await h.signup()
    finally:
        await h.client.aclose()
        await h.engine.dispose()
    with engine.connect() as conn:
        [mail] = read_outbox(conn)
    engine.dispose()
    assert mail["subject"] == "Confirm your signup"


async def test_wrong_codes_from_anywhere_void_the_outstanding_code(confirming):
    """A 6-digit code cannot be brute-forced from many addresses: five misses for one email void it."""
    await confirming.signup()
    [mail] = await confirming.outbox()
    code = code_in(mail["body"])
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 6)]
    for n, guess in enumerate(wrong):
        r = await confirming.client.post(
            "/auth/v1/verify",
            json={"type": "signup", "email": "ada@example.com", "token": guess},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
        assert r.status_code == 403 and r.json()["error_code"] == "otp_expired"
    r = await confirming.client.post(
        "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code}
    )
    assert r.status_code == 403 and r.json()["error_code"] == "otp_expired"  # the right code is void now
    assert (await confirming.rows("SELECT is_verified FROM users"))[0]["is_verified"] in (False, 0)


async def test_fewer_misses_leave_the_code_usable(confirming):
    await confirming.signup()
    [mail] = await confirming.outbox()
    code = code_in(mail["body"])
    for n in range(1, 5):
        guess = f"{(int(code) + n) % 1_000_000:06d}"
        r = await confirming.client.post(
            "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": guess}
        )
        assert r.status_code == 403
    r = await confirming.client.post(
        "/auth/v1/verify", json={"type": "signup", "email": "ada@example.com", "token": code}
    )
    assert r.status_code == 200 and r.json()["access_token"]
