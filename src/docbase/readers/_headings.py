"""Which table a heading, a lead line or a cell names, and the text helpers that decide it.

Headings name tables in many ways (``## users``, ``### 4. WORKSPACE_INVITATIONS``,
``## Bảng `users` ``, ``products Tablosu``, ``1. User table (users)``); the
table words and the generic headings that name no table come from
``headers.toml``. Split from ``_cells`` (the phrase readers), which re-exports
these names for its callers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._vocabulary import announces_fields, words

IDENT = r"[^\W\d]\w*"
_IDENT_RE = re.compile(rf"^{IDENT}$")
_QUALIFIED_RE = re.compile(rf"^{IDENT}(?:\.{IDENT})?$")

# Headings that describe a part of a section rather than name a table (headers.toml, [words] generic).
GENERIC_HEADINGS = words("generic")

# "Table" as documents write it, in the languages of headers.toml ([words] table).
_TABLE_WORD = "(?:" + "|".join(re.escape(w) for w in sorted(words("table"), key=len, reverse=True)) + ")"

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_UNDERSCORES = re.compile(r"(?<!\w)__(\S(?:.*?\S)?)__(?!\w)")
# Table words of scripts written without spaces (テーブル, 表, 테이블): glued to a Latin name, they still mark it.
_GLUED_WORD = (
    "(?:"
    + "|".join(
        re.escape(w)
        for w in sorted(words("table"), key=len, reverse=True)
        if not w.isascii() and not re.search(r"[a-zà-žа-я]", w, re.I)
    )
    + ")"
)


@lru_cache(maxsize=1 << 14)  # pure, and called with the same few strings all through a document
def strip_markup(text: str) -> str:
    """Remove emphasis and code marks Markdown puts around names: ``**`x`**`` -> ``x``."""
    if "](" in text:
        text = _LINK.sub(r"\1", text)  # [label](link)
    text = text.replace("**", "")
    if "__" in text:
        text = _UNDERSCORES.sub(r"\1", text)  # __bold__, not __v
    return text.replace("`", "").strip()


def is_identifier(text: str) -> bool:
    return bool(_IDENT_RE.match(text))


_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


def normalise_name(name: str) -> str:
    """ALL_CAPS names are a drawing convention, not a spelling: lower-case them; keep anything else."""
    if _UPPER.search(name) and not _LOWER.search(name) and len(name) > 1:
        return name.lower()
    return name


@lru_cache(maxsize=1 << 14)  # pure, and called with the same few strings all through a document
def table_name(text: str) -> str | None:
    """The table a heading or lead names, or None.

    Handles ``1. USERS``, ```users` (Extended profile)``, ``Table: users``,
    ``users table``, ``📦 orders — customer orders``, and the table word in
    other languages before or after the name (``Bảng `users` ``, ``products
    Tablosu``, ``*Tabla Clientes*``), or a name in parentheses after a
    description (``1. User table (users)``). A heading of several words, or a
    generic one ("Overview", "Constraints"), names no table.

    >>> table_name("### 4. WORKSPACE_INVITATIONS"), table_name("`users` (Extended profile)")
    ('workspace_invitations', 'users')
    >>> table_name("Table: orderItems"), table_name("Relationship Summary"), table_name("1. User table (users)")
    ('orderItems', None, 'users')
    >>> table_name("1.3. `permissions` (Quyền)"), table_name("usersテーブル"), table_name("书籍表 `books`")
    ('permissions', 'users', 'books')
    >>> table_name("struttura della tabella cars"), table_name("About the table"), table_name("Table Descriptions")
    ('cars', None, None)
    """
    text = text.lstrip("#").strip().replace("（", " (").replace("）", ")")  # full-width parentheses
    text = _EMPHASIS.sub(r"\2", text)  # *Tabla Clientes*, _users_
    quoted = _QUOTED.findall(text)
    if len(quoted) == 1 and (_WORD_STANDS_ALONE.search(text) or _GLUED_RE.search(text)):
        inner = quoted[0].strip()
        if _QUALIFIED_RE.match(inner):
            return normalise_name(inner)  # "Bảng `users`", "**Table:** `users`", "The `users` table"
    named = _NAME_IN_PARENS.search(text)
    before = text[: named.start()] if named else ""
    if named and _QUOTED.search(before) and "`" not in text[named.start() :]:
        named = None  # "1.3. `permissions` (Quyền)": the quoted name is the table, the parenthetical a gloss
    if named and (len(before.split()) > 1 or _TABLE_WORD_RE.search(before)):
        inner = named.group(1)
        if _LOWER_OR_UNDERSCORE.search(inner) or "`" in text[named.start() :]:
            return normalise_name(inner)  # "1. User table (users)"
    marked_after_word = _WORD_THEN_MARK.match(text)
    # "Table: notes" and "`notes`" name a table even when the word is a generic heading.
    explicit = marked_after_word or _EXPLICIT_NAME.match(text)
    t = strip_markup(text)
    t = _LEADING_SYMBOLS.sub("", t)  # emoji and bullets
    t = _NUMBERING.sub("", t)  # 1. / 2.3 / a)
    t = _TRAILING_PARENS.sub("", t)  # trailing parenthetical
    t = _DESCRIPTION.sub("", t)  # "users — description"
    t = _WORD_COLON.sub("", t)
    word_first = _WORD_FIRST.match(t)
    if marked_after_word or (word_first and (not _TABLE_SPACE.match(t) or _LOWER_START.match(word_first.group(1)))):
        t = _WORD_SPACE.sub("", t)  # "Table `users`", "Tabla Clientes"; not "Table Descriptions"
    t = _SPACE_WORD_END.sub("", t)
    t = _GLUED_END.sub("", t)  # "usersテーブル", "users表", "users테이블"
    t = _TRAILING_SYMBOLS.sub("", t.strip()).strip().strip("\"'")  # trailing emoji, colon
    if not _QUALIFIED_RE.match(t):
        # "struttura della tabella cars", "Estructura de la tabla `clientes`": the name right after the table word
        after = _NAME_AFTER_WORD.search(text)
        named_after = after and (_LOWER_START.match(after.group(1)) or "`" in text)  # not "Table Descriptions"
        if named_after and after.group(1).lower() not in GENERIC_HEADINGS:
            return normalise_name(after.group(1))
        return None
    if t.lower() in GENERIC_HEADINGS and not explicit:
        return None
    return normalise_name(t)


# ``table_name``'s patterns, compiled once: built per call from the long table-word alternation, each call
# formatted and hashed every pattern string again before the ``re`` cache could answer.
_EMPHASIS = re.compile(r"^([*_])(?!\1)(.+?)\1(?=$|\s*[:(\-–—])")
_QUOTED = re.compile(r"`([^`]+)`")
_WORD_STANDS_ALONE = re.compile(rf"(?i)(?:^|[\s*]){_TABLE_WORD}(?:$|[\s*:])")
_GLUED_RE = re.compile(_GLUED_WORD)
_NAME_IN_PARENS = re.compile(r"\(\s*`?([^\W\d]\w*(?:\.[^\W\d]\w*)?)`?\s*\)\s*:?\s*$")
_TABLE_WORD_RE = re.compile(rf"(?i){_TABLE_WORD}")
_LOWER_OR_UNDERSCORE = re.compile(r"[_a-z]")
_WORD_THEN_MARK = re.compile(rf"(?i)^{_TABLE_WORD}\s+[`*]")
_EXPLICIT_NAME = re.compile(rf"(?i)^\W*(?:\d+(?:\.\d+)*[.):]?\s+)?(?:{_TABLE_WORD}\s*[:\-–—]|`)")
_LEADING_SYMBOLS = re.compile(r"^[^\w(]+")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.):]?|[A-Za-z][.)])\s+")
_TRAILING_PARENS = re.compile(r"\s*\([^)]*\)\s*$")
_DESCRIPTION = re.compile(r"\s+(?:[-–—:]\s+).*$")
_WORD_COLON = re.compile(rf"(?i)^{_TABLE_WORD}\s*[:\-–—]\s*")
_WORD_FIRST = re.compile(rf"(?i)^{_TABLE_WORD}\s+(\S+)$")
_TABLE_SPACE = re.compile(r"(?i)^table\s")
_LOWER_START = re.compile(r"[a-z_]")
_WORD_SPACE = re.compile(rf"(?i)^{_TABLE_WORD}\s+")
_SPACE_WORD_END = re.compile(rf"(?i)\s+{_TABLE_WORD}$")
_GLUED_END = re.compile(rf"(?<=[A-Za-z0-9_]){_GLUED_WORD}$")
_TRAILING_SYMBOLS = re.compile(r"[^\w)]+$")
_NAME_AFTER_WORD = re.compile(rf"(?i)(?:^|\s){_TABLE_WORD}\s+[`*]*([^\W\d]\w*)[`*]*\s*:?$")


def names_table_explicitly(heading: str) -> bool:
    """Whether a heading marks its name as a table's: backticks, or a table word (``Bảng``, ``Table:``)."""
    return table_name(heading) is not None and ("`" in heading or bool(_WORD_IN_HEADING.search(heading)))


