"""TOTP multi-factor authentication over /auth/v1/factors, on SQLite and PostgreSQL.

Codes are computed by pyotp from the secret the enroll answer shows, as an
authenticator app would, at the time of the service's injected clock.
"""

from __future__ import annotations

import jwt
import pyotp
import pytest

from .conftest import Clock, make_harness


@pytest.fixture
async def h(db_url: str):
    clock = Clock()
    harness = await make_harness(db_url, clock=clock)
    harness.clock = clock
    yield harness
    await harness.client.aclose()
    await harness.engine.dispose()


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def bearer(session: dict) -> dict:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def signed_in(h) -> dict:
    assert (await h.signup()).status_code == 200
    r = await h.login()
    assert r.status_code == 200
    return r.json()


async def enroll(h, session: dict, **body) -> dict:
    r = await h.client.post("/auth/v1/factors", json={"factor_type": "totp", **body}, headers=bearer(session))
    assert r.status_code == 200, r.text
    return r.json()


async def challenge_verify(h, session: dict, factor_id: str, code: str):
    r = await h.client.post(f"/auth/v1/factors/{factor_id}/challenge", json={}, headers=bearer(session))
    assert r.status_code == 200, r.text
    return await h.client.post(
        f"/auth/v1/factors/{factor_id}/verify",
        json={"challenge_id": r.json()["id"], "code": code},
        headers=bearer(session),
    )


async def test_verifying_a_totp_factor_raises_the_session_to_aal2_and_refresh_keeps_it(h):
    session = await signed_in(h)
    assert claims(session["access_token"])["aal"] == "aal1"
    factor = await enroll(h, session, friendly_name="phone")
    assert factor["type"] == "totp" and factor["friendly_name"] == "phone"
    assert factor["totp"]["qr_code"].startswith("<svg")
    assert factor["totp"]["uri"].startswith("otpauth://totp/") and factor["totp"]["secret"] in factor["totp"]["uri"]
    user = (await h.client.get("/auth/v1/user", headers=bearer(session))).json()
    assert [(f["id"], f["status"]) for f in user["factors"]] == [(factor["id"], "unverified")]

    h.clock.now += 20  # the person opens the authenticator app
    code = pyotp.TOTP(factor["totp"]["secret"]).at(h.clock.now)
    r = await challenge_verify(h, session, factor["id"], code)
    assert r.status_code == 200, r.text
    raised = r.json()
    c = claims(raised["access_token"])
    assert c["aal"] == "aal2" and c["session_id"] == claims(session["access_token"])["session_id"]
    assert [m["method"] for m in c["amr"]] == ["totp", "password"]  # newest first, as GoTrue lists them
    assert raised["user"]["factors"][0]["status"] == "verified"

    h.clock.now += 60
    r = await h.client.post(
        "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": raised["refresh_token"]}
    )
    assert r.status_code == 200, r.text
    assert claims(r.json()["access_token"])["aal"] == "aal2"

    fresh = await h.login()  # a new sign-in starts at aal1 again
    assert claims(fresh.json()["access_token"])["aal"] == "aal1"


async def test_a_code_verifies_once_wrong_and_late_codes_are_refused(h):
    session = await signed_in(h)
    factor = await enroll(h, session)
    totp = pyotp.TOTP(factor["totp"]["secret"])
    wrong = f"{(int(totp.at(h.clock.now)) + 1) % 1_000_000:06d}"
    r = await challenge_verify(h, session, factor["id"], wrong)
    assert r.status_code == 422 and r.json()["error_code"] == "mfa_verification_failed"

    code = totp.at(h.clock.now)
    assert (await challenge_verify(h, session, factor["id"], code)).status_code == 200
    again = await challenge_verify(h, session, factor["id"], code)  # same code, fresh challenge: replay
    assert again.status_code == 422 and again.json()["error_code"] == "mfa_verification_failed"

    r = await h.client.post(f"/auth/v1/factors/{factor['id']}/challenge", json={}, headers=bearer(session))
    challenge = r.json()
    assert challenge["expires_at"] == int(h.clock.now) + 300
    h.clock.now += 301
    late = await h.client.post(
        f"/auth/v1/factors/{factor['id']}/verify",
        json={"challenge_id": challenge["id"], "code": totp.at(h.clock.now)},
        headers=bearer(session),
    )
    assert late.status_code == 400 and late.json()["error_code"] == "mfa_challenge_expired"


async def test_a_verified_factor_needs_aal2_to_remove_and_removing_it_lowers_the_session(h):
    session = await signed_in(h)
    factor = await enroll(h, session)
    totp = pyotp.TOTP(factor["totp"]["secret"])
    raised = (await challenge_verify(h, session, factor["id"], totp.at(h.clock.now))).json()

    other = (await h.login()).json()  # aal1 session of the same user: a stolen password
    refused = await h.client.delete(f"/auth/v1/factors/{factor['id']}", headers=bearer(other))
    assert refused.status_code == 403 and refused.json()["error_code"] == "insufficient_aal"
    again = await h.client.post("/auth/v1/factors", json={"factor_type": "totp"}, headers=bearer(other))
    assert again.status_code == 403 and again.json()["error_code"] == "insufficient_aal"

    r = await h.client.delete(f"/auth/v1/factors/{factor['id']}", headers=bearer(raised))
    assert r.status_code == 200 and r.json() == {"id": factor["id"]}
    r = await h.client.post(
        "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": raised["refresh_token"]}
    )
    c = claims(r.json()["access_token"])
    assert c["aal"] == "aal1" and "totp" not in {m["method"] for m in c["amr"]}
    assert "factors" not in (await h.client.get("/auth/v1/user", headers=bearer(raised))).json()


async def test_factors_of_another_user_are_not_found_and_bad_input_is_a_clean_error(h):
    session = await signed_in(h)
    factor = await enroll(h, session, friendly_name="phone")
    dup = await h.client.post(
        "/auth/v1/factors", json={"factor_type": "totp", "friendly_name": "phone"}, headers=bearer(session)
    )
    assert dup.status_code == 422 and dup.json()["error_code"] == "mfa_factor_name_conflict"
    bad = await h.client.post("/auth/v1/factors", json={"factor_type": "sms"}, headers=bearer(session))
    assert bad.status_code == 422 and bad.json()["error_code"] == "validation_failed"
    assert (await h.signup("eve@example.com")).status_code == 200
    eve = (await h.login("eve@example.com")).json()
    r = await h.client.post(f"/auth/v1/factors/{factor['id']}/challenge", json={}, headers=bearer(eve))
    assert r.status_code == 404 and r.json()["error_code"] == "mfa_factor_not_found"
    r = await h.client.post("/auth/v1/factors/not-a-uuid/challenge", json={}, headers=bearer(eve))
    assert r.status_code == 404
    r = await h.client.post("/auth/v1/factors", json={"factor_type": "totp"})
    assert r.status_code == 401


async def test_failed_codes_are_rate_limited_per_factor(db_url: str):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, rate_limit=3)
    h.clock = clock
    try:
        session = await signed_in(h)
        factor = await enroll(h, session)
        totp = pyotp.TOTP(factor["totp"]["secret"])
        wrong = f"{(int(totp.at(clock.now)) + 7) % 1_000_000:06d}"
        statuses = [(await challenge_verify(h, session, factor["id"], wrong)).status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        right = await challenge_verify(h, session, factor["id"], totp.at(clock.now))
        assert right.status_code == 429  # the right code waits for the window too: no guessing around the limit
    finally:
        await h.client.aclose()
        await h.engine.dispose()
