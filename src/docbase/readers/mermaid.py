"""Mermaid ``erDiagram`` blocks -> table and relationship fragments.

The grammar (``mermaid.lark``) is applied one statement at a time rather than
to the whole diagram: real diagrams carry the odd line Mermaid itself would
reject, and one bad line must cost that line only. ``_Scanner`` cuts the
text into entity heads, attribute lines and other statements, keeps each
one's source line, and reports what does not parse.

Choices a reader of the output should know:

* An entity ``p["Person"]`` is the table ``p`` (the name relationships use);
  the alias goes to the table's ``comment``.
* An entity that appears only in relationships (or alone on a line) still
  yields a TableFragment with no columns, so the table is not lost; the
  merge joins it with any fuller description elsewhere.
* Cardinalities are reported as markers, word aliases included, in the
  orientation of their side: left ``|o || }o }|``, right ``o| || o{ |{``.
* Unknown types and what attribute comments mean are decided in ``column_notes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from ..document import Block, Diagnostic, warning
from ..fragments import (
    ColumnFragment,
    EnumFragment,
    Reference,
    RelationshipFragment,
    TableFragment,
    TypeInfo,
    UniqueFragment,
)
from ._mermaid_graph import has_cardinality_edges, has_column_nodes, is_graph, read_graph
from .base import Reading
from .column_notes import column_type, read_comment
from .types import parse_type

NAME = "mermaid"

_PARSER = Lark.open("mermaid.lark", rel_to=__file__, parser="lalr", start=["statement", "body"])

_LEFT = {"zero_or_one": "|o", "only_one": "||", "zero_or_more": "}o", "one_or_more": "}|", "parent": "u"}
_RIGHT = {"zero_or_one": "o|", "only_one": "||", "zero_or_more": "o{", "one_or_more": "|{", "parent": "u"}


def accepts(block: Block) -> bool:
    """A ```mermaid fence, or an unlabelled block, whose diagram is an erDiagram
    (or a mermaid flowchart whose subgraphs draw tables or whose edges carry cardinalities, see
    ``_mermaid_graph``)."""
    if block.kind != "code":
        return False
    info = block.info.strip().lower().strip("{}")
    if info and not info.startswith("mermaid"):
        return False
    first = _first_statement(block.text)
    if info and is_graph(first):
        return has_column_nodes(block.text) or has_cardinality_edges(block.text)
    return first.lower().startswith("erdiagram")


def read(block: Block) -> Reading:
    if is_graph(_first_statement(block.text)):
        return read_graph(block)
    scanner = _Scanner(block)
    scanner.run()
    return scanner.reading()


def _first_statement(text: str) -> str:
    """The first line that is not blank, a ``%%`` comment or YAML front matter."""
    in_front = False
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if stripped == "---" and (number == 0 or in_front):
            in_front = not in_front
            continue
        if in_front or not stripped or stripped.startswith("%%"):
            continue
        return stripped
    return ""


def _strip_comment(line: str) -> str:
    """Drop a ``%%`` comment, or a ``#`` one (at the start or after a blank), unless it sits inside quotes."""
    if "%%" not in line and "#" not in line:
        return line
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif not quoted and (line.startswith("%%", i) or (ch == "#" and (i == 0 or line[i - 1].isspace()))):
            return line[:i]
    return line


def _find(line: str, char: str) -> int:
    """Index of ``char`` outside double quotes, or -1."""
    if char not in line:
        return -1
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            return i
    return -1


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        return text[1:-1].strip()
    if text.startswith("“") and text.endswith("”"):
        return text[1:-1].strip()
    return text


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_SPACES = re.compile(r"\s+")
_ACC_DESCR = re.compile(r"\s*accDescr\s*\{")


def _card(token: str, side: dict[str, str]) -> str:
    word = _SPACES.sub(" ", token.strip().lower())
    if word in ("||", "1", "one", "only one"):
        kind = "only_one"
    elif word in ("|o", "o|", "one or zero", "zero or one"):
        kind = "zero_or_one"
    elif word in ("}|", "|{", "one or more", "one or many", "1+", "many(1)"):
        kind = "one_or_more"
    elif word == "u":
        kind = "parent"
    else:
        kind = "zero_or_more"
    return side[kind]


@dataclass
class _Entity:
    name: str
    line: int
    section: tuple[str, ...]
    comment: str | None = None
    columns: list[ColumnFragment] = field(default_factory=list)
    unique: list[UniqueFragment] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # about its columns; dropped if it is an enum

    def is_enum(self) -> bool:
        """prisma-erd-generator draws an enum as an entity whose lines are ``VALUE VALUE``."""
        return bool(self.columns) and all(
            c.type is not None and c.type.raw == c.name and not (c.primary_key or c.fk_marked) for c in self.columns
        )

    def fragment(self) -> TableFragment | EnumFragment:
        if self.is_enum():
            return EnumFragment(self.name, tuple(c.name for c in self.columns), self.line, source="mermaid")
        pk = tuple(c.name for c in self.columns if c.primary_key)
        return TableFragment(
            self.name,
            self.line,
            "mermaid",
            columns=tuple(self.columns),
            primary_key=pk,
            unique=tuple(self.unique),
            section=self.section,
            comment=self.comment,
        )


class _Scanner:
    """Walk the diagram line by line, keeping track of whether we are inside ``name { ... }``."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.entities: dict[str, _Entity] = {}
        self.relationships: list[RelationshipFragment] = []
        self.diagnostics: list[Diagnostic] = []
        self.current: _Entity | None = None
        self.open_line = 0
        self.in_body = False
        self.skip_body = False  # inside ``accDescr { ... }``

    def reading(self) -> Reading:
        enums = {e.name for e in self.entities.values() if e.is_enum()}
        notes: list[Diagnostic] = []
        for entity in self.entities.values():
            if entity.name in enums:
                continue
            typed = [c for c in entity.columns if c.type is not None and c.type.raw in enums]
            for col in typed:  # a column typed by an enum drawn in this diagram
                enum_type = TypeInfo("enum", col.type.raw, enum_name=col.type.raw)  # type: ignore[union-attr]
                entity.columns[entity.columns.index(col)] = replace(col, type=enum_type)
            unknown = {f"{entity.name}.{c.name}: unknown type {c.type.raw!r}" for c in typed}  # type: ignore[union-attr]
            notes.extend(d for d in entity.notes if not any(d.message.startswith(u) for u in unknown))
        fragments: list = [e.fragment() for e in self.entities.values()]
        fragments.extend(self.relationships)
        return Reading(fragments, self.diagnostics + notes)

    def run(self) -> None:
        lines = self.block.text.split("\n")
        in_front = False
        for index, raw in enumerate(lines):
            number = self.block.line + index
            if raw.strip() == "---" and (index == 0 or in_front) and not self.in_body:
                in_front = not in_front
                continue
            if in_front:
                continue
            self._line(_strip_comment(raw), number)
        if self.in_body:
            name = self.current.name if self.current else "accDescr" if self.skip_body else "entity"
            self.diagnostics.append(warning(self.open_line, f"'{name} {{' is never closed: missing '}}'"))

    def _line(self, text: str, number: int) -> None:
        while text.strip():
            if self.in_body:
                text = self._in_body(text, number)
            else:
                text = self._statement(text, number)

    def _in_body(self, text: str, number: int) -> str:
        end = _find(text, "}")
        part, rest = (text, "") if end < 0 else (text[:end], text[end + 1 :])
        if self.skip_body:
            self.in_body = self.skip_body = end < 0
            return rest
        if part.strip() and not self._attributes(part, number):
            statement = _parse(text.strip(), "statement")
            if statement is not None and statement.children[0].data in ("entity_head", "relationship"):
                name = self.current.name if self.current else "entity"
                self.diagnostics.append(
                    warning(self.open_line, f"'{name} {{' is not closed before line {number}: missing '}}'")
                )
                self.in_body, self.current = False, None
                return text
            self.diagnostics.append(
                warning(number, f"cannot read this Mermaid attribute: {part.strip()!r}{_ATTRIBUTE_HINT}")
            )
        if end >= 0:
            self.in_body, self.current = False, None
        return rest

    def _statement(self, text: str, number: int) -> str:
        if _ACC_DESCR.match(text):
            self.in_body = self.skip_body = True
            self.current, self.open_line = None, number
            return text[text.index("{") + 1 :]
        tree = _parse(text.strip(), "statement")
        rest = ""
        if tree is None:  # perhaps ``name {`` followed by attributes on the same line
            for brace in (i for i, ch in enumerate(text) if ch == "{"):
                tree = _parse(text[: brace + 1].strip(), "statement")
                if tree is not None and tree.children[0].data == "entity_head":
                    rest = text[brace + 1 :]
                    break
                tree = None
        if tree is None:
            self.diagnostics.append(warning(number, f"cannot read this Mermaid line: {text.strip()!r}{_HINT}"))
            if text.rstrip().endswith("{") and not re.search(r"--|\.\.", text):
                self.in_body, self.current, self.open_line = True, None, number  # skip the body
            return ""
        node = tree.children[0]
        if node.data == "entity_head":
            self.current = self._entity(node, number)
            self.in_body, self.open_line = True, number
        elif node.data == "entity_only":
            self._entity(node, number)
        elif node.data == "relationship":
            self._relationship(node, number)
        return rest

    def _entity(self, node: Tree, number: int) -> _Entity:
        name = _name(node.children[0])
        alias = next((c for c in node.children if isinstance(c, Tree) and c.data == "alias"), None)
        entity = self.entities.get(name)
        if entity is None:
            entity = self.entities[name] = _Entity(name, number, self.block.section)
        if alias is not None:
            entity.comment = " ".join(_unquote(str(t)) for t in alias.children)
        return entity

    def _mention(self, name: str, number: int) -> None:
        if name not in self.entities:
            self.entities[name] = _Entity(name, number, self.block.section)

    def _relationship(self, node: Tree, number: int) -> None:
        entities = [c for c in node.children if isinstance(c, Tree) and c.data == "entity"]
        tokens = [c for c in node.children if isinstance(c, Token)]
        cards = [t for t in tokens if t.type == "CARD"]
        label = next((_unquote(str(t)) for t in tokens if t.type == "LABEL"), None)
        left, right = _name(entities[0]), _name(entities[1])
        self._mention(left, number)
        self._mention(right, number)
        self.relationships.append(
            RelationshipFragment(
                left,
                right,
                number,
                left_cardinality=_card(cards[0], _LEFT),
                right_cardinality=_card(cards[1], _RIGHT),
                label=label or None,
                source="mermaid",
            )
        )

    def _attributes(self, text: str, number: int) -> bool:
        """Read one body line; False if it does not parse (the caller reports it)."""
        unique = _UNIQUE_LINE.match(text)
        if unique is not None:
            if self.current is not None:
                names = tuple(n.strip().strip("`") for n in re.split(r"[,\s]+", unique.group(1)) if n.strip())
                self.current.unique.append(UniqueFragment(names, number))
            return True
        text, extras = _extras(text)
        tree = _parse(text.strip(), "body")
        if tree is None:
            return False
        if self.current is None:
            return True
        for attribute in tree.children:
            column, notes = _column(attribute, number)
            column = replace(column, **extras) if extras else column
            if any(c.name == column.name for c in self.current.columns):
                self.diagnostics.append(
                    warning(number, f"{self.current.name}.{column.name} is listed twice; the first is kept")
                )
                continue
            self.current.columns.append(column)
            self.current.notes.extend(warning(number, f"{self.current.name}.{column.name}: {n}") for n in notes)
        return True


