"""PlantUML ``@startuml ... @enduml`` class and entity diagrams -> table and relationship fragments.

A careful line parser rather than a grammar: PlantUML diagrams mix the
entity syntax with skin parameters, macros (``!define pk(x) <b>x</b>``),
notes and packages, and one line docbase does not understand must cost
that line only. What is read:

* ``entity``, ``class``, ``table`` and ``object`` blocks, quoted names and
  ``as`` aliases (the alias is the name relationships use), and the common
  macro form ``Table(name, "desc") {``; ``interface``/``enum``/``abstract``
  blocks are not tables (an ``enum`` block's items are its values).
* attribute lines ``name : type``, ``type name`` and ``name type``; a
  leading ``*`` (mandatory: NOT NULL), visibility marks ``+ - # ~``;
  stereotypes ``<<PK>>``, ``<<FK>>``, ``<<unique>>``, ``<<generated>>``;
  key macros ``primary_key(x)``/``pk(x)``, ``foreign_key(x)``/``fk(x)``,
  ``unique(x)``/``uk(x)``, ``not_null(x)``; ``REFERENCES t.c`` in the type.
* in an ``entity`` block without key markers, the attributes above the
  first ``--`` are the key (the IE convention PlantUML documents).
* arrows ``A ||--o{ B``, ``A }o--|| B``, ``A --> B``, ``A "1" -- "*" B``:
  a relationship, and a foreign key where one side has a column naming the
  other (``session.user_id`` for ``user --> session``).

Lines that look like attributes or arrows but cannot be read are warnings
with their line; layout directives (``skinparam``, ``hide``, ``!define``,
notes, titles) are skipped without comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..document import Block, Diagnostic, info, warning
from ..fragments import ColumnFragment, EnumFragment, Reference, RelationshipFragment, TableFragment
from .base import Reading
from .column_notes import column_type
from .types import parse_type

NAME = "plantuml"

_START = re.compile(r"^\s*@start(uml|er)\b", re.IGNORECASE)
_END = re.compile(r"^\s*@end(uml|er)\b", re.IGNORECASE)
_NAME = r'(?:"[^"]+"|[\w.$]+)'
_HEAD = re.compile(
    rf"^\s*(?P<kind>entity|class|table|object|interface|enum|abstract(?:\s+class)?|annotation|struct|record)\s+"
    rf"(?P<name>{_NAME})(?:\s+as\s+(?P<alias>{_NAME}))?(?P<rest>[^{{]*)(?P<open>\{{)?\s*(?P<after>.*)$",
    re.IGNORECASE,
)
_MACRO_HEAD = re.compile(
    r'^\s*(?:Table|Entity)\s*\(\s*(?P<name>[\w.]+)\s*(?:,\s*"[^"]*"|,[^)]*)?\)\s*(?P<open>\{)?\s*$', re.I
)
_ENDPOINT = r'(?P<{0}>[\w.$]+|"[^"]+")(?:::\w+)?(?:\s+"(?P<{0}_card>[^"]*)")?'
_ARROW = re.compile(
    r"^\s*" + _ENDPOINT.format("left") + r"\s*"
    r"(?P<arrow>[|}o{<>*#x+^.\\/]{0,3}(?:-+|\.+)(?:\[[^\]]*\])?(?:(?:up|down|left|right|u|d|l|r)(?:-+|\.+))?"
    r"[|}o{<>*#x+^.\\/]{0,3})\s*"
    r'(?:"(?P<right_card>[^"]*)"\s+)?(?P<right>[\w.$]+|"[^"]+")(?:::\w+)?\s*(?::\s*(?P<label>.*))?$',
)
_SKIP = re.compile(
    r"^\s*(?:'|!|skinparam\b|hide\b|show\b|left\s+to\s+right|top\s+to\s+bottom|title\b|header\b|footer\b|"
    r"caption\b|legend\b|endlegend\b|center\b|scale\b|allow_mixing\b|set\b|package\b|namespace\b|rectangle\b|"
    r"together\b|frame\b|folder\b|node\b|database\b|note\b|end\s*note\b|newpage\b|@|}\s*$|\{\s*$|"
    r"remove\b|layout\b|\.\.\.*\s*$|--+\s*$|==+\s*$|__+\s*$)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(--+|\.\.+|==+|__+)(?:\s*\S.*?\s*\1)?\s*$")
_TAG = re.compile(r"</?[a-z]+(?::[^>]*)?>|<&[\w-]+>|<size:\d+>", re.IGNORECASE)
_STEREO = re.compile(r"<<\s*([^<>]+?)\s*>>")
_MACRO = re.compile(r"^(?P<macro>[A-Za-z_]\w*)\((?P<arg>.*)\)(?P<rest>.*)$")
_KEY_MACROS = {
    "primary_key": "PK",
    "pk": "PK",
    "primary": "PK",
    "id": "PK",
    "foreign_key": "FK",
    "fk": "FK",
    "unique": "UK",
    "uk": "UK",
    "unique_key": "UK",
    "not_null": "NN",
    "nn": "NN",
    "nullable": "NULL",
    "column": "",
    "col": "",
    "field": "",
}
_NOT_COLUMNS = {"index", "idx", "desc", "comm", "comment", "todo", "config", "config2", "deprecated", "note"}
_TABLE_KINDS = {"entity", "class", "table", "object", "struct", "record"}


def accepts(block: Block) -> bool:
    """A plantuml/puml fence, or an unlabelled block, whose first statement is ``@startuml``."""
    if block.kind != "code":
        return False
    words = block.info.strip().lower().split()
    word = words[0].strip("{}.") if words else ""
    if word and word not in ("plantuml", "puml", "uml", "plant"):
        return False
    first = next((ln for ln in block.text.split("\n") if ln.strip() and not ln.strip().startswith("'")), "")
    return bool(_START.match(first)) or (word in ("plantuml", "puml") and _has_entities(block.text))


def _has_entities(text: str) -> bool:
    return any(_HEAD.match(line) for line in text.split("\n"))


@dataclass
class _Entity:
    name: str
    line: int
    kind: str
    comment: str | None = None
    columns: list[ColumnFragment] = field(default_factory=list)
    above_separator: list[str] = field(default_factory=list)
    separated: bool = False
    values: list[str] = field(default_factory=list)


@dataclass
class _State:
    block: Block
    entities: dict[str, _Entity] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    arrows: list[tuple[str, str, int, str, str, str | None]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read(block: Block) -> Reading:
    state = _State(block)
    current: _Entity | None = None
    depth = 0  # braces of a non-table block (note, package) we are inside
    in_comment = False
    for index, raw in enumerate(block.text.split("\n")):
        number = block.line + index
        line = raw.strip()
        if in_comment:
            in_comment = "'/" not in line
            continue
        if line.startswith("/'"):
            in_comment = "'/" not in line[2:]
            continue
        if current is not None:
            if line.startswith("}"):
                current = None
            else:
                _body_line(current, line, number, state)
            continue
        if not line or line.startswith("'"):
            continue
        head = _MACRO_HEAD.match(line) or _HEAD.match(line)
        if head is not None:
            entity = _entity(head, number, state)
            if head.group("open"):
                current = entity
            continue
        arrow = _ARROW.match(line)
        if arrow is not None and ("-" in arrow.group("arrow") or ".." in arrow.group("arrow")):
            _arrow(arrow, number, state)
            continue
        if _SKIP.match(line) or depth:
            depth += line.count("{") - line.count("}")
            continue
        state.diagnostics.append(
            warning(
                number,
                f"cannot read this PlantUML line: {line!r}; expected `entity Name {{`, "
                "`name : type` inside it, or a relationship `A ||--o{ B`",
            )
        )
    if current is not None:
        state.diagnostics.append(warning(current.line, f"'{current.name} {{' is never closed: missing '}}'"))
    return _reading(state)


def _unquote(name: str) -> str:
    return name[1:-1].strip() if len(name) >= 2 and name[0] == name[-1] == '"' else name


def _entity(head: re.Match[str], number: int, state: _State) -> _Entity:
    groups = head.groupdict()
    kind = (groups.get("kind") or "table").lower().split()[-1]
    written = _unquote(groups["name"])
    alias = _unquote(groups["alias"]) if groups.get("alias") else None
    name = alias if alias and re.fullmatch(r"[\w.$]+", alias) else written
    if not re.fullmatch(r"[\w.$]+", name):
        name = re.sub(r"\W+", "_", name).strip("_") or name
    if alias:
        state.aliases[written] = name
    entity = state.entities.get(name)
    if entity is None:
        entity = state.entities[name] = _Entity(name, number, kind)
        if name != written:
            entity.comment = written
    return entity


def _body_line(entity: _Entity, line: str, number: int, state: _State) -> None:
    if not line or line.startswith("'"):
        return
    if _SEPARATOR.match(line):
        if not entity.separated and entity.columns:
            entity.separated = True
            entity.above_separator = [c.name for c in entity.columns]
        return
    if entity.kind not in _TABLE_KINDS:
        if entity.kind == "enum":
            value = re.split(r"[\s,:;=(]", line.strip(), maxsplit=1)[0]
            if value:
                entity.values.append(value)
        return
    column = _attribute(line, number)
    if column is None:
        state.diagnostics.append(
            warning(number, f"cannot read this PlantUML attribute: {line!r}; expected `name : type [<<PK>>]`")
        )
        return
    if column == "skip":
        return
    if column.notes and column.notes[-1].startswith("type: "):
        state.diagnostics.append(warning(number, f"{entity.name}.{column.name}: {column.notes[-1][6:]}"))
        column = replace(column, notes=column.notes[:-1])
    if any(c.name == column.name for c in entity.columns):
        state.diagnostics.append(warning(number, f"{entity.name}.{column.name} is listed twice; the first is kept"))
        return
    entity.columns.append(column)


def _attribute(line: str, number: int) -> ColumnFragment | str | None:
    """One attribute line -> a column, ``"skip"`` for a method or decoration, or None if unreadable."""
    text = line.strip()
    keys: set[str] = set()
    for stereo in _STEREO.findall(text):
        keys.update(_stereo_keys(stereo))
    text = _STEREO.sub(" ", text)
    if text.startswith("*"):
        keys.add("NN")
        text = text[1:].strip()
    text = re.sub(r"^\{(?:static|abstract|field)\}\s*", "", text, flags=re.I)
    text = re.sub(r"^[+\-#~]\s*", "", text)
    name_part, type_part = _split(text)
    while True:  # key macros, outermost first: ``not_null(unique(username))``
        m = _MACRO.match(name_part.strip())
        if m is None:
            break
        macro = m.group("macro").lower()
        if macro in _NOT_COLUMNS:
            return "skip"
        if macro not in _KEY_MACROS:
            return "skip"  # a method, ``getName() : string``
        keys.add(_KEY_MACROS[macro])
        name_part = m.group("arg") + m.group("rest")
    name_part = _TAG.sub("", name_part).replace("**", "").strip().strip('"')
    if not re.fullmatch(r"[^\W\d][\w$]*", name_part):
        return None
    type_part = _TAG.sub("", type_part).strip()
    reference = None
    ref = re.search(r"(?i)\breferences?\s+([\w.]+?)(?:\.(\w+)|\((\w+)\))?\s*$", type_part)
    if ref:
        target = ref.group(1)
        parts = target.split(".")
        if len(parts) > 1 and ref.group(2) is None and ref.group(3) is None:
            target, column = ".".join(parts[:-1]), parts[-1]
        else:
            column = ref.group(2) or ref.group(3)
        target = target.split(".", 1)[1] if target.lower().startswith("public.") else target
        reference = Reference(target, (column,) if column else (), line=number)
        type_part = type_part[: ref.start()].strip()
    type_info, problem = None, None
    if type_part:
        type_info, _values, problem = column_type(_brackets(type_part))
    nullable = False if keys & {"NN", "PK"} else True if "NULL" in keys else None
    return ColumnFragment(
        name_part,
        number,
        type=type_info,
        nullable=nullable,
        primary_key="PK" in keys,
        unique="UK" in keys,
        fk_marked="FK" in keys or reference is not None,
        references=reference,
        notes=(("generated",) if "GEN" in keys else ()) + ((f"type: {problem}",) if problem else ()),
    )


def _stereo_keys(stereo: str) -> set[str]:
    out = set()
    for word in re.split(r"[\s,]+", stereo.lower()):
        if word in ("pk", "primary", "primarykey", "id", "key"):
            out.add("PK")
        elif word in ("fk", "foreign", "foreignkey"):
            out.add("FK")
        elif word in ("unique", "uk", "uq", "ak"):
            out.add("UK")
        elif word in ("notnull", "not_null", "required", "nn", "mandatory"):
            out.add("NN")
        elif word in ("generated", "identity", "autoincrement", "auto_increment", "serial"):
            out.add("GEN")
    return out


def _split(text: str) -> tuple[str, str]:
    """``name : type`` / ``name type`` / ``type name`` -> (name, type)."""
    if ":" in text:
        name, _, kind = text.partition(":")
        return name.strip(), kind.strip()
    m = _MACRO.match(text)
    if m is not None:  # ``primary_key(id) INTEGER``
        return f"{m.group('macro')}({m.group('arg')})", m.group("rest").strip()
    parts = text.split(None, 1)
    if len(parts) == 1:
        return parts[0], ""
    first, second = parts
    if parse_type(_brackets(second)) is None and parse_type(_brackets(first)) is not None:
        if re.fullmatch(r"[^\W\d][\w$]*", second.strip()):
            return second.strip(), first  # ``int id`` (type first)
    return first, second


def _brackets(written: str) -> str:
    """``VARCHAR[32]`` -> ``VARCHAR(32)``: some diagrams write lengths in square brackets."""
    return re.sub(r"\[(\d+(?:\s*,\s*\d+)?)\]$", r"(\1)", written.strip())


def _arrow(m: re.Match[str], number: int, state: _State) -> None:
    left, right = _unquote(m.group("left")), _unquote(m.group("right"))
    arrow = m.group("arrow")
    head = re.match(r"^[|}o{<>*#x+^]*", arrow).group(0)
    tail = re.search(r"[|}o{<>*#x+^]*$", arrow).group(0)
    left_card = _card(head, m.group("left_card"), left=True)
    right_card = _card(tail, m.group("right_card"), left=False)
    label = (m.group("label") or "").strip().strip('"') or None
    state.arrows.append((left, right, number, left_card, right_card, label))


def _card(marker: str, words: str | None, left: bool) -> str:
    """PlantUML's crow's feet (``||``, ``|o``, ``}o``, ``}|``) or ``"1"``/``"*"`` labels, as Mermaid markers."""
    marker = marker.replace("<", "").replace(">", "").replace("*", "")
    if marker:
        flipped = marker if left else marker[::-1]
        table = {"||": "||", "|o": "|o", "o|": "|o", "}o": "}o", "o{": "}o", "}|": "}|", "|{": "}|", "|": "||"}
        kind = table.get(flipped, "}o" if "{" in marker or "}" in marker else "||")
    elif words:
        w = words.strip().lower()
        kind = "}o" if any(s in w for s in ("*", "n", "many", "..")) and w not in ("0..1",) else "||"
        kind = "|o" if w in ("0..1",) else kind
    else:
        kind = "||" if left else "}o"
    if left:
        return kind
    return {"||": "||", "|o": "o|", "}o": "o{", "}|": "|{"}[kind]


def _reading(state: _State) -> Reading:
    reading = Reading(diagnostics=state.diagnostics)
    tables: dict[str, TableFragment] = {}
    for entity in state.entities.values():
        if entity.kind == "enum":
            if entity.values:
                reading.fragments.append(EnumFragment(entity.name, tuple(entity.values), entity.line, "plantuml"))
            continue
        if entity.kind not in _TABLE_KINDS:
            continue
        columns = entity.columns
        if not any(c.primary_key for c in columns) and entity.separated and entity.kind == "entity":
            columns = [
                replace(c, primary_key=True, nullable=False) if c.name in entity.above_separator else c for c in columns
            ]
        if not any(c.primary_key for c in columns):
            ids = [c for c in columns if c.name.lower() in ("id", "_id")]
            if len(ids) == 1:
                columns = [replace(c, primary_key=True, nullable=False) if c is ids[0] else c for c in columns]
                reading.diagnostics.append(
                    info(ids[0].line, f"{entity.name}.{ids[0].name} is taken as the primary key (no key is marked)")
                )
        tables[entity.name] = TableFragment(
            entity.name,
            entity.line,
            "plantuml",
            columns=tuple(columns),
            primary_key=tuple(c.name for c in columns if c.primary_key),
            section=state.block.section,
            comment=entity.comment,
        )
    for left, right, number, lc, rc, label in state.arrows:
        left, right = state.aliases.get(left, left), state.aliases.get(right, right)
        _link(tables, left, right, number)
        reading.fragments.append(RelationshipFragment(left, right, number, lc, rc, label=label, source="plantuml"))
    reading.fragments[:0] = list(tables.values())
    return reading


def _link(tables: dict[str, TableFragment], left: str, right: str, number: int) -> None:
    """An arrow between two tables of this diagram: a column of one naming the other becomes its foreign key."""
    for child, parent in ((right, left), (left, right)):
        table, target = tables.get(child), tables.get(parent)
        if table is None or target is None or child == parent:
            continue
        hits = [c for c in table.columns if c.references is None and matches_table(c.name, parent)]
        if len(hits) == 1:
            col = hits[0]
            new = replace(col, fk_marked=True, references=Reference(parent, (), line=number))
            tables[child] = replace(table, columns=tuple(new if c is col else c for c in table.columns))
            return


def matches_table(column: str, table: str) -> bool:
    """``user_id``, ``userId`` or ``user_ref`` for the table ``user`` / ``users``."""
    col = column.lower().replace("_", "")
    name = table.lower().replace("_", "")
    stems = {name, name[:-1] if name.endswith("s") else name, name[:-3] + "y" if name.endswith("ies") else name}
    return any(col in (f"{stem}id", f"{stem}ref", f"{stem}key") for stem in stems)
