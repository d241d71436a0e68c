"""Prisma schema text -> blocks of fields and attributes, with their lines.

Only the syntax: which ``model``/``enum`` blocks there are, each field's
name, type, ``?``/``[]`` modifier and ``@attributes`` (argument text kept
raw), each ``@@attribute``, and ``///`` doc comments. What they mean for
the database is decided in ``prisma``. ``datasource``, ``generator`` and
composite ``type`` blocks are skipped; any other line is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Block, Diagnostic, warning
from .dbml_loose import split_outside, strip_comment, unquote

_BLOCK = re.compile(r"^(?P<kind>model|enum|view|type|datasource|generator)\s+(?P<name>\w+)\s*\{\s*$")
_FIELD = re.compile(
    r"^(?P<name>\w+)\s+(?P<type>\w+(?:\((?:[^()]|\([^()]*\))*\))?)(?P<mod>\[\]|\?)?(?P<rest>(?:\s+@.*)?)\s*$"
)
_ATTR = re.compile(r"@(?P<name>[\w.]+)")


@dataclass
class Field:
    name: str
    type: str
    modifier: str | None
    attributes: dict[str, str]  # attribute name -> argument text ('' when none)
    line: int
    doc: str | None = None


@dataclass
class PBlock:
    kind: str
    name: str
    line: int
    fields: list[Field] = field(default_factory=list)
    block_attributes: list[tuple[str, str, int]] = field(default_factory=list)
    doc: str | None = None

    def mapped(self) -> str:
        return next(
            (unquote(attr_args(a)[0][0]) for n, a, _ in self.block_attributes if n == "map" and attr_args(a)[0]),
            self.name,
        )


def parse_blocks(block: Block, diagnostics: list[Diagnostic]) -> list[PBlock]:
    found: list[PBlock] = []
    current: PBlock | None = None
    skipping = False
    doc: list[str] = []
    for number, raw in _logical_lines(block):
        stripped = raw.strip()
        if stripped.startswith("///"):
            doc.append(stripped[3:].strip())
            continue
        text = strip_comment(raw).strip()
        if not text:
            continue
        if current is None and not skipping:
            m = _BLOCK.match(text)
            if m and m.group("kind") in ("datasource", "generator", "type"):
                skipping = True
            elif m:
                current = PBlock(m.group("kind"), m.group("name"), number, doc=" ".join(doc) or None)
            else:
                diagnostics.append(
                    warning(number, f"cannot read this Prisma line: {text!r}; expected `model X {{` or `enum X {{`")
                )
            doc = []
            continue
        if text == "}":
            if current is not None:
                found.append(current)
            current, skipping = None, False
            continue
        if skipping or current is None:
            continue
        if text.startswith("@@"):
            name, args = _attribute_at(text, 2)
            current.block_attributes.append((name, args, number))
        elif current.kind == "enum" and re.match(r"^\w+(\s+@.*)?$", text):
            current.fields.append(Field(text.split()[0], "", None, _attributes(text[len(text.split()[0]) :]), number))
        elif m := _FIELD.match(text):
            attrs = _attributes(m.group("rest"))
            current.fields.append(
                Field(m.group("name"), m.group("type"), m.group("mod"), attrs, number, " ".join(doc) or None)
            )
        else:
            diagnostics.append(
                warning(number, f"cannot read this Prisma field: {text!r}; expected `name Type @attributes`")
            )
        doc = []
    if current is not None:
        diagnostics.append(warning(current.line, f"{current.kind} {current.name} {{ is never closed: missing '}}'"))
        found.append(current)
    return found


def _logical_lines(block: Block) -> list[tuple[int, str]]:
    """Source lines joined where a field goes on: ``@relation(`` left open, or a line starting with ``@``.

    Each logical line keeps the number of its first source line.
    """
    out: list[tuple[int, str]] = []
    depth = 0
    for index, raw in enumerate(block.lines):
        text = strip_comment(raw).strip() if not raw.strip().startswith("///") else raw
        continues = out and (depth > 0 or (text.startswith("@") and not text.startswith("@@")))
        if continues and not out[-1][1].strip().startswith("///"):
            out[-1] = (out[-1][0], out[-1][1].rstrip() + " " + text)
        else:
            out.append((block.line + index, raw))
        if not text.startswith("///"):
            depth = max(0, depth + _paren_balance(text))
    return out


def _paren_balance(text: str) -> int:
    depth, quote = 0, False
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote:
            depth += (ch == "(") - (ch == ")")
    return depth


def _attribute_at(text: str, start: int) -> tuple[str, str]:
    m = re.match(r"[\w.]+", text[start:])
    name = m.group(0) if m else ""
    after = start + len(name)
    return name, balanced(text, after)


def balanced(text: str, at: int) -> str:
    """The argument text of ``(...)`` starting at ``at`` (nested parentheses and quotes allowed), or ''."""
    if at >= len(text) or text[at] != "(":
        return ""
    depth, quote = 0, ""
    for i in range(at, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch == '"':
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[at + 1 : i]
    return text[at + 1 :]


def _attributes(text: str) -> dict[str, str]:
    """``@id @default("a@b") @db.VarChar(20)`` -> {'id': '', 'default': '"a@b"', 'db.VarChar': '20'}."""
    found: dict[str, str] = {}
    i = 0
    while i < len(text):
        m = _ATTR.match(text, i)
        if m:
            args = balanced(text, m.end())
            found[m.group("name")] = args
            i = m.end() + (len(args) + 2 if m.end() < len(text) and text[m.end()] == "(" else 0)
        elif text[i] == '"':
            close = text.find('"', i + 1)
            i = len(text) if close < 0 else close + 1
        else:
            i += 1
    return found


def attr_args(text: str | None) -> tuple[list[str], dict[str, str]]:
    """``"x", fields: [a], onDelete: Cascade`` -> (['"x"'], {'fields': '[a]', 'onDelete': 'Cascade'})."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for part in split_outside(text or ""):
        m = re.match(r"^(\w+)\s*:\s*(.+)$", part, re.S)
        if m and not part.startswith(("[", '"')):
            named[m.group(1)] = m.group(2).strip()
        else:
            positional.append(part)
    return positional, named


def attr_names(text: str | None) -> list[tuple[str, bool]]:
    """``[a, b(sort: Desc)]`` -> [('a', False), ('b', True)]."""
    if not text:
        return []
    items = split_outside(text.strip().removeprefix("[").removesuffix("]"))
    return [
        (re.match(r"\w+", i).group(0), bool(re.search(r"sort\s*:\s*desc", i, re.I)))
        for i in items
        if re.match(r"\w+", i)
    ]
