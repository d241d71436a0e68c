"""Sign-in with an OpenID Connect provider, end to end, against a real provider running on this machine.

The provider is the certified ``oidc-provider`` npm package (tests/clients/oidc_provider.mjs) under node;
supabase-js asks docbase for the sign-in URL (``signInWithOAuth``) and later exchanges the code
(``exchangeCodeForSession``); in between, an HTTP client plays the browser: it follows the redirects and
submits the provider's own login and consent forms. Both databases.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from starlette.routing import Mount

from docbase.auth import AuthConfig, auth_routes, keys
from docbase.auth.providers import Provider

from ..clients.js import HERE, ensure_installed, run_js
from ..conftest import SEEDS
from .conftest import DOCUMENT

pytestmark = pytest.mark.slow

SECRET = "oauth-secret-0123456789-0123456789-0123456789"
APP = "http://localhost:3000/auth/callback"
CLIENT_ID, CLIENT_SECRET = "docbase-app", "docbase-app-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider_and_server(tmp_path, db_url):
    """The OIDC provider (node) with docbase registered as a client, and a live docbase using it."""
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    yield from _serve_with_provider(doc, db_url, "keycloak")


def _serve_with_provider(doc, db_url, name):
    ensure_installed()
    uvicorn = pytest.importorskip("uvicorn")
    from docbase.api.app import create_app
    from docbase.migrate import migrate
    from docbase.pipeline import load_schema

    dport, oport = free_port(), free_port()
    base, issuer = f"http://127.0.0.1:{dport}", f"http://127.0.0.1:{oport}"
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{base}/auth/v1/callback"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }
    ]
    node = subprocess.Popen(
        ["node", str(HERE / "oidc_provider.mjs")],
        cwd=HERE,
        env={**os.environ, "OIDC_PORT": str(oport), "OIDC_CLIENTS": json.dumps(clients)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = node.stdout.readline()
        assert line.startswith("ready"), f"oidc-provider did not start: {line}{node.stderr.read()[-2000:]}"
        schema = load_schema(doc)
        migrate(schema, db_url)
        config = AuthConfig(
            bcrypt_cost=4,
            site_url="http://localhost:3000",
            redirect_urls=("http://localhost:3000/**",),
            external_url=base,
            oauth=(Provider(name, CLIENT_ID, CLIENT_SECRET, issuer=issuer),),
        )
        routes = [Mount("/auth/v1", routes=auth_routes(schema, db_url, config, SECRET))]
        app = create_app(schema, db_url, secret=SECRET, routes=routes)
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=dport, log_level="warning"))
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not srv.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the live docbase server did not start"
            time.sleep(0.05)
        yield base, db_url
        srv.should_exit = True
        thread.join(10)
    finally:
        node.terminate()
        node.wait(10)


class Forms(HTMLParser):
    """The forms of a page: action and the inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def browse(url: str, login: str = "alice") -> tuple[str, list[str]]:
    """Play the browser from docbase's /authorize to the app: follow redirects, sign in and consent.

    Returns the app URL finally reached and every URL visited (docbase's callback among them).
    """
    seen = []
    with httpx.Client(follow_redirects=False, timeout=20) as browser:
        response = browser.get(url)
        for _ in range(20):
            seen.append(str(response.url))
            if response.is_redirect:
                nxt = urljoin(str(response.url), response.headers["location"])
                if nxt.startswith("http://localhost:3000"):
                    return nxt, seen
                response = browser.get(nxt)
                continue
            assert response.status_code == 200, (response.status_code, response.text[:500])
            page = Forms()
            page.feed(response.text)
            assert page.forms, response.text[:500]
            form = page.forms[0]
            fields = dict(form["fields"])
            if "login" in fields:
                fields |= {"login": login, "password": "anything"}
            response = browser.post(urljoin(str(response.url), form["action"]), data=fields)
    raise AssertionError(f"never reached the app: {seen}")


STORAGE = """
const fs = await import("node:fs");
const path = process.env.STORE;
const read = () => JSON.parse(fs.existsSync(path) ? fs.readFileSync(path, "utf8") : "{}");
const storage = {
  getItem: (k) => read()[k] ?? null,
  setItem: (k, v) => fs.writeFileSync(path, JSON.stringify({ ...read(), [k]: v })),
  removeItem: (k) => { const d = read(); delete d[k]; fs.writeFileSync(path, JSON.stringify(d)); },
};
const pkce = createClient(url, key, { auth: { flowType: "pkce", storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false }, realtime: { transport: WebSocket } });
"""


