"""User access tokens: Supabase's claims, signed with the project secret, refused when expired or forged."""

from __future__ import annotations

import time

import pytest

from docbase.auth import keys, tokens

SECRET = "unit-secret-0123456789-0123456789-0123456789"
USER = {
    "id": "7d3c7c1e-5b8e-4c1e-9a63-0f1f4a6c2b11",
    "email": "ada@example.com",
    "app_metadata": {"provider": "email"},
    "user_metadata": {"name": "Ada"},
}


def test_claims_are_supabases():
    claims = tokens.access_claims(USER, "s-1", 3600, now=1_000)
    assert claims["sub"] == USER["id"]
    assert claims["role"] == "authenticated" and claims["aud"] == "authenticated"
    assert claims["iat"] == 1_000 and claims["exp"] == 4_600
    assert claims["session_id"] == "s-1"
    assert claims["email"] == "ada@example.com"
    assert claims["user_metadata"] == {"name": "Ada"} and claims["app_metadata"] == {"provider": "email"}
    assert claims["is_anonymous"] is False


def test_issued_token_verifies_and_names_the_user():
    now = int(time.time())
    token, exp = tokens.issue_access_token(USER, "s-1", 60, SECRET, now)
    claims = tokens.user_claims(token, SECRET, now)
    assert claims["sub"] == USER["id"] and (claims["iat"], claims["exp"]) == (now, now + 60) and exp == now + 60


def test_token_expires_at_exp_on_the_given_clock():
    token, exp = tokens.issue_access_token(USER, "s-1", 60, SECRET, 1_800_000_000)
    assert tokens.user_claims(token, SECRET, exp - 1)["exp"] == 1_800_000_060
    with pytest.raises(keys.TokenError) as err:
        tokens.user_claims(token, SECRET, exp)
    assert err.value.reason == "expired"
    with pytest.raises(keys.TokenError) as err:
        tokens.user_claims(token, SECRET, 1_800_000_000 - 1)
    assert (err.value.reason, err.value.message) == ("invalid", "JWT is invalid: The token is not yet valid (iat)")


def test_expired_token_is_refused():
    claims = tokens.access_claims(USER, "s-1", 60, now=int(time.time()) - 3600)
    with pytest.raises(keys.TokenError) as err:
        tokens.user_claims(keys.sign(claims, SECRET), SECRET)
    assert err.value.reason == "expired"


def test_token_signed_with_another_secret_is_refused():
    token, _ = tokens.issue_access_token(USER, "s-1", 60, "another-secret-0123456789-0123456789-012345")
    with pytest.raises(keys.TokenError) as err:
        tokens.user_claims(token, SECRET)
    assert err.value.reason == "invalid"


def test_tampered_payload_is_refused():
    token, _ = tokens.issue_access_token(USER, "s-1", 60, SECRET)
    header, payload, signature = token.split(".")
    forged = keys.sign({**tokens.access_claims(USER, "s-1", 60), "role": "service_role"}, "x" * 40).split(".")[1]
    with pytest.raises(keys.TokenError):
        tokens.user_claims(f"{header}.{forged}.{signature}", SECRET)


def test_api_keys_are_not_user_tokens():
    with pytest.raises(keys.TokenError):
        tokens.user_claims(keys.anon_key(SECRET), SECRET)
    with pytest.raises(keys.TokenError):
        tokens.user_claims(keys.service_key(SECRET), SECRET)


def test_refresh_tokens_are_random_and_stored_as_digests():
    a, b = tokens.new_refresh_token(), tokens.new_refresh_token()
    assert a != b and len(a) >= 24
    assert tokens.digest(a) != a and len(tokens.digest(a)) == 64


def test_otp_hash_binds_the_code_to_its_email():
    code = tokens.new_otp()
    assert len(code) == 6 and code.isdigit()
    assert tokens.otp_hash("ada@example.com", code) == tokens.otp_hash("ADA@example.com", code)
    assert tokens.otp_hash("ada@example.com", code) != tokens.otp_hash("eve@example.com", code)
