"""Bad input to /auth/v1 gets a Supabase-shaped 4xx, never a 500 (a scenario table, run on both databases)."""

from __future__ import annotations

import pytest

GOOD = {"email": "ada@example.com", "password": "correct horse"}

SCENARIOS = [
    ("malformed json", "POST", "/auth/v1/signup", {}, b'{"email": "a@b.io", "password": ', 400, "bad_json"),
    ("json array", "POST", "/auth/v1/signup", {}, b"[1, 2]", 400, "bad_json"),
    ("missing email", "POST", "/auth/v1/signup", {}, {"password": "correct horse"}, 422, "validation_failed"),
    ("missing password", "POST", "/auth/v1/signup", {}, {"email": "a@b.io"}, 422, "validation_failed"),
    ("not an email", "POST", "/auth/v1/signup", {}, {**GOOD, "email": "not-an-email"}, 400, "validation_failed"),
    ("email is a number", "POST", "/auth/v1/signup", {}, {**GOOD, "email": 42}, 400, "validation_failed"),
    ("control chars", "POST", "/auth/v1/signup", {}, {**GOOD, "email": "a\x00b@ex.io"}, 400, "validation_failed"),
    (
        "newline header",
        "POST",
        "/auth/v1/signup",
        {},
        {**GOOD, "email": "a@b.io\r\nBcc: x@y.z"},
        400,
        "validation_failed",
    ),
    ("10 kB password", "POST", "/auth/v1/signup", {}, {**GOOD, "password": "p" * 10_240}, 422, "validation_failed"),
    ("short password", "POST", "/auth/v1/signup", {}, {**GOOD, "password": "short"}, 422, "weak_password"),
    ("password not str", "POST", "/auth/v1/signup", {}, {**GOOD, "password": ["a"] * 9}, 422, "validation_failed"),
    ("data not object", "POST", "/auth/v1/signup", {}, {**GOOD, "data": "x"}, 422, "validation_failed"),
    ("unknown grant", "POST", "/auth/v1/token", {"grant_type": "magic"}, GOOD, 400, "unsupported_grant_type"),
    ("no grant", "POST", "/auth/v1/token", {}, GOOD, 400, "unsupported_grant_type"),
    (
        "sql with spaces in email",
        "POST",
        "/auth/v1/token",
        {"grant_type": "password"},
        {"email": "' OR '1'='1'--@x.io", "password": "' OR 1=1 --"},
        400,
        "validation_failed",
    ),
    (
        "sql quotes in email",
        "POST",
        "/auth/v1/token",
        {"grant_type": "password"},
        {"email": "x'or'1'='1@x.io", "password": "' OR 1=1 --"},
        400,
        "invalid_credentials",
    ),
    (
        "sign in no password",
        "POST",
        "/auth/v1/token",
        {"grant_type": "password"},
        {"email": "a@b.io"},
        422,
        "validation_failed",
    ),
    (
        "10 kB sign-in password",
        "POST",
        "/auth/v1/token",
        {"grant_type": "password"},
        {"email": "a@b.io", "password": "p" * 10_240},
        400,
        "invalid_credentials",
    ),
    ("refresh missing", "POST", "/auth/v1/token", {"grant_type": "refresh_token"}, {}, 400, "validation_failed"),
    (
        "refresh not str",
        "POST",
        "/auth/v1/token",
        {"grant_type": "refresh_token"},
        {"refresh_token": 5},
        400,
        "validation_failed",
    ),
    ("verify bad type", "POST", "/auth/v1/verify", {}, {"type": "sms", "token": "1"}, 422, "validation_failed"),
    ("verify no token", "POST", "/auth/v1/verify", {}, {"type": "signup", "email": "a@b.io"}, 422, "validation_failed"),
    (
        "verify wrong code",
        "POST",
        "/auth/v1/verify",
        {},
        {"type": "signup", "email": "a@b.io", "token": "000000"},
        403,
        "otp_expired",
    ),
    ("recover bad email", "POST", "/auth/v1/recover", {}, {"email": "nope"}, 400, "validation_failed"),
    ("logout bad scope", "POST", "/auth/v1/logout", {"scope": "everyone"}, None, 422, "validation_failed"),
    ("garbage bearer", "GET", "/auth/v1/user", {}, None, 401, "bad_jwt"),
    ("huge body", "POST", "/auth/v1/signup", {}, {**GOOD, "data": {"x": "y" * 70_000}}, 413, "request_too_large"),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "params", "body", "status", "error_code"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
async def test_bad_input_is_a_shaped_4xx(auth, name, method, path, params, body, status, error_code):
    headers = {"Authorization": "Bearer not.a.jwt"} if path in ("/auth/v1/user", "/auth/v1/logout") else {}
    if isinstance(body, bytes):
        r = await auth.client.request(method, path, params=params, content=body, headers=headers)
    else:
        r = await auth.client.request(method, path, params=params, json=body, headers=headers)
    if name == "logout bad scope":
        token = (await auth.signup()).json()["access_token"]
        r = await auth.client.post(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == status, r.text
    payload = r.json()
    assert payload["code"] == status and payload["error_code"] == error_code and payload["msg"]


async def test_weak_password_names_its_reasons_for_clients(auth):
    r = await auth.signup(password="x7#Kq9!")
    assert r.json()["weak_password"] == {"reasons": ["length"]}


async def test_sql_text_in_fields_is_stored_as_text(auth):
    sneaky = {"name": "Robert'); DROP TABLE users;--"}
    r = await auth.signup(email="bobby+tables@example.com", password="'; DROP TABLE x; --", data=sneaky)
    assert r.status_code == 200
    assert (await auth.rows("SELECT name FROM users"))[0]["name"] == sneaky["name"]
    assert (await auth.login("bobby+tables@example.com", "'; DROP TABLE x; --")).status_code == 200
