"""No answer tells whether an address has an account: sign-up with confirmations on, and recover."""

from __future__ import annotations

import httpx
import orjson

from .conftest import make_harness

TIMES = ("created_at", "updated_at", "confirmation_sent_at", "email_confirmed_at", "last_sign_in_at")


def _comparable(user: dict) -> dict:
    """A user answer without what differs between any two sign-ups: ids, times and the address itself."""

    def strip(value):
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if not k.endswith("_at") and k not in ("id", "identity_id", "user_id", "sub", "email")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(user)


async def test_signup_of_a_taken_address_answers_like_a_new_one_with_confirmations_on(db_url):
    h = await make_harness(db_url, confirm_email=True)
    try:
        first = await h.signup("ada@example.com", "correct horse", data={"name": "Ada"})
        assert first.status_code == 200 and "access_token" not in first.json()
        [code_mail] = await h.outbox()
        new = await h.signup("grace@example.com", "correct horse", data={"name": "Ada"})
        again = await h.signup("ada@example.com", "another horse", data={"name": "Ada"})
        assert (new.status_code, again.status_code) == (200, 200)
        assert list(again.json()) == list(new.json())
        assert _comparable(again.json()) == _comparable(new.json())
        assert again.json()["email"] == "ada@example.com"
        assert [again.json()[k] is None for k in TIMES] == [new.json()[k] is None for k in TIMES]
        assert again.json()["id"] != first.json()["id"]
        # The unconfirmed owner gets a fresh confirmation; the stored password is not the newcomer's.
        mails = await h.outbox()
        assert [m["recipient"] for m in mails] == ["ada@example.com", "grace@example.com", "ada@example.com"]
        assert mails[2]["body"] != code_mail["body"]
        users = await h.rows("SELECT email FROM users ORDER BY email")
        assert users == [{"email": "ada@example.com"}, {"email": "grace@example.com"}]
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_a_confirmed_owner_is_not_mailed_and_keeps_the_password(db_url):
    h = await make_harness(db_url, confirm_email=False)
    try:
        assert (await h.signup()).status_code == 200
        taken = await h.signup()
        # Without confirmations a sign-up answers with a session, so a taken address must say so (as GoTrue).
        assert (taken.status_code, taken.json()["error_code"]) == (422, "user_already_exists")
    finally:
        await h.client.aclose()
        await h.engine.dispose()
    h = await make_harness(db_url, ddl=None, confirm_email=True)
    try:
        again = await h.signup("ada@example.com", "stolen horse")
        assert again.status_code == 200 and "access_token" not in again.json()
        assert await h.outbox() == []
        assert (await h.login("ada@example.com", "stolen horse")).status_code == 400
        assert (await h.login()).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def _post_watching(h, path: str, body: dict) -> tuple[int, bytes, dict, dict]:
    """Call the app over raw ASGI; what the database held when the answer went out, and after the app finished."""
    ott = "auth.one_time_tokens" if h.engine.dialect.name == "postgresql" else "auth_one_time_tokens"
    outbox = "auth.outbox" if h.engine.dialect.name == "postgresql" else "auth_outbox"

    async def state() -> dict:
        tokens = await h.rows(f"SELECT count(*) AS n FROM {ott} WHERE token_type = 'recovery'")
        return {"tokens": tokens[0]["n"], "mails": len(await h.rows(f"SELECT id FROM {outbox}"))}

    sent: dict = {}
    raw = orjson.dumps(body)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"apikey", h.anon.encode()), (b"content-type", b"application/json")],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            sent["body"] = message["body"]
            sent["at_answer"] = await state()

    await h.app(scope, receive, send)
    return sent["status"], sent["body"], sent["at_answer"], await state()


async def test_recover_answers_before_any_lookup_token_or_mail_for_every_address(db_url):
    h = await make_harness(db_url)
    try:
        await h.signup()
        known = await _post_watching(h, "/auth/v1/recover", {"email": "ada@example.com"})
        assert known == (200, b"{}", {"tokens": 0, "mails": 0}, {"tokens": 1, "mails": 1})
        unknown = await _post_watching(h, "/auth/v1/recover", {"email": "nobody@example.com"})
        assert unknown == (200, b"{}", {"tokens": 1, "mails": 1}, {"tokens": 1, "mails": 1})
        [mail] = await h.outbox()
        assert (mail["recipient"], mail["kind"]) == ("ada@example.com", "recovery")
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_recover_rate_limit_is_the_same_for_known_and_unknown_addresses(db_url):
    h = await make_harness(db_url, rate_limit=2)
    try:
        await h.signup()
        answers = {}
        for n, email in enumerate(("ada@example.com", "nobody@example.com")):
            transport = httpx.ASGITransport(app=h.app, client=(f"198.51.100.{n + 1}", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                answers[email] = [
                    (r.status_code, r.json().get("error_code"))
                    for r in [
                        await client.post("/auth/v1/recover", headers={"apikey": h.anon}, json={"email": email})
                        for _ in range(3)
                    ]
                ]
        limited = [(200, None), (200, None), (429, "over_email_send_rate_limit")]
        assert answers == {"ada@example.com": limited, "nobody@example.com": limited}
        assert len(await h.outbox()) == 2
        # From one address, the per-client count limits every email alike.
        other = [(await h.client.post("/auth/v1/recover", json={"email": e})).status_code for e in ("a@x.io", "b@x.io")]
        third = await h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})
        assert (other, third.status_code) == ([200, 200], 429)
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_concurrent_recovers_each_send_their_mail(db_url, caplog):
    import asyncio
    import logging

    h = await make_harness(db_url)
    try:
        await h.signup()
        with caplog.at_level(logging.ERROR, logger="docbase.auth"):
            answers = await asyncio.gather(
                *[h.client.post("/auth/v1/recover", json={"email": "ada@example.com"}) for _ in range(5)]
            )
        assert [r.status_code for r in answers] == [200] * 5
        assert [m["kind"] for m in await h.outbox()] == ["recovery"] * 5
        ott = "auth.one_time_tokens" if h.engine.dialect.name == "postgresql" else "auth_one_time_tokens"
        assert len(await h.rows(f"SELECT id FROM {ott} WHERE token_type = 'recovery'")) == 1
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        await h.client.aclose()
        await h.engine.dispose()
