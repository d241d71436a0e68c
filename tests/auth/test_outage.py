"""A database outage answers 503 in GoTrue's one error shape on every /auth/v1 endpoint, never a 500."""

from __future__ import annotations

import logging

import psycopg
import pytest

from docbase.auth import keys, tokens

from .conftest import SECRET, make_harness

OUTAGE = {"code": 503, "error_code": "unexpected_failure", "msg": "The database is unavailable; try again shortly"}
USER = {"id": "6f1c1b2a-0000-4000-8000-000000000001", "email": "ada@example.com"}


async def _every_endpoint(h) -> list[tuple[str, int, dict]]:
    bearer = {"authorization": f"Bearer {tokens.issue_access_token(USER, 's-1', 600, SECRET)[0]}"}
    calls = [
        ("signup", h.signup()),
        ("password", h.login()),
        ("refresh", h.client.post("/auth/v1/token?grant_type=refresh_token", json={"refresh_token": "r" * 32})),
        ("recover", h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})),
        ("verify", h.client.post("/auth/v1/verify", json={"type": "signup", "token_hash": "f" * 64})),
        ("user", h.client.get("/auth/v1/user", headers=bearer)),
        ("update", h.client.put("/auth/v1/user", headers=bearer, json={"data": {"a": 1}})),
        ("logout", h.client.post("/auth/v1/logout", headers=bearer)),
        ("sessions", h.client.get("/auth/v1/sessions", headers=bearer)),
    ]
    out = []
    for name, call in calls:
        r = await call
        out.append((name, r.status_code, r.json()))
    return out


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1:1/closed_port", "sqlite:////nonexistent-docbase-dir/gone/auth.db"],
    ids=["postgresql-closed-port", "sqlite-unopenable-file"],
)
async def test_an_unreachable_database_answers_503_everywhere(url, caplog):
    h = await make_harness(url, ddl=None)
    try:
        with caplog.at_level(logging.ERROR, logger="docbase.auth"):
            answers = await _every_endpoint(h)
        assert answers == [(name, 503, OUTAGE) for name, _, _ in answers]
        settings = await h.client.get("/auth/v1/settings")
        assert settings.status_code == 200 and settings.json()["mailer_autoconfirm"] is True
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "correct horse" not in logged and "SELECT" not in logged and "INSERT" not in logged
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_a_database_dropped_mid_session_answers_503_not_500(pg_url, caplog):
    h = await make_harness(pg_url)
    try:
        up = await h.signup()
        assert up.status_code == 200
        bearer = {"authorization": f"Bearer {up.json()['access_token']}"}
        server, _, name = pg_url.rpartition("/")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        with caplog.at_level(logging.ERROR, logger="docbase.auth"):
            first = await h.login()
            again = await h.login()
            user = await h.client.get("/auth/v1/user", headers=bearer)
            refresh = await h.client.post(
                "/auth/v1/token?grant_type=refresh_token", json={"refresh_token": up.json()["refresh_token"]}
            )
        assert [(r.status_code, r.json()) for r in (first, again, user, refresh)] == [(503, OUTAGE)] * 4
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert up.json()["refresh_token"] not in logged and "[parameters" not in logged
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_a_signed_token_with_a_string_exp_is_401_every_time(db_url):
    h = await make_harness(db_url)
    try:
        up = (await h.signup()).json()
        claims = tokens.access_claims({"id": up["user"]["id"], "email": "ada@example.com"}, "s-1", 600)
        stringy = keys.sign({**claims, "exp": "9999999999"}, SECRET)
        for _ in range(3):
            r = await h.client.get("/auth/v1/user", headers={"authorization": f"Bearer {stringy}"})
            assert r.status_code == 401
            assert r.json() == {
                "code": 401,
                "error_code": "bad_jwt",
                "msg": "invalid JWT: JWT claim 'exp' must be a number of seconds",
            }
        key = keys.sign({"role": "anon", "exp": "9999999999"}, SECRET)
        for _ in range(2):
            r = await h.client.get("/auth/v1/settings", headers={"apikey": key})
            assert (r.status_code, r.json()["error_code"]) == (401, "invalid_api_key")
    finally:
        await h.client.aclose()
        await h.engine.dispose()
