"""Split a design document into located blocks.

markdown-it-py finds the structure (headings, fences, tables, lists,
paragraphs); the text of each block is then cut from the *source lines* by the
token's line map, so nothing markdown would normalise (box-drawing art,
trailing pipes, emphasis markers) is lost before a reader sees it.

Unfenced diagram text (ASCII boxes, a bare ``erDiagram``, ``Table x {``,
``@startuml`` through ``@enduml`` even across blank lines)
becomes a ``code`` block with ``fenced=False`` and an empty info string, so
readers sniff it exactly as they sniff an unlabelled fence. A paragraph of raw
HTML starting ``<table>`` becomes ``table`` blocks (``html_tables``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import _table_rule
from .diagnostics import Diagnostic, error, warning

BlockKind = Literal["heading", "code", "table", "list", "paragraph"]

MAX_BYTES = 50 * 1024 * 1024

_BOX_CHARS = re.compile(r"[┌┐└┘├┤│─╔╗╚╝║═+]")
_UML_START = re.compile(r"^\s*@start(?:uml|er)\b", re.IGNORECASE)
_UML_END = re.compile(r"^\s*@end(?:uml|er)\b", re.IGNORECASE)
_DIAGRAM_START = re.compile(
    r"^\s*(erDiagram\b|Table\s+[\w.\"`]+.*\{|model\s+\w+\s*\{|enum\s+\w+\s*\{|CREATE\s+(TABLE|TYPE|INDEX|UNIQUE)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ListItem:
    """One bullet: its own first line of text, where it is and how deep."""

    text: str
    line: int
    depth: int


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Block:
    """A located piece of the document.

    ``line`` is the 1-based line of the block's first content line (for a
    fence, the line after the opening fence). ``section`` is the trail of
    headings above it, outermost first.
    """

    kind: BlockKind
    text: str
    line: int
    section: tuple[str, ...] = ()
    info: str = ""
    level: int = 0
    fenced: bool = True
    rows: tuple[TableRow, ...] = field(default=(), repr=False)
    items: tuple[ListItem, ...] = field(default=(), repr=False)
    lead: str = field(default="", repr=False)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def heading(self) -> str:
        """The nearest heading above the block, or ''."""
        return self.section[-1] if self.section else ""


@dataclass(frozen=True)
class Document:
    path: str
    blocks: tuple[Block, ...]
    diagnostics: tuple[Diagnostic, ...]
    line_count: int


@cache
def _parser() -> MarkdownIt:
    """Block structure only: inline content is read from the source lines, so markdown-it's inline pass
    (a quarter of its time) is switched off; inline tokens still carry their raw ``content``. Tables
    give only their rows' line spans (``_table_rule``)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("inline")
    md.block.ruler.at("table", _table_rule.table, {"alt": ["paragraph", "reference"]})
    return md


