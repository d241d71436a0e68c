"""Asymmetric signing keys served as a JWKS, and third-party issuers verified against theirs (issue 20).

The live test runs a docbase server and, beside it, a small HTTP server publishing a JWKS for a key pair
made here (an outside issuer such as Clerk); the official ``supabase`` client signs in against the first
and sends the outside token to the second's trusting server; PyJWT's PyJWKClient checks docbase's tokens
over HTTP, as any other service would.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.routing import Mount

from docbase.auth import AuthConfig, auth_routes, jwks, keys

SECRET = "jwks-secret-0123456789-0123456789-0123456789"

DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own notes" ON public.notes FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "write own notes" ON public.notes FOR INSERT WITH CHECK (user_id = auth.uid());
```
"""


class Issuer:
    """An outside issuer: an RSA key pair made here, its public half served as a JWKS over HTTP."""

    def __init__(self) -> None:
        self.private = rsa.generate_private_key(65537, 2048)
        self.kid = "outside-1"
        self.fetches = 0
        #: Served at /.well-known/openid-configuration when set (OIDC discovery); the JWKS is at jwks_path.
        self.discovery: dict | None = None
        self.discoveries = 0
        self.jwks_path = "/.well-known/jwks.json"
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == "/.well-known/openid-configuration" and issuer.discovery is not None:
                    issuer.discoveries += 1
                    body = json.dumps(issuer.discovery).encode()
                elif self.path == issuer.jwks_path:  # without discovery docbase looks at /.well-known/jwks.json
                    issuer.fetches += 1
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer.private.public_key()))
                    body = json.dumps({"keys": [{**jwk, "kid": issuer.kid, "alg": "RS256", "use": "sig"}]}).encode()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, sub: str, key=None, alg: str = "RS256", kid: str | None = None, **claims) -> str:
        body = {"iss": self.url, "sub": sub, "exp": int(time.time()) + 600, "iat": int(time.time()) - 5, **claims}
        return jwt.encode(body, key or self.private, algorithm=alg, headers={"kid": kid or self.kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def issuer():
    outside = Issuer()
    yield outside
    outside.close()


def _serve(db_url: str):
    uvicorn = pytest.importorskip("uvicorn")
    from docbase.api.app import create_app
    from docbase.migrate import migrate
    from docbase.pipeline import build_schema

    schema = build_schema(DOC, "notes.md")
    migrate(schema, db_url)
    routes = [Mount("/auth/v1", routes=auth_routes(schema, db_url, AuthConfig(bcrypt_cost=4), SECRET))]
    app = create_app(schema, db_url, secret=SECRET, routes=routes)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the live docbase server did not start"
        time.sleep(0.05)
    return srv, thread, f"http://127.0.0.1:{port}"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The '.*' parameter is deprecated:DeprecationWarning")  # supabase-py's own
def test_asymmetric_sessions_verify_against_the_served_jwks_and_outside_tokens_obey_row_rules(
    db_url, issuer, tmp_path, monkeypatch
):
    supabase = pytest.importorskip("supabase")
    from supabase.lib.client_options import SyncClientOptions

    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    alg = "ES256" if db_url.startswith("postgresql") else "RS256"  # both algorithms, no extra server
    monkeypatch.setenv("DOCBASE_JWT_SIGNING_ALG", alg)
    monkeypatch.setenv("DOCBASE_AUTH_THIRD_PARTY_ISSUER", issuer.url)
    srv, thread, base = _serve(db_url)
    try:
        key_file = tmp_path / "state" / f"jwt_signing_key_{alg.lower()}.pem"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

        # a docbase user: an RS256 or ES256 session, verified by an independent verifier over HTTP
        client = supabase.create_client(base, keys.anon_key(SECRET))
        client.auth.sign_up({"email": "ada@example.com", "password": "correct horse"})
        session = client.auth.sign_in_with_password({"email": "ada@example.com", "password": "correct horse"}).session
        header = jwt.get_unverified_header(session.access_token)
        assert header["alg"] == alg and header["kid"]
        signing = jwt.PyJWKClient(f"{base}/auth/v1/.well-known/jwks.json").get_signing_key_from_jwt(
            session.access_token
        )
        claims = jwt.decode(session.access_token, signing.key, algorithms=[alg], audience="authenticated")
        assert claims["sub"] == session.user.id and claims["role"] == "authenticated"
        assert client.auth.get_claims()["claims"]["sub"] == session.user.id  # the client's own JWKS check
        served = httpx.get(f"{base}/auth/v1/.well-known/jwks.json").json()["keys"]
        assert [k["kid"] for k in served] == [header["kid"]] and "d" not in served[0]  # public half only
        client.table("notes").insert({"id": str(uuid.uuid4()), "user_id": session.user.id, "body": "ada's"}).execute()
        assert client.auth.get_user().user.email == "ada@example.com"  # /auth/v1/user takes the asymmetric token

        # an outside user (Clerk-style token, no role claim): authenticated, its sub is auth.uid()
        outside_id = str(uuid.uuid4())
        options = SyncClientOptions(headers={"Authorization": f"Bearer {issuer.token(outside_id)}"})
        outside = supabase.create_client(base, keys.anon_key(SECRET), options=options)
        outside.table("notes").insert({"id": str(uuid.uuid4()), "user_id": outside_id, "body": "mine"}).execute()
        assert [r["body"] for r in outside.table("notes").select("body").execute().data] == ["mine"]
        with pytest.raises(Exception) as refused:  # noqa: B017 - postgrest's APIError
            outside.table("notes").insert({"id": str(uuid.uuid4()), "user_id": session.user.id}).execute()
        assert "42501" in str(refused.value)
        fetches = issuer.fetches
        assert fetches == 1  # cached: one fetch served all of the above

        # attacks: each one is PostgREST's 401
        public_pem = issuer.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        stranger = rsa.generate_private_key(65537, 2048)
        now = int(time.time())
        forged = {
            "wrong issuer": issuer.token(outside_id, iss="https://evil.example.com"),
            "expired": issuer.token(outside_id, exp=now - 60, iat=now - 120),
            "unknown kid": issuer.token(outside_id, kid="not-published"),
            "wrong key": issuer.token(outside_id, key=stranger),
            "alg none": jwt.encode({"iss": issuer.url, "sub": outside_id, "exp": now + 600}, None, algorithm="none"),
            "HS256 with the public key": _hs256_with(public_pem, issuer.url, outside_id, issuer.kid),
            "service_role from outside": issuer.token(outside_id, role="service_role"),
            "our kid, outside key": issuer.token(outside_id, kid=header["kid"], iss="docbase", role="authenticated"),
        }
        for name, token in forged.items():
            answer = httpx.get(
                f"{base}/rest/v1/notes",
                headers={"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 401, name
            assert set(answer.json()) == {"code", "details", "hint", "message"}, name
            assert answer.json()["code"] in ("PGRST301", "PGRST303"), name
        assert issuer.fetches == fetches  # an unknown kid right after a fetch does not fetch again
    finally:
        srv.should_exit = True
        thread.join(10)


def _hs256_with(secret: bytes, iss: str, sub: str, kid: str) -> str:
    """The algorithm-confusion forgery: HS256 keyed with the issuer's public key (PyJWT refuses to make it)."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64(json.dumps({"iss": iss, "sub": sub, "exp": int(time.time()) + 600}).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


ES_SECRET = "es-secret-0123456789-0123456789-012345"


def test_es256_key_is_made_once_and_old_key_files_keep_verifying(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path))
    trust = jwks.load_trust(toml={"jwt_signing_alg": "ES256"})
    again = jwks.load_trust(toml={"jwt_signing_alg": "ES256"})
    assert trust.signing.kid == again.signing.kid  # a restart signs with the same key
    keys.TRUSTS[ES_SECRET] = trust
    try:
        token = keys.sign_user({"role": "authenticated", "sub": "u", "exp": time.time() + 60}, ES_SECRET)
        assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": trust.signing.kid, "typ": "JWT"}
        # switched back to HS256: new tokens are HS256, the ES256 one still verifies until it expires
        keys.TRUSTS[ES_SECRET] = jwks.load_trust(toml={})
        assert keys.verify(token, ES_SECRET)["sub"] == "u"
        fresh = keys.sign_user({"role": "authenticated", "exp": time.time() + 60}, ES_SECRET)
        assert jwt.get_unverified_header(fresh)["alg"] == "HS256"
    finally:
        keys.TRUSTS.pop(ES_SECRET)
    with pytest.raises(ValueError, match="jwt_signing_alg"):
        jwks.load_trust(toml={"jwt_signing_alg": "HS512"})


def test_an_asymmetric_token_is_refused_where_no_key_or_issuer_is_trusted():
    private = rsa.generate_private_key(65537, 2048)
    token = jwt.encode({"role": "service_role", "exp": time.time() + 60}, private, algorithm="RS256")
    with pytest.raises(keys.TokenError):
        keys.verify(token, SECRET + "-nothing-installed")


def test_a_rotated_outside_key_is_fetched_on_its_first_token_and_made_up_kids_are_bounded(issuer):
    third = jwks.ThirdParty(issuer.url, refetch_interval=0)
    sub = str(uuid.uuid4())
    assert third.verify(issuer.token(sub), {"alg": "RS256", "kid": issuer.kid})["role"] == "authenticated"
    issuer.private, issuer.kid = rsa.generate_private_key(65537, 2048), "outside-2"  # the issuer rotates
    assert third.verify(issuer.token(sub), {"alg": "RS256", "kid": "outside-2"})["sub"] == sub
    assert issuer.fetches == 2
    bounded = jwks.ThirdParty(issuer.url)  # default: at most one refetch per 30 seconds
    bounded.verify(issuer.token(sub), {"alg": "RS256", "kid": "outside-2"})
    for n in range(5):
        with pytest.raises(keys.TokenError, match="not in the issuer's JWKS"):
            bounded.key(f"made-up-{n}")
    assert issuer.fetches == 3


async def test_under_the_default_hs256_the_jwks_is_empty_and_sessions_stay_hs256(auth):
    answer = await auth.client.get("/auth/v1/.well-known/jwks.json", headers={"apikey": ""})  # public, as Supabase
    assert (answer.status_code, answer.json()) == (200, {"keys": []})
    await auth.signup()
    token = (await auth.login()).json()["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_serve_refuses_an_unknown_signing_algorithm_before_starting(tmp_path, monkeypatch):
    from docbase.api.serve import ServeError, run
    from docbase.pipeline import load_schema

    doc = tmp_path / "notes.md"
    doc.write_text(DOC)
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DOCBASE_JWT_SIGNING_ALG", "HS512")
    with pytest.raises(ServeError, match="jwt_signing_alg must be HS256, RS256 or ES256"):
        run(load_schema(doc), doc, f"sqlite:///{tmp_path}/n.db", "127.0.0.1", 0, 1)
    assert not (tmp_path / "n.db").exists()  # stopped before migrating


def test_the_issuers_keys_are_found_by_discovery_once_and_a_document_naming_another_issuer_is_refused(issuer):
    """Auth0, Keycloak and oidc-provider keep their keys elsewhere than /.well-known/jwks.json."""
    issuer.jwks_path = "/protocol/certs"
    issuer.discovery = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/protocol/certs"}
    third = jwks.ThirdParty(issuer.url)
    header = {"alg": "RS256", "kid": issuer.kid}
    assert third.verify(issuer.token("user_1"), header)["sub"] == "user_1"
    assert third.verify(issuer.token("user_2"), header)["sub"] == "user_2"
    assert (issuer.discoveries, issuer.fetches) == (1, 1)  # cached with the keys

    issuer.discovery = {"issuer": "https://someone-else.example", "jwks_uri": f"{issuer.url}/protocol/certs"}
    with pytest.raises(keys.TokenError, match="names issuer 'https://someone-else.example'"):
        jwks.ThirdParty(issuer.url).verify(issuer.token("user_1"), header)
