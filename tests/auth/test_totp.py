"""TOTP arithmetic against RFC 6238's own test vectors, and the server-side rules on top (skew, no replay)."""

from __future__ import annotations

import base64

import pytest

from docbase.auth import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("moment", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_codes_match_rfc_6238_appendix_b(moment, eight_digits):
    # the 6-digit code is the 8-digit one modulo 10**6 (RFC 4226 section 5.3)
    assert totp.code_at(RFC_SECRET, totp.step_of(moment)) == eight_digits[-6:]


def test_a_code_matches_one_step_either_side_and_never_again():
    now = 1234567890
    step = totp.step_of(now)
    code = totp.code_at(RFC_SECRET, step)
    assert totp.matching_step(RFC_SECRET, code, now, None) == step
    assert totp.matching_step(RFC_SECRET, code, now + 30, None) == step  # the phone's clock is a step behind
    assert totp.matching_step(RFC_SECRET, code, now + 60, None) is None  # two steps: too old
    assert totp.matching_step(RFC_SECRET, code, now, step) is None  # already used
    previous = totp.code_at(RFC_SECRET, step - 1)
    assert totp.matching_step(RFC_SECRET, previous, now, step) is None  # an older code after a newer one
    assert totp.matching_step(RFC_SECRET, "12345", now, None) is None
    assert totp.matching_step(RFC_SECRET, "１２３４５６", now, None) is None


def test_the_uri_and_qr_code_are_what_authenticator_apps_read():
    link = totp.uri("ABC", "ada@example.com", "My App")
    assert link == "otpauth://totp/My%20App:ada@example.com?secret=ABC&issuer=My%20App"
    svg = totp.qr_svg(link)
    assert svg.startswith("<svg") and "<?xml" not in svg
