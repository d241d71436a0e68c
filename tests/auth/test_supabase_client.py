"""The official ``supabase`` client against a live docbase server (create_app + /auth/v1), seeds 000/001/003."""

from __future__ import annotations

import re
import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.routing import Mount

from docbase.auth import AuthConfig, auth_routes, keys
from docbase.auth.mailer import outbox_messages

from ..conftest import SEEDS

SECRET = "live-secret-0123456789-0123456789-0123456789"
LIVE_SEEDS = [p for p in SEEDS if p.stem[:3] in ("000", "001", "003")]

pytestmark = pytest.mark.slow


SITE = "https://app.example.com"


@pytest.fixture
def server(request, db_url):
    yield from _serve(request.param, db_url, AuthConfig(bcrypt_cost=4, site_url=SITE))


def _serve(seed, db_url, config):
    supabase = pytest.importorskip("supabase")
    uvicorn = pytest.importorskip("uvicorn")
    from docbase.api.app import create_app
    from docbase.migrate import migrate
    from docbase.pipeline import load_schema

    schema = load_schema(seed)
    migrate(schema, db_url)
    routes = [Mount("/auth/v1", routes=auth_routes(schema, db_url, config, SECRET))]
    app = create_app(schema, db_url, secret=SECRET, routes=routes)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a server that never starts fails the test instead of hanging the suite
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the live docbase server did not start"
        time.sleep(0.05)
    yield supabase.create_client(f"http://127.0.0.1:{port}", keys.anon_key(SECRET)), db_url
    srv.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("server", LIVE_SEEDS, ids=[p.stem[:3] for p in LIVE_SEEDS], indirect=True)
def test_official_client_round_trip(server):
    from supabase_auth.errors import AuthApiError

    client, url = server
    up = client.auth.sign_up(
        {"email": "ada@example.com", "password": "correct horse", "options": {"data": {"name": "Ada"}}}
    )
    assert up.session is not None and up.user.email == "ada@example.com"
    signed = client.auth.sign_in_with_password({"email": "ada@example.com", "password": "correct horse"})
    assert client.auth.get_user().user.id == signed.user.id
    assert client.auth.update_user({"data": {"theme": "dark"}}).user.user_metadata["theme"] == "dark"
    old = client.auth.get_session().refresh_token
    assert client.auth.refresh_session().session.refresh_token != old
    with pytest.raises(AuthApiError) as wrong:
        client.auth.sign_in_with_password({"email": "ada@example.com", "password": "wrong password"})
    assert (wrong.value.code, wrong.value.status) == ("invalid_credentials", 400)
    with pytest.raises(AuthApiError) as dup:
        client.auth.sign_up({"email": "ada@example.com", "password": "correct horse"})
    assert (dup.value.code, dup.value.status) == ("user_already_exists", 422)
    client.auth.sign_out({"scope": "local"})
    assert client.auth.get_session() is None
    client.auth.reset_password_for_email("ada@example.com")
    code = re.search(r"code: (\d{6})", mail_number(url, 1)["body"]).group(1)
    recovered = client.auth.verify_otp({"email": "ada@example.com", "token": code, "type": "recovery"})
    assert recovered.session is not None
    client.auth.sign_out()


def mail_number(url: str, n: int) -> dict:
    """The n-th mail in the outbox (1-based); waits for it, since mail is sent after the answer."""
    for _ in range(200):
        mails = outbox_messages(url)
        if len(mails) >= n:
            return mails[n - 1]
        time.sleep(0.05)
    raise AssertionError(f"the outbox never held {n} mail(s): {len(outbox_messages(url))}")


@pytest.mark.parametrize("server", LIVE_SEEDS[-1:], ids=[p.stem[:3] for p in LIVE_SEEDS[-1:]], indirect=True)
def test_official_client_gets_weak_password_errors_and_safe_redirects(server):
    from supabase_auth.errors import AuthWeakPasswordError

    client, url = server
    for password, reasons in [("12345678", ["pwned"]), ("\u200b" * 8, ["characters"]), ("pass", ["length", "pwned"])]:
        with pytest.raises(AuthWeakPasswordError) as weak:
            client.auth.sign_up({"email": "ada@example.com", "password": password})
        assert (weak.value.status, weak.value.code, weak.value.reasons) == (422, "weak_password", reasons)
    client.auth.sign_up({"email": "ada@example.com", "password": "correct horse"})
    targets = []
    for n, wanted in enumerate(
        ["https://app.example.com.evil.com/x", "https://app.example.com@evil.com/x", SITE + "/r"]
    ):
        client.auth.reset_password_for_email("ada@example.com", {"redirect_to": wanted})
        targets += parse_qs(urlsplit(_link(mail_number(url, n + 1)["body"])).query)["redirect_to"]
    assert targets == [SITE, SITE, SITE + "/r"]


def _link(body: str) -> str:
    return re.search(r"(http\S+/verify\?\S+)", body).group(1)
