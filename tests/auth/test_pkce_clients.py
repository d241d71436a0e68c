"""PKCE magic links and recovery with the official clients (``flow_type="pkce"``, ``exchangeCodeForSession``).

The link is followed by a plain HTTP client, as a mail reader's browser would:
what comes back is the app's redirect with ``?code=``, which only the client
that asked (holding the verifier in its storage) can exchange.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from docbase.auth import AuthConfig, keys

from ..clients.js import run_js
from .conftest import DOCUMENT
from .test_supabase_client import SECRET, _serve, mail_number

pytestmark = pytest.mark.slow

APP = "http://localhost:3000/auth/callback"


@pytest.fixture
def live(tmp_path, db_url):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    config = AuthConfig(bcrypt_cost=4, site_url="http://localhost:3000", redirect_urls=("http://localhost:3000/**",))
    yield from _serve(doc, db_url, config)


def code_from(mail: dict) -> str:
    """Follow the mailed link; the app's URL it redirects to, which must carry a code and no session."""
    link = re.search(r"(http\S+/verify\?\S+)", mail["body"]).group(1)
    r = httpx.get(link, follow_redirects=False)
    assert r.status_code == 303, r.text
    target = urlsplit(r.headers["location"])
    assert target._replace(query="").geturl() == APP and not target.fragment
    return parse_qs(target.query)["code"][0]


def test_python_client_exchanges_a_magic_link_code(live):
    from supabase import ClientOptions, create_client
    from supabase_auth.errors import AuthApiError

    plain, db_url = live
    client = create_client(str(plain.supabase_url).rstrip("/"), keys.anon_key(SECRET), ClientOptions(flow_type="pkce"))
    client.auth.sign_in_with_otp({"email": "ada@example.com", "options": {"email_redirect_to": APP}})
    code = code_from(mail_number(db_url, 1))
    other = create_client(str(plain.supabase_url).rstrip("/"), keys.anon_key(SECRET), ClientOptions(flow_type="pkce"))
    with pytest.raises(AuthApiError):  # a client that did not ask has no verifier for it
        other.auth.exchange_code_for_session({"auth_code": code, "code_verifier": "x" * 43})
    client.auth.sign_in_with_otp({"email": "ada@example.com", "options": {"email_redirect_to": APP}})
    code = code_from(mail_number(db_url, 2))
    signed = client.auth.exchange_code_for_session({"auth_code": code})
    assert signed.user.email == "ada@example.com" and signed.session.access_token
    assert client.auth.get_user().user.email_confirmed_at is not None


def test_js_client_exchanges_magic_link_and_recovery_codes(live, tmp_path):
    plain, db_url = live
    store = tmp_path / "storage.json"
    store.write_text("{}")
    prelude = f"""
        const fs = await import("node:fs");
        const path = {json.dumps(str(store))};
        const storage = {{
          getItem: (k) => JSON.parse(fs.readFileSync(path, "utf8"))[k] ?? null,
          setItem: (k, v) => fs.writeFileSync(path, JSON.stringify({{ ...JSON.parse(fs.readFileSync(path, "utf8")), [k]: v }})),
          removeItem: (k) => {{ const d = JSON.parse(fs.readFileSync(path, "utf8")); delete d[k]; fs.writeFileSync(path, JSON.stringify(d)); }},
        }};
        const pkce = createClient(url, key, {{ auth: {{ flowType: "pkce", storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false }}, realtime: {{ transport: WebSocket }} }});
    """
    key = keys.anon_key(SECRET)
    url = str(plain.supabase_url).rstrip("/")
    sent = run_js(url, key, prelude + f"return await pkce.auth.signInWithOtp({{ email: 'ada@example.com', options: {{ emailRedirectTo: {json.dumps(APP)} }} }})")  # fmt: skip
    assert sent["error"] is None
    code = code_from(mail_number(db_url, 1))
    signed = run_js(url, key, prelude + f"""
        const stored = JSON.parse(fs.readFileSync(path, "utf8"));
        const verifier = Object.entries(stored).find(([k]) => k.endsWith("-code-verifier"))[1];
        const {{ data, error }} = await pkce.auth.exchangeCodeForSession({json.dumps(code)});
        const replay = await fetch(url + "/auth/v1/token?grant_type=pkce", {{
          method: "POST", headers: {{ apikey: key, "Content-Type": "application/json" }},
          body: JSON.stringify({{ auth_code: {json.dumps(code)}, code_verifier: verifier }}),
        }});
        return {{ email: data.user && data.user.email, error, replay: [replay.status, (await replay.json()).error_code] }}
    """)  # fmt: skip
    assert signed == {"email": "ada@example.com", "error": None, "replay": [404, "flow_state_not_found"]}, signed
    reset = run_js(url, key, prelude + f"return await pkce.auth.resetPasswordForEmail('ada@example.com', {{ redirectTo: {json.dumps(APP)} }})")  # fmt: skip
    assert reset["error"] is None
    code = code_from(mail_number(db_url, 2))
    events = run_js(url, key, prelude + f"""
        const seen = [];
        pkce.auth.onAuthStateChange((event) => seen.push(event));
        const {{ data, error }} = await pkce.auth.exchangeCodeForSession({json.dumps(code)});
        const updated = await pkce.auth.updateUser({{ password: "a new horse battery" }});
        return {{ error, email: data.user && data.user.email, updated: updated.error, seen }}
    """)  # fmt: skip
    assert events["error"] is None and events["updated"] is None and events["email"] == "ada@example.com"
    assert "PASSWORD_RECOVERY" in events["seen"], events
