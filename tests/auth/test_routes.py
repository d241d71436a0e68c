"""/auth/v1 end to end over SQLite and PostgreSQL: the shapes supabase clients read, and every refusal a 4xx."""

from __future__ import annotations

import jwt
import pytest

from docbase.auth import keys

from .conftest import SECRET


async def test_signup_returns_a_session_and_fills_the_documents_users_row(auth):
    r = await auth.signup(email="Ada@Example.com", data={"name": "Ada Lovelace"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and body["refresh_token"]
    user = body["user"]
    assert user["email"] == "ada@example.com" and user["aud"] == "authenticated"
    assert user["user_metadata"] == {"name": "Ada Lovelace"} and user["email_confirmed_at"]
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], audience="authenticated")
    assert claims["sub"] == user["id"] and claims["role"] == "authenticated"
    rows = await auth.rows("SELECT id, email, name, password_hash, is_verified FROM users")
    assert len(rows) == 1
    assert str(rows[0]["id"]) == user["id"] and rows[0]["email"] == "ada@example.com"
    assert rows[0]["name"] == "Ada Lovelace" and rows[0]["password_hash"].startswith("$2b$")
    assert rows[0]["is_verified"] in (True, 1)


async def test_name_column_falls_back_to_the_email_local_part(auth):
    assert (await auth.signup(email="grace@example.com")).status_code == 200
    assert (await auth.rows("SELECT name FROM users"))[0]["name"] == "grace"


async def test_duplicate_email_is_user_already_exists(auth):
    await auth.signup()
    r = await auth.signup(email="ADA@example.com")
    assert r.status_code == 422
    assert r.json() == {"code": 422, "error_code": "user_already_exists", "msg": "User already registered"}


