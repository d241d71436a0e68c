"""``Authorization: Bearer`` is read in one place (docbase.auth.bearer); every transport imports it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docbase.auth.bearer import bearer_token

SRC = Path(__file__).resolve().parents[2] / "src" / "docbase"
# What a hand-written parser looks like: comparing a scheme with "bearer", or slicing "bearer " off a header.
HAND_PARSED = re.compile(r"""(==|!=)\s*["']bearer["']|\[:7\]\.lower\(\)""", re.IGNORECASE)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER  abc ", "abc"),
        (" Bearer abc", "abc"),
        ("Bearer", None),
        ("Bearer   ", None),
        ("Basic abc", None),
        ("Bearerabc", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header, token):
    assert bearer_token(header) == token


def test_no_other_module_parses_the_header():
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "bearer.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_PARSED.search(line)
    ]
    assert found == []
