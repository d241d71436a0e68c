"""Typed Python models for rows of ``/rest/v1``: a ``TypedDict`` per table for Row, Insert and Update.

TypedDicts, not dataclasses, because the official ``supabase`` client hands
back plain dicts: ``row: TasksRow = res.data[0]`` needs no conversion, and a
type checker then knows every key. Values are typed as they arrive in JSON
(timestamps and uuids are ``str``), enums as ``Literal`` aliases. Insert keys
the database fills in are ``NotRequired``; every Update key is optional.
The written module has no ``from __future__ import annotations``: string
annotations would hide ``NotRequired`` from ``__required_keys__`` at runtime.
"""

from __future__ import annotations

import json
import keyword
import re

from .columns import JSON_KIND, ClientColumn, ClientTable
from .functions import Function

_SCALAR = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "json": "Json"}


def class_name(table: str) -> str:
    """``task_items`` -> ``TaskItems``; a name Python cannot use gets a leading ``T``."""
    words = re.split(r"[^0-9A-Za-z]+", table)
    name = "".join(w[:1].upper() + w[1:] for w in words if w)
    return name if name.isidentifier() and not name[:1].isdigit() else f"T{name}"


def _base(kind: str, item: str | None = None) -> str:
    if kind == "array":
        return f"list[{_SCALAR.get(item or 'string', 'str')}]"
    if kind == "vector":
        return "list[float]"
    return _SCALAR.get(kind, "Any")


def _type(column: ClientColumn) -> str:
    if column.enum_type:
        text = class_name(column.enum_type)
    elif column.values:
        text = "Literal[" + ", ".join(json.dumps(v) for v in column.values) + "]"
    else:
        text = _base(column.kind, column.item)
    return f"{text} | None" if column.nullable else text


def _fields(t: ClientTable, mode: str) -> list[tuple[str, str]]:
    out = []
    for c in t.columns:
        text = _type(c)
        if mode == "insert" and c.optional:
            text = f"NotRequired[{text}]"
        out.append((c.name, text))
    return out


def _typed_dict(name: str, fields: list[tuple[str, str]], total: bool = True) -> list[str]:
    """Class syntax; the functional form only when a key is no identifier (``x-y``) or a keyword (``from``)."""
    tail = "" if total else ", total=False"
    if all(k.isidentifier() and not keyword.iskeyword(k) for k, _ in fields):
        body = [f"    {k}: {v}" for k, v in fields] or ["    pass"]
        return [f"class {name}(TypedDict{tail}):", *body, "", ""]
    items = [f"        {json.dumps(k)}: {v}," for k, v in fields]
    return [f"{name} = TypedDict(", f'    "{name}",', "    {", *items, f"    }}{tail},", ")", "", ""]


def to_python(tables: list[ClientTable], functions: list[Function], enums: dict[str, tuple[str, ...]], doc: str) -> str:
    """The module text: ``Json``, one ``Literal`` per enum type, three TypedDicts per table."""
    out = [
        f'"""Row types for the /rest/v1 tables of {doc}, written by `docbase types python` (regenerate, do not edit)."""',
        "",
        "from typing import Any, Literal, NotRequired, TypedDict",
        "",
        "Json = dict[str, Any] | list[Any] | str | int | float | bool | None",
        "",
    ]
    for name, values in sorted(enums.items()):
        out += [f"{class_name(name)} = Literal[{', '.join(json.dumps(v) for v in values)}]", ""]
    for t in tables:
        base = class_name(t.name)
        out += _typed_dict(f"{base}Row", _fields(t, "row"))
        out += _typed_dict(f"{base}Insert", _fields(t, "insert"))
        out += _typed_dict(f"{base}Update", _fields(t, "update"), total=False)
    for f in functions:
        if f.args:
            fields = [(a.name, f"NotRequired[{_arg(a.type)}]" if a.optional else _arg(a.type)) for a in f.args]
            out += _typed_dict(f"{class_name(f.name)}Args", fields)
    names = ", ".join(json.dumps(t.name) for t in tables)
    out.append(f"TABLES: tuple[str, ...] = ({names}{',' if len(tables) == 1 else ''})")
    return "\n".join(out) + "\n"


def _arg(name: str) -> str:
    if not name:
        return "Any"
    if name.startswith("array:"):
        return f"list[{_base(JSON_KIND.get(name[6:], 'string'))}]"
    return _base(JSON_KIND.get(name, "string"))
