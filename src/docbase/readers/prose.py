"""Prose: what paragraphs, lists and stray code blocks state that no notation reader took.

Three things are read here:

* constraint and relationship statements (``UNIQUE(a, b)``, ``One-to-Many
  with `memberships` (CASCADE DELETE)``), one per list item or line, via
  ``_statements``;
* enum sections: a heading that names an enum (``### JobStatus`` under an
  ``Enums`` section, ``### Enum: status``, ``### Role (Membership)``,
  ``### JobSource / FeedbackSource`` = two enums with the same values)
  followed by a code block, list, paragraph or table of values (``VALUE -
  description``, ``VALUE: description``, `` `value` ``). A code block is read
  as values only under such a heading, never merely because it looks like a
  list of words;
* an ``Enums`` section listing several enums one per bullet
  (``- `JobStatus`: queued, running, done``).

Values are kept as written; case is the merge's business.
"""

from __future__ import annotations

import re

from ..document import Block
from ..fragments import ConstraintFragment, EnumFragment, RelationshipFragment
from ._cells import block_table, is_identifier, split_top, strip_markup
from ._rules import sentences
from ._statements import read_statement, relationships_in, rule_sentence
from .base import Reading

NAME = "prose"

_ENUM_WORD = re.compile(r"(?i)\benum(?:s|erations?|erated\s+types?|\s+types?)?\b")
_VALUE_LINE = re.compile(
    r"^(?:[-*+]|\d+[.)])?\s*[`'\"]?([^\W\d][\w.\-]*|\d[\w.\-]*)[`'\"]?\s*(?:[,;]?\s*$|\s*[-–—:=|]\s*.*$|\s*\(.*\)\s*$|\s{2,}.*$)"
)
_COMMENT = re.compile(r"^\s*(?:#|//|--|/\*|\*/)")


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?)\s+")
_ENUM_LABEL = re.compile(r"(?i)^(?:enum(?:eration)?|type)\s*[:\-–—]\s*(.+)$")
_ENUM_SUFFIX = re.compile(r"(?i)^(.+?)\s+enum(?:eration)?(?:\s+type)?$")


def enum_names(section: tuple[str, ...]) -> list[str]:
    """The enums a block's heading names (empty when it names none). ``section[-1]`` is the heading."""
    if not section:
        return []
    heading = strip_markup(section[-1])
    heading = _NUMBERING.sub("", heading).strip()
    m = _ENUM_LABEL.match(heading) or _ENUM_SUFFIX.match(heading)
    if m:
        return _names(m.group(1))
    if any(_ENUM_WORD.search(h) for h in section[:-1]) and not _ENUM_WORD.fullmatch(heading):
        return _names(heading)
    return []


def _names(text: str) -> list[str]:
    text = re.sub(r"\s*\([^)]*\)\s*$", "", strip_markup(text)).strip()
    parts = [p.strip() for p in re.split(r"\s*(?:/|,|&|\band\b)\s*", text) if p.strip()]
    return parts if parts and all(is_identifier(p) for p in parts) else []


def _is_enum_heading(section: tuple[str, ...]) -> bool:
    return bool(section) and bool(_ENUM_WORD.fullmatch(strip_markup(section[-1]).strip()))


def accepts(block: Block) -> bool:
    if block.kind in ("paragraph", "list"):
        return True
    if block.kind in ("code", "table"):
        return bool(enum_names(block.section))
    return False


def _inline_values(text: str) -> list[str] | None:
    """``a | b | c``, ```a`, `b```, ``A, B or C`` on one line -> values, else None."""
    text = re.sub(r"(?i)^(?:values?|one of|allowed)\s*:\s*", "", strip_markup(text).strip()).rstrip(".")
    parts = split_top(re.sub(r"(?i)\s+or\s+", ",", text), ",|/")
    values = [p.strip().strip("'\"") for p in parts]
    if len(values) >= 2 and all(re.fullmatch(r"[^\W\d][\w.\-]*", v) for v in values):
        return values
    return None


def values_in(lines: list[str]) -> list[str] | None:
    """The values a code block, list or paragraph under an enum heading lists, or None."""
    lines = [ln for ln in (x.strip() for x in lines) if ln and not _COMMENT.match(ln)]
    if not lines:
        return None
    if len(lines) == 1:
        inline = _inline_values(lines[0])
        if inline:
            return inline
    values = []
    for ln in lines:
        m = _VALUE_LINE.match(ln)
        if m:
            values.append(m.group(1))
    if not values or len(values) < 0.8 * len(lines):
        return None
    return list(dict.fromkeys(values))


def _table_values(block: Block) -> list[str] | None:
    body = [strip_markup(r.cells[0]) for r in block.rows[1:] if r.cells]
    return values_in(body)


def read(block: Block) -> Reading:
    reading = Reading()
    names = enum_names(block.section)
    if names:
        if block.kind == "table":
            values = _table_values(block)
        elif block.kind == "list":
            values = values_in([item.text for item in block.items])
        else:
            values = values_in(block.lines)
        if values:
            for name in names:
                reading.fragments.append(EnumFragment(name, tuple(values), block.line))
            return reading
    if block.kind == "list" and _is_enum_heading(block.section):
        reading.fragments.extend(_enum_items(block))
        if reading.fragments:
            return reading
    if block.kind == "list":
        for item in block.items:
            reading.extend(read_statement(item.text, item.line, block.section, block.lead))
    elif block.kind == "paragraph":
        for offset, line in enumerate(block.lines):
            if line.strip():
                reading.extend(read_statement(line, block.line + offset, block.section, block.lead, sentences=False))
        table = block_table(block.lead, block.section)
        for sentence, line in sentences(block.text, block.line):
            rule_sentence(sentence, line, table, reading)
            _relationship_sentence(sentence, line, table, block, reading)
    return reading


def _relationship_sentence(sentence: str, line: int, table: str | None, block: Block, reading: Reading) -> None:
    """A relationship in a sentence that shares its line with another ("Each task belongs to a project. A user
    can have many orders."): the line was read as a whole, so the sentence is read alone, adding what is new."""
    if sentence.strip() in (ln.strip() for ln in block.lines):
        return
    found = Reading()
    relationships_in(sentence, line, table, found)
    seen = {_key(f) for f in reading.fragments}
    reading.fragments.extend(f for f in found.fragments if _key(f) not in seen)


def _key(fragment: object) -> tuple:
    if isinstance(fragment, RelationshipFragment):
        return ("rel", fragment.left, fragment.right)
    if isinstance(fragment, ConstraintFragment):
        return ("con", fragment.table, fragment.kind, fragment.columns)
    return ("other", id(fragment))


def _enum_items(block: Block) -> list[EnumFragment]:
    """``- `Name`: a, b, c`` items, or a name item with its values nested below it."""
    out: list[EnumFragment] = []
    items = block.items
    i = 0
    while i < len(items):
        item = items[i]
        m = re.match(r"^\s*(?:\*\*)?`?([^\W\d]\w*)`?(?:\*\*)?\s*(?:[:\-–—]\s*(.*))?$", item.text)
        children = []
        j = i + 1
        while j < len(items) and items[j].depth > item.depth:
            children.append(items[j].text)
            j += 1
        if m:
            values = _inline_values(m.group(2)) if m.group(2) else None
            if values is None and children:
                values = values_in(children)
            if values:
                out.append(EnumFragment(m.group(1), tuple(values), item.line))
        i = j
    return out
