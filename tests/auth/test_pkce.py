"""PKCE for emailed links: the link yields a code, only the verifier's holder gets the session; both databases."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from .conftest import Clock, make_harness

REDIRECT = "http://localhost:3000/welcome"


def pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def link_params(mail: dict) -> dict[str, str]:
    link = re.search(r"(http://\S+/verify\?\S+)", mail["body"]).group(1)
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


async def follow(h, mail: dict) -> dict[str, list[str]]:
    r = await h.client.get("/auth/v1/verify", params=link_params(mail))
    assert r.status_code == 303, r.text
    target = urlsplit(r.headers["location"])
    assert "access_token" not in r.headers["location"]  # a PKCE link never carries a session
    return parse_qs(target.query) | {"at": [target._replace(query="").geturl()]}


async def exchange(h, code: str, verifier: str):
    return await h.client.post("/auth/v1/token", params={"grant_type": "pkce"}, json={"auth_code": code, "code_verifier": verifier})  # fmt: skip


async def test_magic_link_code_is_exchanged_once_for_a_session(db_url):
    h = await make_harness(db_url, redirect_urls=("http://localhost:3000/**",))
    try:
        verifier, challenge = pair()
        body = {"email": "ada@example.com", "code_challenge": challenge, "code_challenge_method": "s256"}
        assert (await h.client.post("/auth/v1/otp", params={"redirect_to": REDIRECT}, json=body)).status_code == 200
        query = await follow(h, (await h.outbox())[-1])
        code = query["code"][0]
        assert query["at"] == [REDIRECT]
        session = await exchange(h, code, verifier)
        assert session.status_code == 200, session.text
        assert session.json()["user"]["email"] == "ada@example.com" and session.json()["refresh_token"]
        me = await h.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {session.json()['access_token']}"})
        assert me.json()["email_confirmed_at"]
        replay = await exchange(h, code, verifier)
        assert (replay.status_code, replay.json()["error_code"]) == (404, "flow_state_not_found")
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_wrong_verifier_is_refused_and_spends_the_code(auth):
    verifier, challenge = pair()
    await auth.signup()
    body = {"email": "ada@example.com", "code_challenge": challenge, "code_challenge_method": "S256"}
    assert (await auth.client.post("/auth/v1/magiclink", json=body)).status_code == 200
    code = (await follow(auth, (await auth.outbox())[-1]))["code"][0]
    wrong = await exchange(auth, code, pair()[0])
    assert (wrong.status_code, wrong.json()["error_code"]) == (400, "bad_code_verifier")
    late = await exchange(auth, code, verifier)  # the code leaked: not even the right verifier gets it now
    assert (late.status_code, late.json()["error_code"]) == (404, "flow_state_not_found")


async def test_pkce_link_without_its_prefix_gives_nothing(auth):
    _, challenge = pair()
    await auth.signup()
    body = {"email": "ada@example.com", "code_challenge": challenge, "code_challenge_method": "s256"}
    await auth.client.post("/auth/v1/magiclink", json=body)
    params = link_params((await auth.outbox())[-1])
    assert params["token"].startswith("pkce_")
    params["token"] = params["token"].removeprefix("pkce_")
    r = await auth.client.get("/auth/v1/verify", params=params)
    assert "error_code=otp_expired" in r.headers["location"] and "access_token" not in r.headers["location"]


async def test_recovery_code_expires_after_five_minutes(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock)
    try:
        await h.signup()
        verifier, challenge = pair()
        body = {"email": "ada@example.com", "code_challenge": challenge, "code_challenge_method": "s256"}
        assert (await h.client.post("/auth/v1/recover", json=body)).status_code == 200
        code = (await follow(h, (await h.outbox())[-1]))["code"][0]
        clock.now += 301
        late = await exchange(h, code, verifier)
        assert (late.status_code, late.json()["error_code"]) == (422, "flow_state_expired")

        assert (await h.client.post("/auth/v1/recover", json=body)).status_code == 200
        code = (await follow(h, (await h.outbox())[-1]))["code"][0]
        ok = await exchange(h, code, verifier)
        assert ok.status_code == 200 and ok.json()["redirect_type"] == "recovery"
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_typed_code_still_works_in_a_pkce_flow(auth):
    _, challenge = pair()
    body = {"email": "ada@example.com", "code_challenge": challenge, "code_challenge_method": "plain"}
    await auth.client.post("/auth/v1/otp", json=body)
    code = re.search(r"code: (\d{6})", (await auth.outbox())[-1]["body"]).group(1)
    r = await auth.client.post("/auth/v1/verify", json={"type": "email", "email": "ada@example.com", "token": code})
    assert r.status_code == 200 and r.json()["access_token"]


async def test_bad_pkce_input_is_a_clear_400(auth):
    _, challenge = pair()
    half = await auth.client.post("/auth/v1/otp", json={"email": "a@example.com", "code_challenge": challenge})
    assert (half.status_code, half.json()["error_code"]) == (400, "validation_failed")
    odd = await auth.client.post("/auth/v1/otp", json={"email": "a@example.com", "code_challenge": challenge, "code_challenge_method": "md5"})  # fmt: skip
    assert (odd.status_code, odd.json()["error_code"]) == (400, "validation_failed")
    empty = await auth.client.post("/auth/v1/token", params={"grant_type": "pkce"}, json={"auth_code": "x"})
    assert (empty.status_code, empty.json()["error_code"]) == (400, "validation_failed")
    assert await auth.outbox() == []
