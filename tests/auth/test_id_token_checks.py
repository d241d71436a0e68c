"""The provider's id_token on the OAuth/OIDC callback path: each bad one refused, never a session.

A real RSA key pair signs the tokens and its public half is served as a JWKS over HTTP on this machine,
so the check runs the same fetch, key choice and signature verification as against a real provider.
Refusals are ``AuthError(400, "oauth_provider_error")``, which /callback sends back to the app as GoTrue
does: ``error``, ``error_code`` and ``error_description`` on the redirect.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from docbase.auth import oauth
from docbase.auth.errors import AuthError
from docbase.auth.providers import Provider

CLIENT = "docbase-app"


@pytest.fixture(scope="module")
def issuer():
    """A key pair whose public JWK is served at ``<issuer>/jwks``; yields (issuer, private key, kid)."""
    private = rsa.generate_private_key(65537, 2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())) | {"kid": "k1", "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class JWKS(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", private, "k1"
    server.shutdown()


def _check(issuer_url: str, token: str, nonce: str | None = "n1") -> dict:
    provider = Provider("keycloak", CLIENT, "secret", issuer=issuer_url)
    oauth._verifiers.clear()
    return oauth._check_id_token(provider, {"jwks_uri": f"{issuer_url}/jwks"}, token, nonce)


def _token(issuer, key=None, kid="k1", **claims) -> str:
    url, private, _ = issuer
    now = int(time.time())
    body = {"iss": url, "sub": "u-1", "aud": CLIENT, "iat": now, "exp": now + 300, "nonce": "n1"} | claims
    return jwt.encode(body, key or private, algorithm="RS256", headers={"kid": kid})


def test_a_good_id_token_is_accepted(issuer):
    assert _check(issuer[0], _token(issuer))["sub"] == "u-1"


@pytest.mark.parametrize(
    "case",
    [
        "untrusted issuer",
        "wrong audience",
        "expired",
        "not yet valid",
        "bad signature",
        "unknown key",
        "wrong nonce",
        "no sub",
    ],
)
def test_a_bad_id_token_is_refused(issuer, case):
    url = issuer[0]
    now = int(time.time())
    token = {
        "untrusted issuer": lambda: _token(issuer, iss="https://evil.example.com"),
        "wrong audience": lambda: _token(issuer, aud="someone-else"),
        "expired": lambda: _token(issuer, iat=now - 3600, exp=now - 60),
        "not yet valid": lambda: _token(issuer, nbf=now + 3600),
        "bad signature": lambda: _token(issuer, key=rsa.generate_private_key(65537, 2048)),
        "unknown key": lambda: _token(issuer, kid="k2"),
        "wrong nonce": lambda: _token(issuer, nonce="other"),
        "no sub": lambda: _token(issuer, sub=None),
    }[case]()
    with pytest.raises(AuthError) as refused:
        _check(url, token)
    assert (refused.value.status, refused.value.error_code) == (400, "oauth_provider_error")
