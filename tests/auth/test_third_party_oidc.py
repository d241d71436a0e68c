"""Third-party tokens from a real OIDC provider (issue 20): the Auth0/Clerk shape, end to end.

The provider is the certified ``oidc-provider`` package the OAuth tests run (tests/clients/oidc_provider.mjs).
A user signs in there by the authorization code flow (its own login and consent pages) asking for an API
``resource`` (RFC 8707), and gets what Auth0 hands a SPA for an API and Clerk for its session: a JWT access
token the provider signs (``typ: at+jwt``, ``aud`` the API), not an id_token, which is meant for the app
itself. docbase is told the issuer URL only; it finds the keys by OIDC discovery (the provider serves them at
``/jwks``, not ``/.well-known/jwks.json``). The official clients then use the token as Supabase's
third-party auth does: each user is their ``users`` row (made on first sight, ``auth0_id`` = ``sub``) and
reads only their own notes; a token of another issuer, for another audience, or expired is a 401.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from ..api.test_serve import Server
from ..clients.js import HERE, ensure_installed, run_js
from .test_jwks import Issuer
from .test_oauth import browse, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The '.*' parameter is deprecated:DeprecationWarning"),  # supabase-py's own
]

API, OTHER_API = "https://api.notes.test", "https://api.other.test"
APP = "http://localhost:3000/callback"
CLIENT_ID, CLIENT_SECRET = "notes-spa", "notes-spa-secret-0123456789"
SHORT = "notes-spa-short"  # the same app registered again, its access tokens living one second

DOCUMENT = """# Notes

