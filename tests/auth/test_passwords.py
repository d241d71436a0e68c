"""bcrypt: the 72-byte limit, constant-time checks, foreign hashes."""

from __future__ import annotations

from docbase.auth.passwords import hash_password, verify_password


def test_hash_round_trip_and_cost():
    hashed = hash_password("correct horse", 4)
    assert hashed.startswith("$2b$04$")
    assert verify_password("correct horse", hashed)
    assert not verify_password("correct horsf", hashed)


def test_missing_or_foreign_hash_is_a_mismatch_not_an_error():
    assert not verify_password("anything", None, cost=4)
    assert not verify_password("anything", "not-a-bcrypt-hash")
    assert not verify_password("x" * 10_000, hash_password("x" * 72, 4))
