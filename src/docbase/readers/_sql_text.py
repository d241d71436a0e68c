"""Lexical help for the SQL reader: statement splitting and source spans.

The parsers give positions, not spans: pglast says where a DEFAULT starts but
not where it ends, and on a syntax error it gives up on the whole block. These
helpers walk the raw text themselves, stepping over quoted strings, quoted
identifiers, dollar-quoted bodies and comments, so a ``;`` or ``,`` inside any
of them never ends a statement or an expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass(frozen=True)
class Source:
    """The text of one code block and the document line of its first line."""

    text: str
    first_line: int

    def line(self, offset: int) -> int:
        """Document line of a character offset into the block text."""
        offset = max(0, min(offset, len(self.text)))
        return self.first_line + self.text.count("\n", 0, offset)


def _skip_quoted(text: str, i: int) -> int:
    """Index just past the quoted token starting at ``text[i]`` (unterminated: end of text)."""
    ch = text[i]
    n = len(text)
    if ch == "$":
        m = _DOLLAR_TAG.match(text, i)
        if m is None:
            return i + 1
        close = text.find(m.group(0), m.end())
        return n if close < 0 else close + len(m.group(0))
    if ch == "-":
        close = text.find("\n", i)
        return n if close < 0 else close + 1
    if ch == "/":
        depth, j = 1, i + 2
        while j < n and depth:
            if text.startswith("/*", j):
                depth, j = depth + 1, j + 2
            elif text.startswith("*/", j):
                depth, j = depth - 1, j + 2
            else:
                j += 1
        return j
    backslash = (
        ch == "'" and i > 0 and text[i - 1] in "eE" and (i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
    )
    j = i + 1
    while j < n:
        if backslash and text[j] == "\\":
            j += 2
            continue
        if text[j] == ch:
            if j + 1 < n and text[j + 1] == ch:  # doubled quote is an escaped quote
                j += 2
                continue
            return j + 1
        j += 1
    return n


def _opens_token(text: str, i: int) -> bool:
    """Whether ``text[i]`` starts a string, quoted name, dollar body or comment."""
    ch = text[i]
    if ch in "'\"`":
        return True
    if ch == "-" and text.startswith("--", i):
        return True
    if ch == "/" and text.startswith("/*", i):
        return True
    if ch == "$" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
        return _DOLLAR_TAG.match(text, i) is not None
    return False


def split_statements(text: str) -> list[tuple[int, str]]:
    """Cut ``text`` at top-level semicolons: ``(offset, statement)`` pairs.

    Each statement starts at its first real token (leading blanks and comments
    skipped) and has no trailing ``;``. Pieces holding only comments are dropped.
    """
    out: list[tuple[int, str]] = []
    start, i, n = 0, 0, len(text)
    while i <= n:
        if i == n or text[i] == ";":
            begin = skip_trivia(text, start, i)
            if begin < i:
                out.append((begin, text[begin:i].rstrip()))
            start = i + 1
            i += 1
            continue
        i = _skip_quoted(text, i) if _opens_token(text, i) else i + 1
    return out


def skip_trivia(text: str, i: int, end: int | None = None) -> int:
    """First index at or after ``i`` that is not whitespace or a comment."""
    end = len(text) if end is None else end
    while i < end:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i) or text.startswith("/*", i):
            i = _skip_quoted(text, i)
        else:
            break
    return min(i, end)


def expression_end(text: str, start: int, bound: int | None = None) -> int:
    """End of the expression starting at ``start``: a top-level ``,`` or ``)``, or ``bound``."""
    bound = len(text) if bound is None else min(bound, len(text))
    depth, i = 0, start
    while i < bound:
        m = _EXPRESSION_STOP.search(text, i, bound)  # jump over plain characters
        if m is None:
            return bound
        i = m.start()
        ch = text[i]
        if _opens_token(text, i):
            i = _skip_quoted(text, i)
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                return i
            depth -= 1
        elif ch in ",;" and depth == 0:
            return i
        i += 1
    return bound


_EXPRESSION_STOP = re.compile(r"""[()\[\],;'"`$/-]""")


def strip_comments(text: str) -> str:
    """``text`` without SQL comments, trimmed; quoted content is kept as written."""
    if "--" not in text and "/*" not in text:
        return text.strip()
    parts: list[str] = []
    i, last, n = 0, 0, len(text)
    while i < n:
        if _opens_token(text, i):
            end = _skip_quoted(text, i)
            if text[i] in "-/":
                parts.append(text[last:i])
                last = end
            i = end
        else:
            i += 1
    parts.append(text[last:])
    return "".join(parts).strip()


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_SPACES = re.compile(r"\s+")


def span_text(text: str, start: int, end: int) -> str:
    """The source between two offsets, comments removed and blank runs collapsed."""
    return _SPACES.sub(" ", strip_comments(text[start:end]))
