"""DBML as real documents write it: a forgiving, line-based reader, and the shape both DBML paths share.

pydbml parses strict DBML; design documents often are not (a type with
spaces left unquoted, ``default: now()`` without backticks, ``[PK]`` in
capitals, a stray line). When pydbml refuses a block, this reader takes
it statement by statement, reports each line it cannot use, and keeps the
rest. Both paths produce the ``D*`` records below, so one function turns
DBML into fragments whichever parser read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Diagnostic, warning
from .types import parse_type


@dataclass
class DRef:
    op: str  # > many-to-one, < one-to-many, - one-to-one, <> many-to-many
    left: tuple[str, tuple[str, ...]]
    right: tuple[str, tuple[str, ...]]
    line: int
    on_delete: str | None = None
    on_update: str | None = None
    name: str | None = None


@dataclass
class DColumn:
    name: str
    type: str
    line: int
    pk: bool = False
    unique: bool = False
    not_null: bool | None = None
    default: str | None = None
    note: str | None = None
    increment: bool = False
    refs: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (op, table, columns)


@dataclass
class DIndex:
    columns: list[tuple[str, bool]]  # (name or expression, is expression)
    line: int
    unique: bool = False
    pk: bool = False
    name: str | None = None
    method: str | None = None


@dataclass
class DTable:
    name: str
    line: int
    schema: str | None = None
    note: str | None = None
    columns: list[DColumn] = field(default_factory=list)
    indexes: list[DIndex] = field(default_factory=list)


@dataclass
class DEnum:
    name: str
    line: int
    values: list[str] = field(default_factory=list)


@dataclass
class DModel:
    tables: list[DTable] = field(default_factory=list)
    enums: list[DEnum] = field(default_factory=list)
    refs: list[DRef] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


_NAME = r'(?:"[^"]+"|`[^`]+`|[\w.]+)'
_TABLE = re.compile(rf"(?i)^table\s+(?P<name>{_NAME})(?:\s+as\s+\w+)?\s*(?:\[[^\]]*\])?\s*\{{\s*$")
_ENUM = re.compile(rf"(?i)^enum\s+(?P<name>{_NAME})\s*\{{\s*$")
_REF_LINE = re.compile(r"(?i)^ref\s*(?P<name>[\w\"]+)?\s*:\s*(?P<body>.+)$")
_REF_BLOCK = re.compile(r"(?i)^ref\s*(?P<name>[\w\"]+)?\s*\{\s*$")
_OTHER_BLOCK = re.compile(r"(?i)^(project|tablegroup|note|tablepartial|records|sticky_note)\b[^{]*\{\s*$")
_REF_BODY = re.compile(
    r"^(?P<left>.+?)\s*(?P<op><>|<|>|-)\s*(?P<right>[^\s\[]+(?:\([^)]*\))?)\s*(?:\[(?P<settings>.*)\])?\s*$"
)
_COLUMN = re.compile(rf"^(?P<name>{_NAME})\s+(?P<type>(?:\[\]|[^\[])+?)\s*(?:\[(?P<settings>.*)\])?\s*$")


def unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        return text[1:-1]
    return text


def split_outside(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside quotes, backticks and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth <= 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif line.startswith("//", i):
            return line[:i]
    return line


def endpoint(text: str) -> tuple[str, tuple[str, ...]]:
    """``schema.table.col`` / ``table.(a, b)`` -> (table, columns); ``public.`` is dropped."""
    text = text.strip()
    if ".(" in text:
        table, cols = text.split(".(", 1)
        columns = tuple(unquote(c) for c in split_outside(cols.rstrip(")")))
    else:
        parts = [unquote(p) for p in re.findall(r'"[^"]+"|[^.]+', text)]
        table, columns = ".".join(parts[:-1]), (parts[-1],) if parts else ()
    table = ".".join(unquote(p) for p in table.split("."))
    return table.removeprefix("public."), columns


def parse_loose(text: str, first_line: int) -> DModel:
    """Read DBML statement by statement; see the module docstring."""
    model = DModel()
    lines = _clean_lines(text)
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        number = first_line + i
        i += 1
        if not raw:
            continue
        if m := _TABLE.match(raw):
            i = _table(lines, i, first_line, m.group("name"), number, model)
        elif m := _ENUM.match(raw):
            enum = DEnum(unquote(m.group("name")).removeprefix("public."), number)
            i = _body(
                lines, i, first_line, lambda s, n, e=enum: e.values.append(unquote(re.sub(r"\[.*\]$", "", s).strip()))
            )
            model.enums.append(enum)
        elif m := _REF_BLOCK.match(raw):
            name = m.group("name")
            i = _body(lines, i, first_line, lambda s, n, nm=name: _ref(s, n, nm, model))
        elif m := _REF_LINE.match(raw):
            _ref(m.group("body"), number, m.group("name"), model)
        elif _OTHER_BLOCK.match(raw):
            i = _body(lines, i, first_line, lambda s, n: None)
        elif re.match(r"(?i)^(project|note)\b", raw):
            continue
        else:
            model.diagnostics.append(
                warning(number, f"cannot read this DBML line: {raw!r}; expected Table, Enum or Ref")
            )
    return model


def _clean_lines(text: str) -> list[str]:
    """Drop ``//`` and ``/* */`` comments, keeping one entry per source line."""
    out, in_block = [], False
    for line in text.split("\n"):
        if in_block:
            end = line.find("*/")
            line, in_block = ("", True) if end < 0 else (" " * (end + 2) + line[end + 2 :], False)
        start = line.find("/*")
        if start >= 0 and line.count("'", 0, start) % 2 == 0:
            end = line.find("*/", start + 2)
            line, in_block = (line[:start], True) if end < 0 else (line[:start] + line[end + 2 :], False)
        out.append(strip_comment(line))
    return out