_ATTRIBUTE_HINT = '; expected `type name [PK|FK|UK] ["comment"]`'
# ``unique "a, b"`` / ``UNIQUE(a, b)``: a composite unique constraint written as a pseudo-attribute.
_UNIQUE_LINE = re.compile(r'(?i)^\s*(?:unique|uk|uq)\s*(?:"([^"]+)"|\(([^)]+)\))\s*$')
_NULLS = re.compile(r"(?i)\s+(NOT\s+NULL|NULL)\b")
_DEFAULT = re.compile(r"(?i)\s+DEFAULT\s+('[^']*'|\S+)")
_KEY_JOIN = re.compile(r"(?i)\b(PK|FK|UK)[_/-](?=(?:PK|FK|UK)\b)")
_SIZED_TYPE = re.compile(r"^(\s*)([A-Za-z]+)_(\d+)(?:_(\d+))?(?=\s)")


def _extras(text: str) -> tuple[str, dict[str, object]]:
    """Take ``NOT NULL`` / ``NULL`` / ``DEFAULT x`` out of an attribute line (before its comment),
    and spell ``PK_FK`` and ``varchar_50`` / ``decimal_19_4`` the way the grammar reads them."""
    quote = text.find('"')  # the comment
    head, tail = (text, "") if quote < 0 else (text[:quote], text[quote:])
    extras: dict[str, object] = {}
    m = _DEFAULT.search(head)
    if m is not None:
        extras["default"] = m.group(1)
        head = head[: m.start()] + head[m.end() :]
    for m in _NULLS.finditer(head):
        extras["nullable"] = not m.group(1).upper().startswith("NOT")
    head = _NULLS.sub("", head)
    head = _KEY_JOIN.sub(r"\1, ", head)
    head = _SIZED_TYPE.sub(
        lambda t: f"{t.group(1)}{t.group(2)}({t.group(3)}{',' + t.group(4) if t.group(4) else ''})", head
    )
    return head + tail, extras


