"""PostgreSQL's ``tsvector`` text form on SQLite: ``'fat cat'`` is stored and returned as ``'cat' 'fat'``.

A tsvector literal (``'fat cat'::tsvector``, not ``to_tsvector``) is a list of lexemes,
each optionally quoted and followed by positions with weights (``cat:2,5A``).
PostgreSQL keeps it sorted (byte order), without duplicates (their positions merged),
and prints every lexeme quoted. SQLite has no such type; docbase keeps this
canonical text there, so both databases return the same value.
"""

from __future__ import annotations

MAX_POSITION = 16383


class Malformed(ValueError):
    """Not a tsvector literal (PostgreSQL: 42601 syntax error in tsvector)."""


def _lexeme(text: str, i: int) -> tuple[str, int]:
    """The lexeme starting at ``i`` and where it ends (quoted with '' or \\' escapes, or bare)."""
    out: list[str] = []
    if text[i] == "'":
        i += 1
        while True:
            if i >= len(text):
                raise Malformed("unterminated quoted string in tsvector")
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif ch == "'" and i + 1 < len(text) and text[i + 1] == "'":
                out.append("'")
                i += 2
            elif ch == "'":
                i += 1
                break
            else:
                out.append(ch)
                i += 1
        if not out:
            raise Malformed("empty lexeme in tsvector")
        return "".join(out), i
    while i < len(text) and not text[i].isspace() and text[i] != ":":
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), i


def _positions(text: str, i: int) -> tuple[list[tuple[int, str]], int]:
    """``:1,5A,3`` -> [(1, 'D'), (5, 'A'), (3, 'D')] and the index after it."""
    found: list[tuple[int, str]] = []
    i += 1  # the colon
    while True:
        start = i
        while i < len(text) and text[i].isdigit():
            i += 1
        if start == i:
            raise Malformed("syntax error in tsvector")
        position = min(int(text[start:i]), MAX_POSITION)
        weight = "D"
        if i < len(text) and text[i] in "ABCDabcd":
            weight = text[i].upper()
            i += 1
        if position == 0:
            raise Malformed("wrong position info in tsvector")
        found.append((position, weight))
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        return found, i


def _parsed(text: str) -> dict[str, dict[int, str]]:
    lexemes: dict[str, dict[int, str]] = {}
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        word, i = _lexeme(text, i)
        positions = lexemes.setdefault(word, {})
        if i < len(text) and text[i] == ":":
            found, i = _positions(text, i)
            for position, weight in found:  # one position twice: the higher weight (A > B > C > D) stays
                positions[position] = min(weight, positions.get(position, "D"))
    return lexemes


def lexemes(text: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """The tsvector literal's lexemes with their (position, weight) pairs ([] without positions)."""
    return [(word, sorted(positions.items())) for word, positions in _parsed(text).items()]


def canonical(text: str) -> str:
    """PostgreSQL's output for the tsvector literal ``text``."""
    lexemes = _parsed(text)
    out = []
    for word in sorted(lexemes, key=lambda w: w.encode()):
        quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
        positions = lexemes[word]
        if positions:
            quoted += ":" + ",".join(f"{p}{'' if w == 'D' else w}" for p, w in sorted(positions.items()))
        out.append(quoted)
    return " ".join(out)