def test_js_client_signs_in_with_the_oidc_provider_by_pkce(provider_and_server, tmp_path):
    base, db_url = provider_and_server
    key, env = keys.anon_key(SECRET), {"STORE": str(tmp_path / "store.json")}
    start = run_js(base, key, STORAGE + f"""
        const {{ data, error }} = await pkce.auth.signInWithOAuth({{ provider: "keycloak", options: {{ redirectTo: {json.dumps(APP)}, skipBrowserRedirect: true }} }});
        return {{ url: data.url, error }}
    """, env=env)  # fmt: skip
    assert start["error"] is None and start["url"].startswith(f"{base}/auth/v1/authorize?provider=keycloak")
    landed, seen = browse(start["url"])
    assert landed.startswith(APP + "?code=") and "access_token" not in landed
    code = parse_qs(urlsplit(landed).query)["code"][0]
    callback = next(u for u in seen if u.startswith(f"{base}/auth/v1/callback"))

    replay = httpx.get(callback, follow_redirects=False)  # the provider's redirect, replayed: its state is spent
    assert (replay.status_code, replay.json()["error_code"]) == (400, "bad_oauth_state")
    forged = httpx.get(f"{base}/auth/v1/callback", params={"state": "made-up", "code": "x"})
    assert (forged.status_code, forged.json()["error_code"]) == (400, "bad_oauth_state")

    signed = run_js(base, key, STORAGE + f"""
        const {{ data, error }} = await pkce.auth.exchangeCodeForSession({json.dumps(code)});
        if (error) return {{ error }};
        const me = await pkce.auth.getUser();
        return {{ email: data.user.email, providers: data.user.app_metadata.providers,
                 identities: me.data.user.identities.map((i) => [i.provider, i.id, i.identity_data.email]) }}
    """, env=env)  # fmt: skip
    assert signed == {
        "email": "alice@example.com",
        "providers": ["keycloak"],
        "identities": [["keycloak", "alice", "alice@example.com"]],
    }, signed

    again = run_js(base, key, STORAGE + f"""
        const start = await pkce.auth.signInWithOAuth({{ provider: "keycloak", options: {{ redirectTo: {json.dumps(APP)}, skipBrowserRedirect: true }} }});
        return start.data.url
    """, env=env)  # fmt: skip
    landed, _ = browse(again)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    wrong = httpx.post(
        f"{base}/auth/v1/token", params={"grant_type": "pkce"}, headers={"apikey": key},
        json={"auth_code": code, "code_verifier": "w" * 43},
    )  # fmt: skip
    assert (wrong.status_code, wrong.json()["error_code"]) == (400, "bad_code_verifier")


