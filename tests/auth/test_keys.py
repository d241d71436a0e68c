"""Keys: secret kept once with mode 0600, Supabase claims, and every bad token refused."""

from __future__ import annotations

import stat
import time

import jwt
import pytest

from docbase.auth import keys


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOCBASE_JWT_SECRET", raising=False)
    monkeypatch.delenv("DOCBASE_STATE_DIR", raising=False)


def test_secret_is_generated_once_with_private_mode(tmp_path):
    first = keys.jwt_secret()
    path = tmp_path / ".docbase" / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.jwt_secret() == first
    assert len(first) >= 32


def test_environment_secret_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCBASE_JWT_SECRET", "from-the-environment-0123456789abcdef")
    assert keys.jwt_secret() == "from-the-environment-0123456789abcdef"
    assert not (tmp_path / ".docbase" / "jwt_secret").exists()


def test_short_secret_is_refused_clearly(monkeypatch):
    monkeypatch.setenv("DOCBASE_JWT_SECRET", "short")
    with pytest.raises(ValueError, match="at least 32"):
        keys.jwt_secret()


def test_keys_carry_supabase_claims():
    for token, role in ((keys.anon_key(), "anon"), (keys.service_key(), "service_role")):
        claims = keys.verify(token)
        assert claims["role"] == role
        assert claims["iss"] == "docbase"
        assert claims["exp"] - claims["iat"] >= 9 * 365 * 24 * 3600
        assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_keys_are_stable_for_one_secret():
    assert keys.anon_key() == keys.anon_key()
    assert keys.anon_key() != keys.service_key()


def test_sign_then_verify_round_trips():
    token = keys.sign({"role": "authenticated", "sub": "u1", "exp": int(time.time()) + 60})
    assert keys.verify(token)["sub"] == "u1"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("not-a-jwt", "invalid"),
        (jwt.encode({"role": "service_role", "exp": 4102444800}, "another-secret-0123456789abcdef-0123"), "invalid"),
        (jwt.encode({"role": "service_role", "exp": 1}, "S" * 40), "expired"),
        (jwt.encode({"role": "service_role"}, "S" * 40), "invalid"),
        (jwt.encode({"exp": 4102444800}, "S" * 40), "invalid"),
        (jwt.encode({"role": "service_role", "exp": 4102444800}, None, algorithm="none"), "invalid"),
    ],
    ids=["none", "empty", "garbage", "wrong-secret", "expired", "no-exp", "no-role", "alg-none"],
)
def test_bad_tokens_are_refused(token, reason):
    with pytest.raises(keys.TokenError) as info:
        keys.verify(token, secret="S" * 40)
    assert info.value.reason == reason


def test_tampered_payload_is_refused():
    token = keys.anon_key(secret="S" * 40)
    header, payload, signature = token.split(".")
    forged = jwt.encode({"role": "service_role", "exp": 4102444800}, "x" * 40).split(".")[1]
    with pytest.raises(keys.TokenError) as info:
        keys.verify(f"{header}.{forged}.{signature}", secret="S" * 40)
    assert info.value.reason == "invalid"


def test_keys_command_prints_verifiable_keys(tmp_path):
    import json

    from typer.testing import CliRunner

    from docbase.cli import app

    doc = tmp_path / "design.md"
    doc.write_text("```sql\nCREATE TABLE notes (id integer PRIMARY KEY, body text);\n```\n")
    result = CliRunner().invoke(app, ["keys", str(doc), "--json"])
    assert result.exit_code == 0, result.output
    pair = json.loads(result.output)
    assert keys.verify(pair["anon"])["role"] == "anon"
    assert keys.verify(pair["service_role"])["role"] == "service_role"


@pytest.mark.parametrize("value", ["9999999999", True, None, [1], {"a": 1}, 2**60])
@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_time_claims_that_are_not_numbers_are_refused(claim, value):
    secret = "k" * 40
    claims = {"role": "anon", "exp": int(time.time()) + 60, claim: value}
    with pytest.raises(keys.TokenError) as err:
        keys.verify(jwt.encode(claims, secret, algorithm="HS256"), secret)
    # ``"exp": true`` is not a number either (PyJWT alone would read it as 1970 and call it expired).
    assert err.value.reason == "invalid"


async def test_a_string_exp_is_401_on_every_rest_request_too(db_url):
    """The outside report: a signed token with ``"exp": "9999999999"`` passed once, then 500'd from the key cache."""
    import httpx

    from docbase.api.app import create_app
    from docbase.migrate import migrate
    from docbase.pipeline import build_schema

    from .conftest import DOCUMENT, SECRET

    schema = build_schema(DOCUMENT, "test.md")
    migrate(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    stringy = keys.sign({"role": "service_role", "exp": "9999999999"}, SECRET)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answers = [await client.get("/rest/v1/users", headers={"apikey": stringy}) for _ in range(3)]
    expected = {
        "code": "PGRST301",
        "details": None,
        "hint": None,
        "message": "JWT claim 'exp' must be a number of seconds",
    }
    assert [(r.status_code, r.json()) for r in answers] == [(401, expected)] * 3
