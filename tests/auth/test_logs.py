"""Auth never logs a password, a token, a code or a link, whatever happens."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs, urlsplit

from .conftest import make_harness
from .test_mailer import link_in


async def test_no_secret_reaches_the_log(db_url, caplog):
    h = await make_harness(db_url, confirm_email=True, rate_limit=3)
    try:
        # docbase's own loggers at DEBUG, the libraries at INFO (aiosqlite's DEBUG echoes every statement).
        with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="docbase"):
            await h.signup(password="correct horse")
            [mail] = await h.outbox()
            code = re.search(r"code: (\d{6})", mail["body"]).group(1)
            token_hash = parse_qs(urlsplit(link_in(mail["body"])).query)["token"][0]
            session = (await h.client.post("/auth/v1/verify", json={"type": "signup", "token_hash": token_hash})).json()
            for _ in range(4):
                await h.login(password="a wrong password")
            await h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})
            refreshed = (
                await h.client.post(
                    "/auth/v1/token?grant_type=refresh_token", json={"refresh_token": session["refresh_token"]}
                )
            ).json()
            await h.client.put(
                "/auth/v1/user",
                headers={"authorization": f"Bearer {refreshed['access_token']}"},
                json={"password": "brand new secret"},
            )
            await h.client.get("/auth/v1/user", headers={"authorization": "Bearer not.a.jwt"})
        secrets = [
            "correct horse",
            "a wrong password",
            "brand new secret",
            code,
            token_hash,
            session["access_token"],
            session["refresh_token"],
            refreshed["access_token"],
            refreshed["refresh_token"],
            h.anon,
        ]
        logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        assert "auth mail (signup) to ada@example.com" in logged  # the log does say what happened
        assert [s for s in secrets if s in logged] == []
    finally:
        await h.client.aclose()
        await h.engine.dispose()