def test_python_client_signs_in_by_the_implicit_flow_and_the_user_row_follows(provider_and_server):
    from supabase import ClientOptions, create_client

    base, db_url = provider_and_server
    client = create_client(base, keys.anon_key(SECRET), ClientOptions(flow_type="implicit"))
    url = client.auth.sign_in_with_oauth({"provider": "keycloak", "options": {"redirect_to": APP}}).url
    landed, _ = browse(url, login="bob")
    fragment = parse_qs(urlsplit(landed).fragment)
    assert "error" not in fragment, fragment
    session = client.auth.set_session(fragment["access_token"][0], fragment["refresh_token"][0])
    assert session.user.email == "bob@example.com" and session.user.email_confirmed_at
    assert fragment["provider_token"][0]
    import sqlalchemy as sa

    engine = sa.create_engine(db_url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", ""))
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT email, name FROM users WHERE email = 'bob@example.com'")).one()
    engine.dispose()
    assert tuple(row) == ("bob@example.com", "User bob")
    landed, _ = browse(
        client.auth.sign_in_with_oauth({"provider": "keycloak", "options": {"redirect_to": APP}}).url, "bob"
    )
    again = parse_qs(urlsplit(landed).fragment)
    assert client.auth.set_session(again["access_token"][0], again["refresh_token"][0]).user.id == session.user.id


SEEDED = {p.stem[:3]: p for p in SEEDS if p.stem[:3] in ("001", "003")}


@pytest.mark.parametrize(
    ("seed", "provider", "sql"),
    [
        ("001", "gitlab", "SELECT u.email, c.provider, c.provider_user_id, c.access_token FROM oauth_connections c JOIN users u ON u.id = c.user_id"),
        ("003", "keycloak", 'SELECT u.email, a."providerId", a."accountId", a."accessToken" FROM account a JOIN "user" u ON u.id = a."userId"'),
    ],
    ids=["001-oauth_connections", "003-account"],
)  # fmt: skip
def test_the_documents_provider_account_table_follows_sign_ins(tmp_path, db_url, seed, provider, sql):
    import sqlalchemy as sa
    from supabase import ClientOptions, create_client

    doc = tmp_path / "design.md"
    doc.write_text(SEEDED[seed].read_text())
    served = _serve_with_provider(doc, db_url, provider)
    base, _ = next(served)
    try:
        client = create_client(base, keys.anon_key(SECRET), ClientOptions(flow_type="implicit"))
        for _ in range(2):  # the second sign-in updates the row, never adds one
            url = client.auth.sign_in_with_oauth({"provider": provider, "options": {"redirect_to": APP}}).url
            landed, _ = browse(url, login="carol")
            assert "access_token=" in landed, landed
        engine = sa.create_engine(db_url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", ""))
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(sa.text(sql))]
        engine.dispose()
        assert rows == [("carol@example.com", provider, "carol", None)]  # provider tokens are not copied there
    finally:
        next(served, None)


# Linking and unlinking (supabase-py): a password user links the provider, signs in through it as the same
# user, unlinks it, and cannot unlink the last identity left.
def _client(base):
    from supabase import ClientOptions, create_client

    return create_client(base, keys.anon_key(SECRET), ClientOptions(flow_type="implicit"))


def test_python_client_links_signs_in_through_and_unlinks_an_identity(provider_and_server):
    from supabase_auth.errors import AuthApiError

    base, _ = provider_and_server
    dora = _client(base)
    user = dora.auth.sign_up({"email": "dora@example.com", "password": "correct horse"}).user
    dora.auth.sign_in_with_password({"email": "dora@example.com", "password": "correct horse"})

    linked = dora.auth.link_identity({"provider": "keycloak", "options": {"redirect_to": APP}})
    landed, _ = browse(linked.url, login="alice")
    fragment = parse_qs(urlsplit(landed).fragment)
    assert "error" not in fragment, fragment
    back = dora.auth.set_session(fragment["access_token"][0], fragment["refresh_token"][0])
    assert back.user.id == user.id  # linking keeps the caller; it never signs in someone else
    found = {i.provider: i for i in dora.auth.get_user_identities().identities}
    assert set(found) == {"email", "keycloak"}
    assert found["keycloak"].identity_data["email"] == "alice@example.com"

    other = _client(base)  # the linked provider account now signs in as dora
    landed, _ = browse(other.auth.sign_in_with_oauth({"provider": "keycloak", "options": {"redirect_to": APP}}).url)
    again = parse_qs(urlsplit(landed).fragment)
    assert other.auth.set_session(again["access_token"][0], again["refresh_token"][0]).user.id == user.id

    dora.auth.unlink_identity(found["keycloak"])
    assert [i.provider for i in dora.auth.get_user_identities().identities] == ["email"]
    with pytest.raises(AuthApiError) as last:
        dora.auth.unlink_identity(found["email"])
    assert (last.value.status, last.value.code) == (422, "single_identity_not_deletable")
    assert [i.provider for i in dora.auth.get_user_identities().identities] == ["email"]
    with pytest.raises(AuthApiError) as gone:  # the unlinked one again: GoTrue's 422, not a 404
        dora.auth.unlink_identity(found["keycloak"])
    assert (gone.value.status, gone.value.code) == (422, "identity_not_found")

    fresh = _client(base)  # unlinked: signing in through the provider no longer reaches dora
    landed, _ = browse(fresh.auth.sign_in_with_oauth({"provider": "keycloak", "options": {"redirect_to": APP}}).url)
    third = parse_qs(urlsplit(landed).fragment)
    assert "access_token" in third, third
    assert fresh.auth.set_session(third["access_token"][0], third["refresh_token"][0]).user.id != user.id


def test_js_client_links_and_cannot_unlink_the_last_identity(provider_and_server, tmp_path):
    base, _ = provider_and_server
    key, env = keys.anon_key(SECRET), {"STORE": str(tmp_path / "store.json")}
    start = run_js(base, key, STORAGE + f"""
        await pkce.auth.signUp({{ email: "erin@example.com", password: "correct horse" }});
        const {{ data: me }} = await pkce.auth.signInWithPassword({{ email: "erin@example.com", password: "correct horse" }});
        const {{ data, error }} = await pkce.auth.linkIdentity({{ provider: "keycloak", options: {{ redirectTo: {json.dumps(APP)}, skipBrowserRedirect: true }} }});
        return {{ url: data?.url, error, id: me.user.id }}
    """, env=env)  # fmt: skip
    assert start["error"] is None and "response_type=code" in start["url"], start  # the provider's own page
    landed, _ = browse(start["url"], login="frank")
    code = parse_qs(urlsplit(landed).query)["code"][0]  # supabase-js links by PKCE, as it signs in
    done = run_js(base, key, STORAGE + f"""
        const linked = await pkce.auth.exchangeCodeForSession({json.dumps(code)});
        if (linked.error) return {{ error: linked.error.message }};
        const both = (await pkce.auth.getUserIdentities()).data.identities;
        const provider = both.find((i) => i.provider === "keycloak");
        const email = both.find((i) => i.provider === "email");
        const unlinked = await pkce.auth.unlinkIdentity(provider);
        const last = await pkce.auth.unlinkIdentity(email);
        const left = (await pkce.auth.getUserIdentities()).data.identities.map((i) => i.provider);
        return {{ id: linked.data.user.id, both: both.map((i) => i.provider).sort(), unlinked: unlinked.error,
                 last: [last.error?.status, last.error?.code], left }}
    """, env=env)  # fmt: skip
    assert done == {
        "id": start["id"],
        "both": ["email", "keycloak"],
        "unlinked": None,
        "last": [422, "single_identity_not_deletable"],
        "left": ["email"],
    }, done
