"""The secure email change and ``reauthenticate`` with the official clients against a live docbase, both databases.

Codes come from the outbox, as a person reads them from their mail. supabase-py cannot parse GoTrue's
"Confirmation link accepted" answer (it expects a user), so with it the first address confirms by following
its link, as most people do; supabase-js takes both by ``verifyOtp``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from docbase.auth import AuthConfig, keys

from ..clients.js import run_js
from .conftest import DOCUMENT
from .test_supabase_client import SECRET, _serve, mail_number

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path, db_url):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    config = AuthConfig(bcrypt_cost=4, confirm_email=True, secure_password_change=True)
    yield from _serve(doc, db_url, config)


def code(mail: dict) -> str:
    return re.search(r"\b(\d{6})\b", mail["body"]).group(1)


def test_python_client_changes_email_from_both_addresses_and_reauthenticates(live):
    client, url = live
    client.auth.sign_up({"email": "ada@example.com", "password": "correct horse", "options": {"data": {"name": "A"}}})
    client.auth.verify_otp({"email": "ada@example.com", "token": code(mail_number(url, 1)), "type": "signup"})
    client.auth.reauthenticate()
    assert mail_number(url, 2)["kind"] == "reauthentication" and mail_number(url, 2)["recipient"] == "ada@example.com"

    assert client.auth.update_user({"email": "ada@new.example"}).user.new_email == "ada@new.example"
    mails = {mail_number(url, n)["recipient"]: mail_number(url, n) for n in (3, 4)}
    link = re.search(r"(https?://\S+)", mails["ada@example.com"]["body"]).group(1)
    followed = httpx.get(link, follow_redirects=False)
    assert followed.status_code == 303 and "message=" in followed.headers["location"]
    assert client.auth.get_user().user.email == "ada@example.com"  # one address is not enough
    done = client.auth.verify_otp(
        {"email": "ada@new.example", "token": code(mails["ada@new.example"]), "type": "email_change"}
    )
    assert done.session is not None and done.user.email == "ada@new.example"
    assert parse_qs(urlsplit(link).query)["type"] == ["email_change"]


def test_js_client_changes_email_from_both_addresses(live):
    client, url = live
    base, key = str(client.supabase_url).rstrip("/"), keys.anon_key(SECRET)
    run_js(base, key, 'await supabase.auth.signUp({ email: "bob@example.com", password: "correct horse" });')
    session = run_js(
        base,
        key,
        f"""
        const {{ data, error }} = await supabase.auth.verifyOtp({{ email: "bob@example.com", token: "{code(mail_number(url, 1))}", type: "signup" }});
        if (error) throw error;
        const changed = await supabase.auth.updateUser({{ email: "bob@new.example" }});
        if (changed.error) throw changed.error;
        return {{ access_token: data.session.access_token, refresh_token: data.session.refresh_token }};
        """,
    )
    mails = {mail_number(url, n)["recipient"]: mail_number(url, n) for n in (2, 3)}
    result = run_js(
        base,
        key,
        f"""
        await supabase.auth.setSession({{ access_token: "{session["access_token"]}", refresh_token: "{session["refresh_token"]}" }});
        const first = await supabase.auth.verifyOtp({{ email: "bob@new.example", token: "{code(mails["bob@new.example"])}", type: "email_change" }});
        const second = await supabase.auth.verifyOtp({{ email: "bob@example.com", token: "{code(mails["bob@example.com"])}", type: "email_change" }});
        const again = await supabase.auth.verifyOtp({{ email: "bob@example.com", token: "{code(mails["bob@example.com"])}", type: "email_change" }});
        return {{
          first: [first.error, first.data.session],
          second: second.data.session && second.data.session.user.email,
          again: again.error && again.error.code,
        }};
        """,
    )
    assert result["first"] == [None, None]  # accepted, no session yet
    assert result["second"] == "bob@new.example"
    assert result["again"] == "otp_expired"  # a code works once