async def test_sign_in_get_and_update_user(auth):
    await auth.signup()
    r = await auth.login()
    assert r.status_code == 200
    access = r.json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    me = await auth.client.get("/auth/v1/user", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == "ada@example.com" and me.json()["last_sign_in_at"]
    upd = await auth.client.put(
        "/auth/v1/user", headers=headers, json={"email": "ada@lovelace.dev", "data": {"theme": "dark"}}
    )
    assert upd.status_code == 200, upd.text
    assert upd.json()["email"] == "ada@lovelace.dev" and upd.json()["user_metadata"]["theme"] == "dark"
    assert (await auth.rows("SELECT email FROM users"))[0]["email"] == "ada@lovelace.dev"
    assert (await auth.login("ada@lovelace.dev")).status_code == 200
    pw = await auth.client.put("/auth/v1/user", headers=headers, json={"password": "a new secret"})
    assert pw.status_code == 200
    assert (await auth.login("ada@lovelace.dev")).status_code == 400
    assert (await auth.login("ada@lovelace.dev", "a new secret")).status_code == 200


async def test_email_change_to_a_taken_address_is_refused(auth):
    await auth.signup()
    await auth.signup(email="eve@example.com")
    access = (await auth.login()).json()["access_token"]
    r = await auth.client.put(
        "/auth/v1/user", headers={"Authorization": f"Bearer {access}"}, json={"email": "eve@example.com"}
    )
    assert r.status_code == 422 and r.json()["error_code"] == "email_exists"


async def test_wrong_password_and_unknown_email_look_the_same(auth):
    await auth.signup()
    wrong = await auth.login(password="not the password")
    unknown = await auth.login(email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 400
    assert (
        wrong.json()
        == unknown.json()
        == {"code": 400, "error_code": "invalid_credentials", "msg": "Invalid login credentials"}
    )


async def test_logout_local_ends_only_that_session(auth):
    await auth.signup()
    one = (await auth.login()).json()
    two = (await auth.login()).json()
    r = await auth.client.post(
        "/auth/v1/logout", params={"scope": "local"}, headers={"Authorization": f"Bearer {one['access_token']}"}
    )
    assert r.status_code == 204
    gone = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {one['access_token']}"})
    assert gone.status_code == 403 and gone.json()["error_code"] == "session_not_found"
    still = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {two['access_token']}"})
    assert still.status_code == 200
    refreshed = await auth.client.post(
        "/auth/v1/token", params={"grant_type": "refresh_token"}, json={"refresh_token": one["refresh_token"]}
    )
    assert refreshed.status_code == 400


@pytest.mark.parametrize(("scope", "first_alive", "second_alive"), [("global", False, False), ("others", True, False)])
async def test_logout_global_and_others(auth, scope, first_alive, second_alive):
    await auth.signup()
    one = (await auth.login()).json()
    two = (await auth.login()).json()
    r = await auth.client.post(
        "/auth/v1/logout", params={"scope": scope}, headers={"Authorization": f"Bearer {one['access_token']}"}
    )
    assert r.status_code == 204
    for session, alive in ((one, first_alive), (two, second_alive)):
        me = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {session['access_token']}"})
        assert (me.status_code == 200) is alive


async def test_expired_access_token_is_401(auth):
    user = (await auth.signup()).json()["user"]
    expired = keys.sign(
        {"sub": user["id"], "role": "authenticated", "aud": "authenticated", "exp": 1_000, "iat": 0}, SECRET
    )
    r = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and r.json()["error_code"] == "bad_jwt"


async def test_user_without_bearer_or_with_anon_key_is_refused(auth):
    assert (await auth.client.get("/auth/v1/user")).status_code == 401
    r = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {auth.anon}"})
    assert r.status_code == 401 and r.json()["error_code"] == "bad_jwt"


async def test_apikey_is_required_except_for_health_and_verify_links(auth):
    bare = {"apikey": ""}
    r = await auth.client.post("/auth/v1/signup", json={"email": "a@b.io", "password": "long enough"}, headers=bare)
    assert r.status_code == 401 and r.json()["error_code"] == "no_api_key"
    forged = keys.anon_key("someone-elses-secret-0123456789-0123456789")
    r = await auth.client.get("/auth/v1/settings", headers={"apikey": forged})
    assert r.status_code == 401 and r.json()["error_code"] == "invalid_api_key"
    assert (await auth.client.get("/auth/v1/health", headers=bare)).status_code == 200
    assert (await auth.client.get("/auth/v1/verify?type=signup&token=x", headers=bare)).status_code == 303


async def test_settings_tell_clients_how_signup_works(auth):
    body = (await auth.client.get("/auth/v1/settings")).json()
    assert body["external"]["email"] is True and body["mailer_autoconfirm"] is True
    assert body["disable_signup"] is False


async def test_sessions_are_listed_and_one_can_be_revoked(auth):
    await auth.signup()
    one = (await auth.login()).json()
    two = (await auth.login()).json()
    mine = {"Authorization": f"Bearer {one['access_token']}"}
    listed = await auth.client.get("/auth/v1/sessions", headers=mine)
    assert listed.status_code == 200, listed.text
    sessions = listed.json()
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1 and len(sessions) >= 2
    other = next(s["id"] for s in sessions if not s["current"])
    assert (await auth.client.delete(f"/auth/v1/sessions/{other}", headers=mine)).status_code == 204
    assert other not in {s["id"] for s in (await auth.client.get("/auth/v1/sessions", headers=mine)).json()}
    gone = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {two['access_token']}"})
    assert gone.status_code == 403
    assert (await auth.client.delete(f"/auth/v1/sessions/{other}", headers=mine)).status_code == 404
    assert (await auth.client.delete("/auth/v1/sessions/not-a-uuid", headers=mine)).status_code == 404


async def test_someone_elses_session_cannot_be_revoked(auth):
    await auth.signup(email="a@example.com")
    await auth.signup(email="b@example.com")
    a = (await auth.login(email="a@example.com")).json()
    b = (await auth.login(email="b@example.com")).json()
    b_sessions = (
        await auth.client.get("/auth/v1/sessions", headers={"Authorization": f"Bearer {b['access_token']}"})
    ).json()
    r = await auth.client.delete(
        f"/auth/v1/sessions/{b_sessions[0]['id']}", headers={"Authorization": f"Bearer {a['access_token']}"}
    )
    assert r.status_code == 404
    still = await auth.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {b['access_token']}"})
    assert still.status_code == 200
