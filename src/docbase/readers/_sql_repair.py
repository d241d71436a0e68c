"""Reading past what a SQL parser rejects: one bad statement or column costs only itself.

Design documents hold SQL no parser accepts whole: a reserved word used as a
bare name (``CREATE TABLE user``), a column definition with a typo, Markdown a
mis-paired fence swept into the block, two statements without a ``;``
between them, Oracle's ``/`` and SQL Server's ``GO`` between statements.

Every repair keeps the text's line structure (no newline is added or
removed), so the parser's positions still give document lines. ``prepare``
runs on a whole block; ``recover`` only on a statement the parser refused,
so a document that parses costs nothing extra. Each repair is reported as a
``(line index, message)`` pair for the caller to turn into a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._sql_text import expression_end, skip_trivia

Notes = list[tuple[int, str]]
Parses = Callable[[str], bool]

# A line of Markdown inside a SQL fence: a heading, a fence, a table row, a bullet, a quote.
_MARKDOWN_LINE = re.compile(r"^\s{0,3}(#{1,6}\s|`{3,}|~{3,}|\|(?!\|).*\|\s*$|[*+]\s+\S|-\s+(?!-)\S|>\s)")
# Oracle's ``/`` and SQL Server's ``GO`` end a statement (batch) on a line of their own.
_TERMINATOR_LINE = re.compile(r"(?im)^[ \t]*(/|GO)[ \t]*$")
# Oracle writes identity options bare (``AS IDENTITY START WITH 1``); the parsers want them in brackets.
_IDENTITY_OPTIONS = re.compile(r"(?i)\bAS\s+IDENTITY((?:\s+(?:START\s+WITH|INCREMENT\s+BY)\s+-?\d+)+)[ \t]*")
_STATEMENT_START = re.compile(
    r"(?im)^[ \t]*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|COMMENT|GRANT|REVOKE|SET|BEGIN|COMMIT|WITH|SELECT|"
    r"TRUNCATE|USE|PRAGMA|LOCK|UNLOCK|DO|DECLARE|EXEC|EXECUTE)\b"
)
_DDL_START = re.compile(r"(?im)^[ \t]*(CREATE|ALTER)\s+(OR\s+REPLACE\s+)?(UNIQUE\s+)?(TABLE|TYPE|INDEX|VIEW)\b")
_CREATE_TABLE = re.compile(
    r"(?is)^(CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)"
)
_NAME_AFTER = re.compile(
    r"(?i)(\b(?:TABLE(?:\s+IF\s+NOT\s+EXISTS|\s+ONLY)?|REFERENCES|ON|INTO)\s+)((?:[A-Za-z_]\w*\.)?)([A-Za-z_]\w*)\b"
)

#: Words PostgreSQL (and most dialects) reserve, which documents still use as table and column names.
RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization both case cast check collate column
    constraint create current_catalog current_date current_role current_time current_timestamp current_user
    default deferrable desc distinct do else end except false fetch for foreign from grant group having in
    initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order
    placing primary references returning select session_user some symmetric system_user table then to trailing
    true union unique user using variadic when where window with key index level comment size number
    date file mode access""".split()
)


#: Words that open a table constraint (``FOREIGN KEY (...)``), never a column name, in a table's body.
_CONSTRAINT_WORDS = frozenset({"constraint", "primary", "foreign", "unique", "check", "exclude", "like"})


def prepare(text: str) -> tuple[str, Notes]:
    """Blank Markdown lines, turn ``/`` / ``GO`` lines into ``;``, bracket identity options; lines kept."""
    notes: Notes = []
    lines = text.split("\n")
    blanked: list[int] = []
    for i, line in enumerate(lines):
        if _MARKDOWN_LINE.match(line):
            blanked.append(i)
            lines[i] = ""
    if blanked:
        notes.append((blanked[0], _markdown_note(len(blanked))))
    out = _IDENTITY_OPTIONS.sub(lambda m: f"AS IDENTITY ({m.group(1).strip()}) ", "\n".join(lines))
    return _TERMINATOR_LINE.sub(";", out), notes


def _markdown_note(count: int) -> str:
    what = "a line" if count == 1 else f"{count} lines"
    return f"{what} of Markdown inside this SQL block skipped (is a closing ``` missing above?)"


def terminators(text: str) -> bool:
    """Whether ``/`` or ``GO`` lines separate the statements (Oracle, SQL Server)."""
    return _TERMINATOR_LINE.search(text) is not None


def quote(name: str, dialect: str) -> str:
    if dialect == "mysql":
        return f"`{name}`"
    if dialect == "tsql":
        return f"[{name}]"
    return f'"{name}"'


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _blank(text: str) -> str:
    """Spaces for ``text``, newlines kept."""
    return re.sub(r"[^\n]", " ", text)


