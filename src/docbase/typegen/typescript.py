"""The ``Database`` type supabase-js is parameterised with, in the layout ``supabase gen types typescript`` writes.

``createClient<Database>(url, key)`` then types every ``from("t")``: rows
(``Row``), what an insert must and may carry (``Insert``), what an update may
carry (``Update``) and the foreign keys embeds follow (``Relationships``),
plus ``Views``, ``Functions``, ``Enums`` and ``CompositeTypes`` and the
``Tables<"t">`` / ``TablesInsert<"t">`` / ``TablesUpdate<"t">`` /
``Enums<"e">`` helpers and the ``Constants`` object. Written from scratch
after the generator's *output*; the helpers here take a table name of the
one ``public`` schema.
"""

from __future__ import annotations

import json
import re

from .columns import JSON_KIND, ClientColumn, ClientTable
from .functions import Function, Param

_SCALAR = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean", "json": "Json"}
_NEVER = "[_ in never]: never"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _key(name: str) -> str:
    """A property name bare where TypeScript allows it (as the generator's prettier pass leaves it)."""
    return name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else _q(name)


def _base(kind: str, item: str | None = None) -> str:
    if kind == "array":
        return f"{_SCALAR.get(item or 'string', 'string')}[]"
    if kind == "vector":
        return "number[]"
    return _SCALAR.get(kind, "unknown")


def column_type(column: ClientColumn) -> str:
    if column.enum_type:
        return f'Database["public"]["Enums"][{_q(column.enum_type)}]'
    if column.values:
        return " | ".join(_q(v) for v in column.values)
    return _base(column.kind, column.item)


def _vocabulary_type(name: str) -> str:
    if not name:
        return "unknown"
    if name.startswith("array:"):
        return f"{_base(JSON_KIND.get(name[6:], 'string'))}[]"
    return _base(JSON_KIND.get(name, "string"))


def _block(lines: list[str], indent: int) -> str:
    pad = " " * indent
    return "".join(f"{pad}{line}\n" for line in lines)


def _table(t: ClientTable) -> list[str]:
    row = [f"{_key(c.name)}: {column_type(c)}{' | null' if c.nullable else ''}" for c in t.columns]
    insert = [
        f"{_key(c.name)}{'?' if c.optional else ''}: {column_type(c)}{' | null' if c.nullable else ''}"
        for c in t.columns
    ]
    update = [f"{_key(c.name)}?: {column_type(c)}{' | null' if c.nullable else ''}" for c in t.columns]
    lines = [f"{_key(t.name)}: {{", "  Row: {", *[f"    {x}" for x in row], "  }", "  Insert: {"]
    lines += [f"    {x}" for x in insert] + ["  }", "  Update: {"] + [f"    {x}" for x in update] + ["  }"]
    if not t.relationships:
        lines.append("  Relationships: []")
    else:
        lines.append("  Relationships: [")
        for r in t.relationships:
            lines += [
                "    {",
                f"      foreignKeyName: {_q(r.name)}",
                f"      columns: {json.dumps(list(r.columns))}",
                f"      isOneToOne: {'true' if r.one_to_one else 'false'}",
                f"      referencedRelation: {_q(r.table)}",
                f"      referencedColumns: {json.dumps(list(r.ref_columns))}",
                "    },",
            ]
        lines.append("  ]")
    return [*lines, "}"]


def _args(args: tuple[Param, ...]) -> str:
    if not args:
        return "Record<PropertyKey, never>"
    return (
        "{ " + "; ".join(f"{_key(a.name)}{'?' if a.optional else ''}: {_vocabulary_type(a.type)}" for a in args) + " }"
    )


def _returns(f: Function, tables: dict[str, ClientTable]) -> str:
    kind, value = f.returns
    if kind == "table" and isinstance(value, str) and value in tables:
        cols = tables[value].columns
        shape = "{ " + "; ".join(f"{_key(c.name)}: {column_type(c)}{' | null' if c.nullable else ''}" for c in cols)
        shape += " }"
    elif kind == "columns" and isinstance(value, tuple):
        shape = "{ " + "; ".join(f"{_key(p.name)}: {_vocabulary_type(p.type)}" for p in value) + " }"
    elif kind == "scalar" and isinstance(value, str):
        shape = _vocabulary_type(value)
    elif kind == "void":
        shape = "undefined"
    else:
        shape = "unknown"
    return shape + ("[]" if f.set_returning else "")


def to_typescript(tables: list[ClientTable], functions: list[Function], enums: dict[str, tuple[str, ...]]) -> str:
    """The ``.ts`` module text: ``Json``, ``Database`` and the helpers, ready to import."""
    by_name = {t.name: t for t in tables}
    out = [
        "export type Json =",
        "  | string",
        "  | number",
        "  | boolean",
        "  | null",
        "  | { [key: string]: Json | undefined }",
        "  | Json[]",
        "",
        "export type Database = {",
        "  // Lets createClient<Database>(url, key) pick the PostgREST dialect docbase speaks",
        "  __InternalSupabase: {",
        '    PostgrestVersion: "12"',
        "  }",
        "  public: {",
        "    Tables: {",
    ]
    body = [line for t in tables for line in _table(t)]
    out.append(_block(body, 6).rstrip("\n") if body else f"      {_NEVER}")
    out += ["    }", "    Views: {", f"      {_NEVER}", "    }", "    Functions: {"]
    if functions:
        for f in functions:
            out += [
                f"      {_key(f.name)}: {{",
                f"        Args: {_args(f.args)}",
                f"        Returns: {_returns(f, by_name)}",
                "      }",
            ]
    else:
        out.append(f"      {_NEVER}")
    out += ["    }", "    Enums: {"]
    if enums:
        out += [f"      {_key(name)}: {' | '.join(_q(v) for v in values)}" for name, values in sorted(enums.items())]
    else:
        out.append(f"      {_NEVER}")
    out += ["    }", "    CompositeTypes: {", f"      {_NEVER}", "    }", "  }", "}", ""]
    out += _HELPERS.splitlines()
    enum_consts = ", ".join(f"{_key(n)}: [{', '.join(_q(v) for v in vals)}]" for n, vals in sorted(enums.items()))
    out += ["", "export const Constants = {", f"  public: {{ Enums: {{ {enum_consts} }} }},", "} as const", ""]
    return "\n".join(out)


_HELPERS = """\
type PublicSchema = Database["public"]

/** A table's (or view's) row: `Tables<"tasks">`. */
export type Tables<Name extends keyof (PublicSchema["Tables"] & PublicSchema["Views"])> =
  (PublicSchema["Tables"] & PublicSchema["Views"])[Name] extends { Row: infer R } ? R : never

/** What an insert into a table carries: `TablesInsert<"tasks">`. */
export type TablesInsert<Name extends keyof PublicSchema["Tables"]> = PublicSchema["Tables"][Name] extends {
  Insert: infer I
}
  ? I
  : never

/** What an update of a table carries: `TablesUpdate<"tasks">`. */
export type TablesUpdate<Name extends keyof PublicSchema["Tables"]> = PublicSchema["Tables"][Name] extends {
  Update: infer U
}
  ? U
  : never

/** An enum's values: `Enums<"task_status">`. */
export type Enums<Name extends keyof PublicSchema["Enums"]> = PublicSchema["Enums"][Name]

export type CompositeTypes<Name extends keyof PublicSchema["CompositeTypes"]> = PublicSchema["CompositeTypes"][Name]"""
