"""The document's SQL functions -> (arguments, return shape), read from their ``CREATE FUNCTION`` header.

The server reads signatures from ``pg_proc`` (docbase.api.routines); types
are written from the document alone, so the header is parsed here: named
``IN``/``INOUT`` arguments (a ``DEFAULT`` makes one optional), ``RETURNS
SETOF t``, ``RETURNS TABLE (...)``, ``RETURNS t`` for a document table or a
base type. What this cannot read becomes ``unknown`` and a warning, never a
silently wrong type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..readers.types import parse_type
from ..schema.model import Schema

_HEAD = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:\"?public\"?\.)?\"?(\w+)\"?\s*\((?P<args>.*?)\)\s*RETURNS\s+"
    r"(?P<returns>SETOF\s+[\w.\"]+|TABLE\s*\((?P<table>.*?)\)|[\w.\"\[\] ]+?)\s+(?:LANGUAGE|AS|SECURITY|STABLE|"
    r"IMMUTABLE|VOLATILE|STRICT|SET|PARALLEL|COST|RETURNS\s+NULL|CALLED|\$)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # a vocabulary type, "array:<item>", or "" when unknown
    optional: bool = False


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[Param, ...]
    #: ("table", name) a document table's rows, ("columns", params) RETURNS TABLE,
    #: ("scalar", type), ("void", ""), or ("unknown", why).
    returns: tuple[str, object]
    set_returning: bool
    line: int


def functions(schema: Schema) -> tuple[list[Function], list[tuple[int, str]]]:
    """The document's functions in name order, and (line, message) for each one not read."""
    tables = {t.name for t in schema.tables}
    found, notes = [], []
    for routine in schema.routines:
        if routine.kind != "function":
            continue
        match = _HEAD.search(routine.sql)
        if match is None:
            notes.append((routine.line, f"function {routine.name}: its header could not be read; typed as unknown"))
            found.append(Function(routine.name, (), ("unknown", ""), False, routine.line))
            continue
        args = _params(match.group("args"), arguments=True)
        if args is None:
            notes.append((routine.line, f"function {routine.name}: unnamed arguments; left out of the types"))
            continue
        ret = match.group("returns").strip()
        setof = ret.upper().startswith(("SETOF", "TABLE"))
        if match.group("table") is not None:
            columns = _params(match.group("table"), arguments=False) or ()
            returns: tuple[str, object] = ("columns", columns)
        else:
            target = re.sub(r"^SETOF\s+", "", ret, flags=re.IGNORECASE).strip('"').removeprefix("public.").strip('"')
            if target in tables:
                returns = ("table", target)
            elif target.lower() == "void":
                returns = ("void", "")
            elif target.lower() == "trigger":
                continue  # a trigger function is not callable through /rpc
            else:
                kind = _type(target)
                if not kind:
                    notes.append((routine.line, f"function {routine.name}: return type {target!r} typed as unknown"))
                returns = ("scalar", kind)
        found.append(Function(routine.name, tuple(args), returns, setof, routine.line))
    return sorted(found, key=lambda f: f.name), notes


def _params(text: str, arguments: bool) -> list[Param] | None:
    params = []
    for part in _split(text):
        words = part.strip()
        if not words:
            continue
        mode = re.match(r"(IN|OUT|INOUT|VARIADIC)\s+", words, re.IGNORECASE)
        if mode:
            if arguments and mode.group(1).upper() == "OUT":
                continue
            words = words[mode.end() :]
        default = re.search(r"\s+(DEFAULT\b|=).*$", words, re.IGNORECASE | re.DOTALL)
        if default:
            words = words[: default.start()]
        pieces = words.split(None, 1)
        if len(pieces) < 2:
            return None  # a bare type: PostgREST cannot call it by name
        params.append(Param(pieces[0].strip('"'), _type(pieces[1]), default is not None))
    return params


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _type(text: str) -> str:
    info = parse_type(text.strip().strip('"'))
    if info is None:
        return ""
    return f"array:{info.item}" if info.name == "array" else info.name