def read_text(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Decode a document's bytes, refusing binaries and oversize files clearly."""
    if len(data) > MAX_BYTES:
        return None, [error(1, f"document is {len(data) // (1024 * 1024)} MB; the limit is 50 MB")]
    if b"\x00" in data[:8192]:
        return None, [error(1, "this is a binary file, not a Markdown or text document")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("utf-8", errors="replace")
        return text, [warning(line, "invalid UTF-8 bytes were replaced with U+FFFD")]


def split(text: str, path: str = "<document>") -> Document:
    """Split ``text`` into blocks; see the module docstring for the rules."""
    source = text.replace("\r\n", "\n").replace("\r", "\n")
    src_lines = source.split("\n")
    diagnostics: list[Diagnostic] = []
    diagnostics.extend(_unterminated_fences(src_lines))
    tokens = _parser().parse(source)
    blocks = _with_leads(list(_blocks(tokens, src_lines)))
    if not source.strip():
        diagnostics.append(error(1, "the document is empty"))
    return Document(path, tuple(blocks), tuple(diagnostics), len(src_lines))


def _with_leads(blocks: list[Block]) -> list[Block]:
    """Give each block the paragraph right before it (``**Constraints:**`` and the like)."""
    out: list[Block] = []
    for i, block in enumerate(blocks):
        prev = blocks[i - 1] if i else None
        if prev is not None and prev.kind == "paragraph" and block.kind != "heading":
            block = replace(block, lead=prev.text)
        out.append(block)
    return out


def _unterminated_fences(lines: list[str]) -> list[Diagnostic]:
    """Report a fence that never closes; markdown-it silently runs it to the end."""
    open_at: int | None = None
    marker = ""
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if not stripped.startswith(("`", "~")):
            continue
        if open_at is None:
            m = re.match(r"(`{3,}|~{3,})", stripped)
            if m:
                open_at, marker = number, m.group(1)
        elif stripped.startswith(marker) and not stripped[len(marker) :].strip():
            open_at = None
    if open_at is None:
        return []
    return [warning(open_at, "code fence opened here is never closed; read to the end of the document")]


def _slice(src: list[str], mapping: list[int] | None) -> tuple[str, int]:
    if not mapping:
        return "", 1
    start, end = mapping
    return "\n".join(src[start:end]), start + 1


def _inline_text(tokens: list[Token], i: int) -> str:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt.content if nxt is not None and nxt.type == "inline" else ""


def _blocks(tokens: list[Token], src: list[str]) -> Iterator[Block]:
    trail: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        section = tuple(t for _, t in trail)
        if tok.type == "heading_open":
            level = int(tok.tag[1:])
            title = _inline_text(tokens, i).strip()
            trail = [(lv, t) for lv, t in trail if lv < level]
            line = tok.map[0] + 1 if tok.map else 1
            yield Block("heading", title, line, tuple(t for _, t in trail), level=level)
            trail.append((level, title))
            i += 3
            continue
        if tok.type in ("fence", "code_block"):
            yield _code_block(tok, src, section)
        elif tok.type == "table_open":
            close = _matching(tokens, i, "table_close")
            yield _table_block(tokens[i:close], src, tok, section)
            i = close
        elif tok.type in ("bullet_list_open", "ordered_list_open") and tok.level == 0:
            close = _matching(tokens, i, tok.type.replace("_open", "_close"))
            yield _list_block(tokens[i:close], src, tok, section)
            i = close
        elif tok.type == "paragraph_open" and tok.level == 0 and tok.map and _UML_START.match(src[tok.map[0]]):
            # A bare ``@startuml`` diagram has blank lines inside: Markdown sees several paragraphs.
            end = next((j for j in range(tok.map[0], len(src)) if _UML_END.match(src[j])), tok.map[1] - 1)
            yield Block("code", "\n".join(src[tok.map[0] : end + 1]), tok.map[0] + 1, section, fenced=False)
            while i + 1 < len(tokens) and (tokens[i + 1].map is None or tokens[i + 1].map[0] <= end):
                i += 1
        elif tok.type == "paragraph_open" and tok.level == 0 and tok.map and (end := _brace_end(src, tok.map)):
            # A bare ``Table x {`` whose body has a blank line inside: Markdown sees several paragraphs.
            yield Block("code", "\n".join(src[tok.map[0] : end + 1]), tok.map[0] + 1, section, fenced=False)
            while i + 1 < len(tokens) and (tokens[i + 1].map is None or tokens[i + 1].map[0] <= end):
                i += 1
        elif tok.type == "paragraph_open" and tok.level == 0 and tok.map and _HTML_TABLE.match(src[tok.map[0]]):
            from .html_tables import html_tables  # it builds on Block, defined here

            text, line = _slice(src, tok.map)
            yield from html_tables(text, line, section) or [Block("paragraph", text, line, section)]
        elif tok.type == "paragraph_open" and tok.level == 0:
            text, line = _slice(src, tok.map)
            yield _paragraph_or_diagram(text, line, section)
        elif tok.type == "hr":
            pass
        elif tok.type == "blockquote_open":
            close = _matching(tokens, i, "blockquote_close")
            text, line = _slice(src, tok.map)
            yield Block("paragraph", re.sub(r"(?m)^\s*>\s?", "", text), line, section)
            i = close
        i += 1


_HTML_TABLE = re.compile(r"(?i)^\s*<table\b")
_BLOCK_BREAK = re.compile(r"^\s*(#{1,6}\s|```|~~~)")


def _brace_end(src: list[str], span: list[int]) -> int | None:
    """The line closing a bare ``Table x {`` / ``model x {`` paragraph that blank lines cut short, or None.

    Only a paragraph that starts a diagram and leaves a brace open is extended,
    and never past a heading or a fence (an unclosed brace then stays the
    reader's "never closed" warning).
    """
    first, last = span[0], span[1] - 1
    if not _DIAGRAM_START.match(src[first]) or "{" not in src[first]:
        return None
    depth = 0
    for j in range(first, len(src)):
        if j > last and _BLOCK_BREAK.match(src[j]):
            return None
        depth += src[j].count("{") - src[j].count("}")
        if j >= last and depth <= 0:
            return j if j > last else None
    return None


def _matching(tokens: list[Token], i: int, close_type: str) -> int:
    depth = 0
    open_type = tokens[i].type
    for j in range(i, len(tokens)):
        if tokens[j].type == open_type:
            depth += 1
        elif tokens[j].type == close_type:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _code_block(tok: Token, src: list[str], section: tuple[str, ...]) -> Block:
    start, end = tok.map or (0, 0)
    if tok.type == "fence":
        body_start = start + 1
        last = src[end - 1].strip() if end - 1 < len(src) and end - 1 > start else ""
        body_end = end - 1 if last.startswith(tok.markup) else end
        text = "\n".join(src[body_start:body_end])
        return Block("code", text, body_start + 1, section, info=tok.info.strip())
    return Block("code", tok.content.rstrip("\n"), start + 1, section, fenced=False)


def _paragraph_or_diagram(text: str, line: int, section: tuple[str, ...]) -> Block:
    lines = text.split("\n")
    boxy = sum(1 for ln in lines if len(_BOX_CHARS.findall(ln)) >= 2)
    first = next((ln for ln in lines if not ln.lstrip().startswith("--")), "")  # SQL comments above a CREATE
    if _DIAGRAM_START.match(first) or (len(lines) >= 3 and boxy >= len(lines) / 2):
        return Block("code", text, line, section, fenced=False)
    if len(lines) >= 2 and all(_TIGHT_BULLET.match(ln) for ln in lines):
        # "-id | BIGINT" / "-marca | VARCHAR(15)": a list whose author left out the space after the dash
        items = tuple(ListItem(_TIGHT_BULLET.match(ln).group(1).strip(), line + i, 1) for i, ln in enumerate(lines))
        return Block("list", text, line, section, items=items)
    return Block("paragraph", text, line, section)


_TIGHT_BULLET = re.compile(r"^\s*-([^\s\-].*)$")


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_CELL_BAR = re.compile(r"(?<!\\)\|")
_ITEM_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s?")


def _cells(row_line: str) -> tuple[str, ...]:
    body = row_line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    parts = _CELL_BAR.split(body)
    return tuple(p.strip().replace("\\|", "|") for p in parts)


def _table_block(tokens: list[Token], src: list[str], tok: Token, section: tuple[str, ...]) -> Block:
    text, line = _slice(src, tok.map)
    rows = [
        TableRow(_cells(src[t.map[0]]), t.map[0] + 1)
        for t in tokens
        if t.type == "tr_open" and t.map and t.map[0] < len(src)
    ]
    return Block("table", text, line, section, rows=tuple(rows))


def _list_block(tokens: list[Token], src: list[str], tok: Token, section: tuple[str, ...]) -> Block:
    text, line = _slice(src, tok.map)
    items: list[ListItem] = []
    depth = 0
    for t in tokens:
        if t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t.type == "list_item_open" and t.map:
            start = t.map[0]
            first = _ITEM_MARKER.sub("", src[start], count=1)
            items.append(ListItem(first.strip(), start + 1, depth))
    return Block("list", text, line, section, items=tuple(items))
