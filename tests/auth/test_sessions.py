"""Refresh tokens rotate on every use; a used token coming back revokes the whole session."""

from __future__ import annotations

from .conftest import Clock, make_harness


async def refresh(auth, token):
    return await auth.client.post(
        "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": token}
    )


async def test_refresh_rotates_and_keeps_the_session(auth):
    first = (await auth.signup()).json()
    r = await refresh(auth, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["user"]["id"] == first["user"]["id"]
    me = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    assert (await refresh(auth, second["refresh_token"])).status_code == 200


async def test_reusing_a_rotated_token_revokes_the_session(auth):
    first = (await auth.signup()).json()
    second = (await refresh(auth, first["refresh_token"])).json()
    reused = await refresh(auth, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error_code"] == "refresh_token_already_used"
    # The thief's replay ended the session: the legitimate child token and access token are dead too.
    assert (await refresh(auth, second["refresh_token"])).status_code == 400
    me = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 403 and me.json()["error_code"] == "session_not_found"


async def test_reuse_does_not_touch_other_sessions(auth):
    await auth.signup()
    a = (await auth.login()).json()
    b = (await auth.login()).json()
    await refresh(auth, a["refresh_token"])
    await refresh(auth, a["refresh_token"])
    assert (await refresh(auth, b["refresh_token"])).status_code == 200


async def test_unknown_refresh_token(auth):
    r = await refresh(auth, "no-such-token")
    assert r.status_code == 400 and r.json()["error_code"] == "refresh_token_not_found"


async def test_reuse_interval_lets_concurrent_tabs_refresh(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, refresh_reuse_interval=10)
    try:
        first = (await h.signup()).json()
        assert (await refresh(h, first["refresh_token"])).status_code == 200
        clock.now += 10  # the second tab, at the last second of the grace window
        again = await refresh(h, first["refresh_token"])
        assert again.status_code == 200, again.text
        clock.now += 1  # a replay after the window is reuse
        late = await refresh(h, first["refresh_token"])
        assert (late.status_code, late.json()["error_code"]) == (400, "refresh_token_already_used")
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_access_token_expires_on_the_service_clock(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, jwt_exp=60)
    try:
        body = (await h.signup()).json()
        assert body["expires_at"] == int(clock.now) + 60
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        clock.now += 59
        assert (await h.client.get("/auth/v1/user", headers=headers)).status_code == 200
        clock.now += 1
        expired = await h.client.get("/auth/v1/user", headers=headers)
        assert (expired.status_code, expired.json()["error_code"], expired.json()["msg"]) == (
            401,
            "bad_jwt",
            "invalid JWT: JWT expired",
        )
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_refresh_tokens_are_stored_hashed(auth):
    body = (await auth.signup()).json()
    table = "auth.refresh_tokens" if auth.engine.dialect.name == "postgresql" else "auth_refresh_tokens"
    stored = [r["token"] for r in await auth.rows(f"SELECT token FROM {table}")]
    assert body["refresh_token"] not in stored and len(stored) == 1


async def test_signing_out_removes_the_sessions_refresh_tokens_by_cascade(auth):
    """Auth deletes only the session row; ON DELETE CASCADE removes its refresh tokens (on SQLite too)."""
    await auth.signup()
    a = (await auth.login()).json()
    b = (await auth.login()).json()
    await refresh(auth, a["refresh_token"])  # session a now holds two tokens, parent and child
    rt = "auth.refresh_tokens" if auth.engine.dialect.name == "postgresql" else "auth_refresh_tokens"
    before = await auth.rows(f"SELECT session_id FROM {rt}")
    assert len(before) == 4  # sign-up's session, a's two, b's one
    out = await auth.client.post(
        "/auth/v1/logout", params={"scope": "local"}, headers={"Authorization": f"Bearer {a['access_token']}"}
    )
    assert out.status_code == 204
    left = await auth.rows(f"SELECT session_id FROM {rt}")
    assert len(left) == 2 and (await refresh(auth, b["refresh_token"])).status_code == 200