```sql
CREATE TABLE users (
  id uuid PRIMARY KEY,
  auth0_id text UNIQUE,
  email text,
  created_at timestamptz DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE notes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL
);
```
"""


@pytest.fixture(scope="module")
def provider():
    ensure_installed()
    port = free_port()
    clients = [
        {
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [APP],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }
        for client_id in (CLIENT_ID, SHORT)
    ]
    node = subprocess.Popen(
        ["node", str(HERE / "oidc_provider.mjs")],
        cwd=HERE,
        env={
            **os.environ,
            "OIDC_PORT": str(port),
            "OIDC_CLIENTS": json.dumps(clients),
            "OIDC_ACCESS_TOKEN_TTLS": json.dumps({SHORT: 1}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = node.stdout.readline()
        assert line.startswith("ready"), f"oidc-provider did not start: {line}{node.stderr.read()[-2000:]}"
        yield line.split()[1]
    finally:
        node.terminate()
        node.wait(10)


def sign_in(issuer: str, login: str, resource: str = API, client_id: str = CLIENT_ID) -> str:
    """The access token the provider issues ``login`` for ``resource`` after its own login and consent."""
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": APP,
        "scope": "openid email api",
        "resource": resource,
        "state": uuid.uuid4().hex,
        "nonce": uuid.uuid4().hex,
    }
    landed, _ = browse(f"{issuer}/auth?{urlencode(query)}", login=login)
    got = parse_qs(urlsplit(landed).query)
    assert "code" in got, landed
    answer = httpx.post(
        f"{issuer}/token",
        data={"grant_type": "authorization_code", "code": got["code"][0], "redirect_uri": APP, "resource": resource},
        auth=(client_id, CLIENT_SECRET),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture
def served(provider, tmp_path, db_url):
    (tmp_path / "docbase.toml").write_text(
        f'auth_third_party_issuer = "{provider}"\nauth_third_party_audience = "{API}"\n'
    )
    server = Server(tmp_path, db_url, document=DOCUMENT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _service(server) -> dict[str, str]:
    return {"apikey": server.service_key, "Authorization": f"Bearer {server.service_key}"}


def test_python_client_with_the_providers_access_token_is_the_users_row_and_reads_only_its_notes(provider, served):
    from postgrest.exceptions import APIError
    from supabase import ClientOptions, create_client

    login = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("ada", "bob")}
    tokens = {name: sign_in(provider, sub) for name, sub in login.items()}
    header = jwt.get_unverified_header(tokens["ada"])
    claims = jwt.decode(tokens["ada"], options={"verify_signature": False})
    assert (header["typ"], header["alg"]) == ("at+jwt", "RS256") and header["kid"]
    assert (claims["iss"], claims["aud"], claims["sub"]) == (provider, API, login["ada"])
    assert httpx.get(f"{provider}/.well-known/jwks.json").status_code == 404  # the keys are found by discovery

    def client(name: str):
        options = ClientOptions(headers={"Authorization": f"Bearer {tokens[name]}"})
        return create_client(served.base, served.anon_key, options=options)

    ada, bob = client("ada"), client("bob")
    [me] = ada.table("users").select("id, auth0_id, email").execute().data  # first sight makes the row
    assert (me["auth0_id"], me["email"]) == (login["ada"], f"{login['ada']}@example.com")
    [bob_row] = bob.table("users").select("id, auth0_id").execute().data
    assert bob_row["auth0_id"] == login["bob"] and bob_row["id"] != me["id"]
    rows = httpx.get(f"{served.base}/rest/v1/users?select=auth0_id&order=auth0_id", headers=_service(served)).json()
    assert rows == sorted([{"auth0_id": s} for s in login.values()], key=lambda r: r["auth0_id"])  # one each

    ada.table("notes").insert({"id": str(uuid.uuid4()), "user_id": me["id"], "body": "ada's"}).execute()
    bob.table("notes").insert({"id": str(uuid.uuid4()), "user_id": bob_row["id"], "body": "bob's"}).execute()
    assert [n["body"] for n in ada.table("notes").select("body").execute().data] == ["ada's"]
    assert [n["body"] for n in bob.table("notes").select("body").execute().data] == ["bob's"]
    with pytest.raises(APIError) as planted:
        ada.table("notes").insert({"id": str(uuid.uuid4()), "user_id": bob_row["id"], "body": "x"}).execute()
    assert planted.value.code == "42501"

    elsewhere = Issuer()  # a well-signed token of another issuer, same sub and audience
    try:
        outsider = elsewhere.token(login["ada"], aud=API)
    finally:
        elsewhere.close()
    wrong_audience = sign_in(provider, login["ada"], OTHER_API)
    short = sign_in(provider, login["ada"], client_id=SHORT)
    assert jwt.decode(wrong_audience, options={"verify_signature": False})["aud"] == OTHER_API
    time.sleep(2.5)  # SHORT's token lives one second
    refused = {}
    for name, token in (("issuer", outsider), ("audience", wrong_audience), ("expired", short)):
        options = ClientOptions(headers={"Authorization": f"Bearer {token}"})
        with pytest.raises(APIError) as error:
            create_client(served.base, served.anon_key, options=options).table("notes").select("body").execute()
        answer = httpx.get(
            f"{served.base}/rest/v1/notes", headers={"apikey": served.anon_key, "Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 401 and set(answer.json()) == {"code", "message", "details", "hint"}, answer.text
        refused[name] = (error.value.code, answer.json()["code"])
    assert refused == {"issuer": ("PGRST301",) * 2, "audience": ("PGRST301",) * 2, "expired": ("PGRST303",) * 2}
    assert len(httpx.get(f"{served.base}/rest/v1/users", headers=_service(served)).json()) == 2  # none made


def test_supabase_js_access_token_option_with_the_providers_token(provider, served):
    sub = f"cy-{uuid.uuid4().hex[:8]}"
    token, wrong = sign_in(provider, sub), sign_in(provider, sub, OTHER_API)
    result = run_js(
        served.base,
        served.anon_key,
        f"""
        const options = {{ auth: {{ persistSession: false }}, realtime: {{ transport: WebSocket }} }};
        const mine = createClient(url, key, {{ ...options, accessToken: async () => {json.dumps(token)} }});
        const me = await mine.from("users").select("id, auth0_id");
        const id = me.data[0].id;
        const wrote = await mine.from("notes").insert({{ id: crypto.randomUUID(), user_id: id, body: "cy's" }});
        const read = await mine.from("notes").select("body");
        const other = createClient(url, key, {{ ...options, accessToken: async () => {json.dumps(wrong)} }});
        const refused = await other.from("notes").select("body");
        return {{ me: me.data, wrote: wrote.error, read: read.data, refused: [refused.status, refused.error?.code] }};
        """,
        timeout=60,
    )
    assert [r["auth0_id"] for r in result["me"]] == [sub] and result["wrote"] is None
    assert result["read"] == [{"body": "cy's"}]
    assert result["refused"] == [401, "PGRST301"]
