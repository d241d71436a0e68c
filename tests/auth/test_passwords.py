"""Password rules and bcrypt: minimum length, the 72-byte limit, constant-time checks."""

from __future__ import annotations

import pytest

from docbase.auth.passwords import MAX_BYTES, PasswordError, check_rules, hash_password, verify_password


def test_short_password_is_weak_with_reason():
    with pytest.raises(PasswordError) as err:
        check_rules("abc", 8)
    assert err.value.code == "weak_password" and err.value.reasons == ("length",)


def test_minimum_length_is_configurable():
    assert check_rules("abcd", 4) == "abcd"
    with pytest.raises(PasswordError):
        check_rules("abcd", 5)


@pytest.mark.parametrize("password", ["x" * 10_000, "é" * 40, "a" * (MAX_BYTES + 1)])
def test_passwords_bcrypt_would_truncate_are_refused(password):
    with pytest.raises(PasswordError) as err:
        check_rules(password, 8)
    assert err.value.code == "validation_failed" and "72" in err.value.message


@pytest.mark.parametrize("password", [None, 12345678, "", ["a"] * 8, "abc\x00defgh"])
def test_non_strings_and_nul_are_refused(password):
    with pytest.raises(PasswordError):
        check_rules(password, 8)


def test_hash_round_trip_and_cost():
    hashed = hash_password("correct horse", 4)
    assert hashed.startswith("$2b$04$")
    assert verify_password("correct horse", hashed)
    assert not verify_password("correct horsf", hashed)


def test_missing_or_foreign_hash_is_a_mismatch_not_an_error():
    assert not verify_password("anything", None, cost=4)
    assert not verify_password("anything", "not-a-bcrypt-hash")
    assert not verify_password("x" * 10_000, hash_password("x" * 72, 4))