def recover(statement: str, parses: Parses, dialect: str = "postgres") -> tuple[str | None, Notes]:
    """A text the parser accepts, made from ``statement`` by the fewest repairs, or None.

    Repairs, in order: skip prose before the first SQL keyword; cut at a second
    statement that lacks its ``;``; quote reserved words used as names; read a
    ``CREATE TABLE`` one definition at a time, leaving out what cannot be read.
    """
    notes: Notes = []
    text = statement
    start = _STATEMENT_START.search(text)
    if start is None:
        return None, [(0, "text that is not SQL skipped")]
    if start.start(1) > 0 and text[: start.start()].strip():
        lead = text[: start.start()]
        notes.append((0, f"text that is not SQL skipped: {_short(lead)!r}"))
        text = _blank(lead) + text[start.start() :]
    if parses(text):
        return text, notes
    text = _split_missing_semicolon(text, notes)
    if parses(text):
        return text, notes
    quoted = _quote_names(text, dialect)
    if quoted != text and parses(quoted):
        return quoted, notes
    table = _CREATE_TABLE.match(text[skip_trivia(text, 0) :])
    if table is not None:
        return _recover_table(quoted, parses, dialect, notes)
    return None, notes


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _split_missing_semicolon(text: str, notes: Notes) -> str:
    """A ``CREATE``/``ALTER`` at the start of a later line, outside brackets, begins a new statement."""
    first = skip_trivia(text, 0)
    cuts = []
    for m in _DDL_START.finditer(text, first + 1):
        if m.start() > first and _depth(text, first, m.start()) == 0:
            cuts.append(m.start())
    if not cuts:
        return text
    for cut in reversed(cuts):
        newline = text.rfind("\n", 0, cut)
        before = text[:newline].rstrip()
        if before.endswith(";"):
            continue
        notes.append((_line(text, cut), "a ';' is missing before this statement; read as two statements"))
        at = len(before)  # a ';' where the previous statement ends (no line is added)
        text = text[:at] + ";" + text[at + 1 :] if at < newline else text[:newline] + ";" + text[newline:]
    return text


def _depth(text: str, start: int, end: int) -> int:
    depth, i = 0, start
    while i < end:
        stop = expression_end(text, i, end)
        if stop >= end:
            return depth
        depth += -1 if text[stop] == ")" else 0
        i = stop + 1
    return depth


def _quote_names(text: str, dialect: str) -> str:
    """Quote reserved words where a table name stands, and at the start of a column definition."""

    def name(m: re.Match[str]) -> str:
        word = m.group(3)
        return m.group(1) + m.group(2) + (quote(word, dialect) if word.lower() in RESERVED else word)

    text = _NAME_AFTER.sub(name, text)

    def column(m: re.Match[str]) -> str:
        word = m.group(2)
        named = word.lower() in RESERVED and word.lower() not in _CONSTRAINT_WORDS
        return m.group(1) + (quote(word, dialect) if named else word)

    return re.sub(r"(?im)([(,]\s*)([A-Za-z_]\w*)(?=\s+[A-Za-z])", column, text)


def _body(text: str) -> tuple[int, int] | None:
    """Offsets just inside the outer parentheses of a CREATE TABLE."""
    m = _CREATE_TABLE.match(text, skip_trivia(text, 0))
    if m is None:
        return None
    open_at = text.find("(", m.end())
    if open_at < 0:
        return None
    end = expression_end(text, open_at + 1)
    while end < len(text) and text[end] == ",":
        end = expression_end(text, end + 1)
    return (open_at + 1, end) if end < len(text) and text[end] == ")" else (open_at + 1, len(text))


def _recover_table(text: str, parses: Parses, dialect: str, notes: Notes) -> tuple[str | None, Notes]:
    span = _body(text)
    if span is None:
        return None, notes
    begin, end = span
    pieces: list[tuple[int, int]] = []
    i = begin
    while i < end:
        stop = expression_end(text, i, end)
        pieces.append((i, stop))
        i = stop + 1
    texts: list[str] = []
    kept: list[bool] = []
    for n, (a, b) in enumerate(pieces):
        element = text[a:b]
        if not _code(element):
            if not element.strip() and n == len(pieces) - 1 and n > 0:
                notes.append((_line(text, a), "a trailing comma before ')' was ignored"))
            texts.append(element)
            kept.append(False)
            continue
        good = _element(element, parses, dialect)
        if good is None:
            notes.append((_line(text, a + len(element) - len(element.lstrip())), _unread(element)))
            texts.append(_blank(element))
            kept.append(False)
        else:
            texts.append(good)
            kept.append(True)
    if not any(kept):
        return None, notes
    out = text[:begin]
    for n, piece in enumerate(texts):
        out += piece
        if n < len(texts) - 1:  # the comma after this piece, kept only between two kept elements
            out += "," if kept[n] and any(kept[n + 1 :]) else " "
    closing = text[end:]
    if parses(out + closing):
        return out + closing, notes
    close = closing.find(")")
    if close >= 0:
        trimmed = out + ")" + _blank(closing[close + 1 :])
        if parses(trimmed):
            notes.append((_line(text, end), f"table options after ')' ignored: {_short(closing[close + 1 :])!r}"))
            return trimmed, notes
    return None, notes


def _code(element: str) -> bool:
    """Whether an element holds anything but comments."""
    return bool(re.sub(r"--[^\n]*|/\*.*?\*/", "", element, flags=re.S).strip())


def _element(element: str, parses: Parses, dialect: str) -> str | None:
    """The element as written if it parses alone, else with its first word quoted, else None."""
    if parses(f"CREATE TABLE t ({element})"):
        return element
    m = re.match(r"(\s*)([A-Za-z_]\w*)", element)
    if m is not None and m.group(2).lower() not in _CONSTRAINT_WORDS:
        quoted = m.group(1) + quote(m.group(2), dialect) + element[m.end() :]
        if parses(f"CREATE TABLE t ({quoted})"):
            return quoted
    return None


def _unread(element: str) -> str:
    return (
        f"this column definition could not be read and is left out: {_short(element)!r}; "
        "write it as `name type [NOT NULL] [DEFAULT ...] [REFERENCES table(column)]`"
    )
