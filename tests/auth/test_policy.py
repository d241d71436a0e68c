"""The password policy: GoTrue's weak_password reasons, invisible characters, zxcvbn, required classes."""

from __future__ import annotations

import pytest

from docbase.auth.passwords import MAX_BYTES
from docbase.auth.policy import PasswordError, PasswordPolicy, check_password, parse_required_characters

from .conftest import make_harness

DEFAULT = PasswordPolicy()
PWNED = "Password is known to be weak and easy to guess, please choose a different one."


def reasons_of(password: str, policy: PasswordPolicy = DEFAULT, known: tuple[str, ...] = ()) -> tuple[str, ...]:
    with pytest.raises(PasswordError) as err:
        check_password(password, policy, known)
    assert err.value.code == "weak_password"
    return err.value.reasons


@pytest.mark.parametrize("password", ["password", "12345678", "qwertyuiop", "Password1", "aaaaaaaa", "abcdefgh"])
def test_common_passwords_are_refused_as_pwned(password):
    assert reasons_of(password) == ("pwned",)


@pytest.mark.parametrize(
    "password",
    [
        " " * 8,
        "\t" * 8,
        "\u3000" * 8,
        "\u200b" * 8,
        "\u3164" * 8,
        "correct\u200bhorse",
        "correct\u202ehorse",
        "correct\x00horse",
        "correct\x1bhorse",
        "correct\nhorse",
        "correct\ufeffhorse",
    ],
)
def test_whitespace_only_and_invisible_characters_are_refused(password):
    assert reasons_of(password) == ("characters",)


def test_reasons_add_up_as_gotrue_lists_them():
    with pytest.raises(PasswordError) as err:
        check_password("pass", PasswordPolicy(min_length=8, required_characters=("0123456789",)))
    assert err.value.reasons == ("length", "characters", "pwned")
    assert err.value.message == (
        "Password should be at least 8 characters. Password should contain at least one character of each: "
        "0123456789. " + PWNED
    )


def test_required_character_classes():
    policy = PasswordPolicy(required_characters=parse_required_characters("lower:upper:digits"), min_score=0)
    assert reasons_of("alllowercase", policy) == ("characters",)
    assert reasons_of("Mixed Case Only", policy) == ("characters",)
    assert check_password("Mixed Case 4 All", policy) == "Mixed Case 4 All"


def test_gotrue_format_of_required_characters():
    assert parse_required_characters("abc:XYZ:\\:;") == ("abc", "XYZ", ":;")
    assert parse_required_characters("") == ()


def test_the_email_counts_as_a_known_word():
    assert check_password("adalovelace1815", DEFAULT) == "adalovelace1815"
    assert reasons_of("adalovelace1815", PasswordPolicy(min_score=3), ("adalovelace@example.com", "adalovelace")) == (
        "pwned",
    )


def test_the_guessability_check_can_be_turned_off_and_length_configured():
    assert check_password("password", PasswordPolicy(min_score=0)) == "password"
    assert check_password("abcd", PasswordPolicy(min_length=4, min_score=0)) == "abcd"
    assert reasons_of("abcd", PasswordPolicy(min_length=5, min_score=0)) == ("length",)


@pytest.mark.parametrize("password", ["x" * 10_000, "é" * 40, "a" * (MAX_BYTES + 1), None, 12345678, "", ["a"] * 8])
def test_malformed_passwords_are_validation_errors(password):
    with pytest.raises(PasswordError) as err:
        check_password(password, DEFAULT)
    assert err.value.code == "validation_failed"


@pytest.mark.parametrize(
    ("password", "reasons", "msg"),
    [
        ("password", ["pwned"], PWNED),
        ("12345678", ["pwned"], PWNED),
        (" " * 8, ["characters"], "Password cannot be only whitespace."),
        ("\u200b" * 8, ["characters"], "Password cannot contain control or invisible characters."),
        ("short", ["length", "pwned"], "Password should be at least 8 characters. " + PWNED),
    ],
)
async def test_signup_and_password_change_answer_gotrue_weak_password(db_url, password, reasons, msg):
    h = await make_harness(db_url)
    try:
        r = await h.signup(password=password)
        expected = {"code": 422, "error_code": "weak_password", "msg": msg, "weak_password": {"reasons": reasons}}
        assert (r.status_code, r.json()) == (422, expected)
        assert await h.rows("SELECT email FROM users") == []
        token = (await h.signup()).json()["access_token"]
        change = await h.client.put(
            "/auth/v1/user", headers={"authorization": f"Bearer {token}"}, json={"password": password}
        )
        assert (change.status_code, change.json()) == (422, expected)
        assert (await h.login()).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()
