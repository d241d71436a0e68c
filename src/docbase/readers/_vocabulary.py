"""The words of column tables, headings and flags, read once from ``headers.toml``.

Header words differ with the author's language (Column / Spalte / Cột /
Столбец / カラム名); keeping them in a data file means a new language is a
list of words, not a new code path. Words are compared after ``normal``:
lower-cased, spaces collapsed, a trailing ``:`` or ``?`` dropped.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path

_FILE = Path(__file__).with_name("headers.toml")


@lru_cache(maxsize=1 << 14)  # pure, and called with the same few strings all through a document
def normal(word: str) -> str:
    return re.sub(r"\s+", " ", word.lower()).strip().rstrip(":：?？").strip()


@cache
def _data() -> dict:
    with _FILE.open("rb") as f:
        return tomllib.load(f)


@cache
def roles() -> dict[str, frozenset[str]]:
    """Header role -> the header words that name it, in the file's order."""
    return {role: frozenset(normal(w) for w in words) for role, words in _data()["roles"].items()}


@cache
def words(kind: str) -> frozenset[str]:
    """``table`` (words that make a heading name a table) or ``generic`` (headings that name none)."""
    return frozenset(normal(w) for w in _data()["words"][kind])


@cache
def flags(kind: str) -> frozenset[str]:
    """``yes`` or ``no``: what a cell of a yes/no column says."""
    return frozenset(normal(w) for w in _data()["flags"][kind])


@cache
def _announcing() -> frozenset[str]:
    return frozenset(normal(w) for w in _data()["announce"]["fields"])


def announces_fields(text: str) -> bool:
    """Whether a lead or parent bullet announces a list of columns (``Fields:``, ``Campos:``).

    The word set is built once; this used to rebuild it per new text and keep every text asked
    about in an unbounded cache (a long-running server re-reading documents only grew it)."""
    return normal(text.replace("*", "").replace("_", " ")) in _announcing()