def _body(lines: list[str], i: int, first_line: int, handle) -> int:
    """Feed each line up to the closing ``}`` to ``handle``; return the index after it."""
    while i < len(lines):
        raw = lines[i].strip()
        i += 1
        if raw == "}":
            return i
        if raw:
            handle(raw, first_line + i - 1)
    return i


def _ref(body: str, number: int, name: str | None, model: DModel) -> None:
    m = _REF_BODY.match(body.strip())
    if not m:
        model.diagnostics.append(
            warning(number, f"cannot read this DBML Ref: {body.strip()!r}; expected `a.col > b.col`")
        )
        return
    ref = DRef(
        m.group("op"),
        endpoint(m.group("left")),
        endpoint(m.group("right")),
        number,
        name=unquote(name) if name else None,
    )
    for setting in split_outside(m.group("settings") or ""):
        key, _, value = setting.partition(":")
        if key.strip().lower() in ("delete", "update"):
            setattr(ref, f"on_{key.strip().lower()}", value.strip().lower() or None)
    model.refs.append(ref)


def _table(lines: list[str], i: int, first_line: int, name: str, number: int, model: DModel) -> int:
    parts = [unquote(p) for p in re.findall(r'"[^"]+"|`[^`]+`|[^.]+', name)]
    schema = parts[0] if len(parts) > 1 else None
    table = DTable(parts[-1], number, schema=None if schema == "public" else schema)
    model.tables.append(table)
    while i < len(lines):
        raw = lines[i].strip()
        line = first_line + i
        i += 1
        if not raw:
            continue
        if raw.startswith("}"):
            return i
        if re.match(r"(?i)^indexes\s*\{$", raw):
            i = _body(lines, i, first_line, lambda s, n: _index(s, n, table, model))
        elif m := re.match(r"(?i)^note\s*:\s*(.+)$", raw):
            table.note = unquote(m.group(1))
        elif re.match(r"(?i)^note\s*\{$", raw):
            notes: list[str] = []
            i = _body(lines, i, first_line, lambda s, n, acc=notes: acc.append(unquote(s)))
            table.note = " ".join(notes)
        elif (m := _COLUMN.match(raw)) and _plausible_type(m.group("type")):
            table.columns.append(_column(m, line, model))
        else:
            model.diagnostics.append(
                warning(line, f"cannot read this DBML column: {raw!r}; expected `name type [settings]`")
            )
    model.diagnostics.append(warning(number, f"Table {table.name} {{ is never closed: missing '}}'"))
    return i


def _plausible_type(raw: str) -> bool:
    """One word (``varchar``, ``decimal(10,2)``, ``int[]``), or several that make a known type (``double precision``)."""
    text = unquote(raw.strip())
    return not re.search(r"\s", text) or raw.strip()[0] in "\"'`" or parse_type(text) is not None


def _column(m: re.Match, line: int, model: DModel) -> DColumn:
    column = DColumn(unquote(m.group("name")), unquote(m.group("type").strip()), line)
    for setting in split_outside(m.group("settings") or ""):
        key, sep, value = setting.partition(":")
        key = re.sub(r"\s+", " ", key.strip().lower())
        if key in ("pk", "primary key"):
            column.pk = True
        elif key == "unique":
            column.unique = True
        elif key == "not null":
            column.not_null = True
        elif key == "null":
            column.not_null = False
        elif key in ("increment", "autoincrement", "auto_increment"):
            column.increment = True
        elif key == "default" and sep:
            column.default = sql_default(value.strip())
        elif key == "note" and sep:
            column.note = unquote(value.strip())
        elif key == "ref" and sep:
            rm = re.match(r"^\s*(<>|<|>|-)\s*(.+)$", value)
            if rm:
                table, cols = endpoint(rm.group(2))
                column.refs.append((rm.group(1), table, cols))
            else:
                model.diagnostics.append(
                    warning(line, f"cannot read this DBML ref: {value.strip()!r}; expected `ref: > table.column`")
                )
        else:
            model.diagnostics.append(
                warning(
                    line,
                    f"DBML column setting {setting!r} is not understood; ignored: the settings docbase reads are "
                    "pk, unique, not null, null, increment, default: x, note: 'x', ref: > t.c",
                )
            )
    return column


def sql_default(value: str) -> str:
    """A DBML default as SQL text: backticked expressions unwrapped, strings single-quoted."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "`":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return "'" + value[1:-1].replace("'", "''") + "'"
    return value


def _index(text: str, number: int, table: DTable, model: DModel) -> None:
    m = re.match(r"^(?P<cols>\(.*\)|`[^`]*`|[^\[\s]+)\s*(?:\[(?P<settings>.*)\])?\s*$", text)
    if not m:
        model.diagnostics.append(warning(number, f"cannot read this DBML index: {text!r}; expected `(a, b) [unique]`"))
        return
    cols = m.group("cols")
    items = split_outside(cols[1:-1]) if cols.startswith("(") else [cols]
    index = DIndex([(unquote(c), c.startswith("`")) for c in items], number)
    for setting in split_outside(m.group("settings") or ""):
        key, _, value = setting.partition(":")
        key = key.strip().lower()
        if key == "unique":
            index.unique = True
        elif key == "pk":
            index.pk = True
        elif key == "name":
            index.name = unquote(value)
        elif key == "type":
            index.method = unquote(value).lower()
    table.indexes.append(index)