_WORD_IN_HEADING = re.compile(rf"(?i)(?:^|[\s*:#.(（]){_TABLE_WORD}(?:$|[\s*:)）])")
_NOT_WORD = re.compile(r"[^\w ]")


def section_table(section: tuple[str, ...]) -> str | None:
    """The table a block's section is about: the nearest heading that names one.

    Generic headings ("Constraints", "Indexes") are looked through to the one
    above; any other heading that names no table ends the search, so a table
    under "## Table Descriptions" does not borrow the document's title.
    """
    for heading in reversed(section):
        name = table_name(heading)
        if name is not None:
            return name
        word = _NOT_WORD.sub("", strip_markup(heading)).strip().lower()
        if word not in GENERIC_HEADINGS:
            return None
    return None


@lru_cache(maxsize=1 << 12)  # pure; prose and the list readers ask it several times about each block
def block_table(lead: str, section: tuple[str, ...]) -> str | None:
    """The table a block describes: a short lead naming one (``**Table: users**``), else its section."""
    lead = lead.strip()
    if lead and "\n" not in lead and len(lead) < 80 and not announces_fields(strip_markup(lead).rstrip(":： ")):
        name = table_name(lead)
        if name is not None and (names_table_explicitly(lead) or not _explicit_section(section)):
            return name  # not "**Résultat**" over a part of the table `matches` its heading names
    said = _SAID_TABLE.search(lead) if lead and "\n" not in lead and len(lead) < 200 else None
    if said and len(_QUOTED.findall(lead)) == 1:
        return normalise_name(
            said.group(1) or said.group(2)
        )  # "新增 `payments` 支付记录表，用于…", "订单表 `orders` …"
    return section_table(section)


def lead_names_table(lead: str) -> bool:
    """Whether a one-line lead names one quoted table beside a table word ("订单表 `orders` 同步补充状态字段：")."""
    lead = lead.strip()
    return bool(lead and "\n" not in lead and len(lead) < 200 and _SAID_TABLE.search(lead)) and (
        len(_QUOTED.findall(lead)) == 1
    )


# A sentence that names one quoted table with the table word right beside it, before or after.
_SAID_TABLE = re.compile(
    rf"(?i)`([^\W\d]\w*)`\s*[^\s`,.;:，。；：]{{0,8}}?(?:{_TABLE_WORD})(?![^\W\d_])"
    rf"|(?:{_TABLE_WORD})\s*`([^\W\d]\w*)`"
)


def _explicit_section(section: tuple[str, ...]) -> bool:
    return bool(section) and names_table_explicitly(section[-1])
