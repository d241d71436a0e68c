"""Notes written to the right of a box, and what they say about a column.

A note is the text between a box row's right wall and the next box on the
same line. Box layout forces long notes to wrap onto the lines below, which
belong to *other* rows, so a note is gathered from the row where it starts
plus the lines that continue it. A non-empty line continues the open note
when it does not start with an arrow (``←``/``<-`` always start a note, and
an arrow note is one line) and:

1. it starts with ``|``, or the note so far ends with ``|`` (a value list
   broken at a separator: ``slack`` / ``| web`` / ``| ...``);
2. it starts with ``...`` (the list trails off);
3. it is a single bare word, the note so far ends in a single bare word,
   and its own row does not announce values of its own (``(ENUM)``, a
   slash list). This reads one-word-per-line lists (``queued`` /
   ``running`` / ``waiting``) and words cut by the layout (``prompt`` /
   ``injection``).

An empty note line ends the open note. Once gathered, the lines are joined:
if any holds ``|`` the list is ``|``-separated, and a value broken across
lines is rejoined with ``_`` (layouts break identifiers where an underscore
was: ``prompt`` / ``injection`` -> ``prompt_injection``); with no ``|`` and
one word per line, each line is a value.

A joined note then means: ``← Encrypted...`` -> note ``encrypted`` (plus the
rest as comment); ``← other`` -> comment; ``e.g. ...`` -> examples, never an
enum; ``Label: a | b`` or ``a | b | c`` (with or without an arrow) -> enum values (``null`` among them
means nullable, a trailing ``...`` means the list is incomplete and adds the
note ``enum values incomplete``); anything else -> comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ARROW = re.compile(r"^(?:←|⟵|◄|◀|<-+|<=+)\s*")
_CONNECTOR = re.compile(r"^<?[─═━]{2,}|[─═━\-]{2,}[>►▶]?$")
_TRAILING = re.compile(r"\|?\s*(?:\.\.\.|…)\s*\|?")
_WORD = re.compile(r"['\"`]?[\w.-]+['\"`]?")
_EXAMPLE = re.compile(r"^(?:e\.\s?g\.?|eg\.|for example|such as|ex\.|examples?)\s*[,:]?\s*", re.IGNORECASE)
_LABEL = re.compile(r"^[A-Za-z][\w ]{0,30}:\s*(?=\S)")
_ELLIPSIS = ("...", "…", "etc", "etc.")
_NULLS = {"null", "none", "nil"}


@dataclass
class Note:
    """A gathered note: the grid row it starts on and its lines."""

    row: int
    lines: list[str] = field(default_factory=list)
    arrow: bool = False


@dataclass
class Meaning:
    """What a note says about its column (or table, on a title row)."""

    comment: str | None = None
    notes: tuple[str, ...] = ()
    enum: tuple[str, ...] | None = None
    examples: tuple[str, ...] | None = None
    nullable: bool | None = None


def note_text(region: str) -> str:
    """The note in a region beside a box, or '' for blanks and connector lines (``<────``)."""
    text = region.strip()
    if _TRAILING.fullmatch(text):
        return text  # "| ..." carries no word, but says the list above goes on
    if not any(ch.isalnum() for ch in text) or _CONNECTOR.search(text):
        return ""
    return text


def gather(lines: list[tuple[int, str, bool]]) -> list[Note]:
    """Group ``(row, note text, row has values of its own)`` into notes; see the module rules."""
    notes: list[Note] = []
    open_note: Note | None = None
    for row, text, own_values in lines:
        if not text:
            open_note = None
            continue
        if open_note is not None and not open_note.arrow and _continues(open_note, text, own_values):
            open_note.lines.append(text)
            continue
        open_note = Note(row, [text], arrow=bool(_ARROW.match(text)))
        notes.append(open_note)
    return notes


def _continues(note: Note, text: str, own_values: bool) -> bool:
    if _ARROW.match(text):
        return False
    last = note.lines[-1]
    if text.startswith("|") or last.endswith("|") or text.startswith(("...", "…")):
        return True
    tail = last.rsplit("|", 1)[-1].strip()
    return not own_values and _is_word(text) and _is_word(tail)


def _is_word(text: str) -> bool:
    return bool(_WORD.fullmatch(text.strip())) and text.strip() not in _ELLIPSIS


def _joined(lines: list[str]) -> str:
    out = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        glue = " " if out.endswith("|") or line.startswith("|") else "_"
        out = f"{out}{glue}{line}"
    return out


def meaning(note: Note) -> Meaning:
    """Decide what a gathered note says; see the module docstring."""
    lines = [ln.strip() for ln in note.lines]
    if note.arrow:
        body = _ARROW.sub("", lines[0]).strip()
        if re.match(r"(?i)encrypted\b", body):
            rest = body if body.lower().rstrip(".") != "encrypted" else None
            return Meaning(comment=rest, notes=("encrypted",))
        parts = [p.strip() for p in body.split("|")]
        if len(parts) > 1 and all(_WORD.fullmatch(p) or p in _ELLIPSIS for p in parts):
            return _values(parts)  # "← waiting | ready | expired": the arrow points at a value list
        return Meaning(comment=body or None)
    has_bar = any("|" in ln for ln in lines)
    if len(lines) > 1 and not has_bar and all(_is_word(ln) for ln in lines):
        return _values(lines)
    text = _joined(lines) if has_bar else " ".join(lines)
    if m := _EXAMPLE.match(text):
        found = [_unquote(v) for v in re.split(r"[,|]|\bor\b", text[m.end() :])]
        return Meaning(examples=tuple(v for v in found if v and v not in _ELLIPSIS) or None)
    if "|" in text:
        label = _LABEL.match(text)
        parts = [p.strip() for p in text[label.end() if label else 0 :].split("|")]
        parts = [p for p in parts if p]
        if parts and all(len(p.split()) <= 3 for p in parts):
            return _values(parts)
    if re.fullmatch(r"\s*[\w.-]+(?:\s*/\s*[\w.-]+)+\s*", text):
        return _values(text.split("/"))
    return Meaning(comment=text)


def _values(parts: list[str]) -> Meaning:
    values = [_unquote(p) for p in parts]
    incomplete = False
    while values and (values[-1] in _ELLIPSIS or values[-1].endswith(("...", "…"))):
        incomplete = True
        values[-1] = values[-1].rstrip(".…").strip()
        if not values[-1] or values[-1] in _ELLIPSIS:
            values.pop()
    nullable = True if any(v.lower() in _NULLS for v in values) else None
    kept = tuple(v for v in values if v and v.lower() not in _NULLS)
    notes = ("enum values incomplete",) if incomplete else ()
    return Meaning(enum=kept or None, nullable=nullable, notes=notes)


def _unquote(value: str) -> str:
    return value.strip().strip("'\"`").strip()