_HINT = "; expected an entity `name {`, a relationship `a ||--o{ b : label`, or `direction`"


@lru_cache(maxsize=1 << 14)  # diagrams repeat their attribute lines (``string id PK``); trees are only read
def _parse(text: str, start: str) -> Tree | None:
    try:
        return _PARSER.parse(text, start=start)
    except LarkError:
        return None


def _name(entity: Tree) -> str:
    return _unquote(str(entity.children[0]))


def _column(attribute: Tree, number: int) -> tuple[ColumnFragment, list[str]]:
    raw_type = str(attribute.children[0])
    name_node = attribute.children[1]
    name = _unquote(str(name_node.children[0]))
    keys: set[str] = set()
    comment: str | None = None
    for child in attribute.children[2:]:
        if isinstance(child, Tree):
            keys.update(str(k).upper() for k in child.children)
        else:
            comment = _unquote(str(child))
    nullable: bool | None = None
    if comment and "🗝" in comment:  # prisma-erd-generator marks the key with a key emoji
        keys, comment = keys | {"PK"}, comment.replace("🗝️", "").replace("🗝", "").strip() or None
    if comment and comment.startswith("❓"):  # ... and optional fields with a question mark
        nullable, comment = True, comment.lstrip("❓").strip() or None
    if raw_type.endswith("?"):
        raw_type, nullable = raw_type.rstrip("?"), True
    if name.startswith("*"):  # some diagrams mark the key with a leading asterisk
        name, keys = name.lstrip("*"), keys | {"PK"}
    reference = None
    if "FK" in keys and parse_type(raw_type) is None and re.fullmatch(r"[A-Za-z_][\w.]*", raw_type):
        # ``User owner FK``: the type names the entity the key points to; its type comes from that key
        type_info, type_values, problem = None, None, None
        reference = Reference(raw_type, (), line=number)
    else:
        type_info, type_values, problem = column_type(raw_type)
    column = ColumnFragment(
        name,
        number,
        type=type_info,
        nullable=nullable,
        primary_key="PK" in keys,
        unique="UK" in keys,
        fk_marked="FK" in keys,
        references=reference,
        enum=type_values,
        comment=comment or None,
    )
    if comment:
        column = read_comment(column, comment)
    if column.primary_key:
        column = replace(column, nullable=False)
    return column, [problem] if problem else []
