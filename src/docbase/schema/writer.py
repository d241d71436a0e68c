"""Model -> Markdown: a Mermaid ``erDiagram`` and a column table per table.

The output is itself a document docbase reads back to the same model (the
round-trip test holds it to that), and it feeds the console's ER diagram.
Mermaid carries names, types, keys and relationships; the column tables
carry what Mermaid cannot (nullability, defaults, enum values, ON DELETE).
"""

from __future__ import annotations

import re

from .model import Column, Schema, Table


def _type_text(c: Column) -> str:
    if c.type == "varchar" and c.length:
        return f"VARCHAR({c.length})"
    if c.type == "numeric" and c.precision:
        return f"NUMERIC({c.precision},{c.scale or 0})" if c.scale is not None else f"NUMERIC({c.precision})"
    if c.type == "array":
        return f"{(c.item_type or 'text').upper()}[]"
    if c.type == "vector":
        return f"VECTOR({c.dimension})" if c.dimension else "VECTOR"
    return c.type.upper()


def _mermaid_type(c: Column) -> str:
    """Mermaid types are one word; sizes ride along as ``varchar(80)`` / ``numeric(12,2)``, which it reads."""
    if c.type == "array":
        return f"{c.item_type or 'text'}[]"
    if c.type in ("varchar", "numeric", "vector"):
        return _type_text(c).lower().replace(" ", "")
    return c.type


def _safe(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][\w-]*", name) else f'"{name}"'


def to_mermaid(schema: Schema) -> str:
    lines = ["erDiagram"]
    for t in schema.tables:
        lines.append(f"    {_safe(t.name)} {{")
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        unique_cols = {u.columns[0] for u in t.unique if len(u.columns) == 1 and u.where is None}
        for c in t.columns:
            keys = [
                k
                for k, on in (("PK", c.name in t.primary_key), ("FK", c.name in fk_cols), ("UK", c.name in unique_cols))
                if on
            ]
            mtype = _mermaid_type(c)
            comment = f' "{" | ".join(c.enum)}"' if c.enum else ""
            lines.append(f"        {mtype} {c.name}{' ' + ','.join(keys) if keys else ''}{comment}")
        lines.append("    }")
    for t in schema.tables:
        for fk in t.foreign_keys:
            target = schema.table(fk.ref_table)
            if target is None:
                continue
            one_to_one = any(set(u.columns) == set(fk.columns) and u.where is None for u in t.unique)
            right = "o|" if one_to_one else "o{"
            lines.append(f'    {_safe(fk.ref_table)} ||--{right} {_safe(t.name)} : "{", ".join(fk.columns)}"')
    return "\n".join(lines) + "\n"


def _constraints(t: Table, c: Column) -> str:
    parts: list[str] = []
    if c.name in t.primary_key and len(t.primary_key) == 1:
        parts.append("PRIMARY KEY")
    if c.nullable is False and c.name not in t.primary_key:
        parts.append("NOT NULL")
    elif c.nullable is True:
        parts.append("NULLABLE")
    if any(u.columns == (c.name,) and u.where is None for u in t.unique):
        parts.append("UNIQUE")
    if c.default is not None:
        parts.append(f"DEFAULT {c.default}")
    for fk in t.foreign_keys:
        if fk.columns == (c.name,):
            ref = f"FK → {fk.ref_table}.{fk.ref_columns[0]}" if fk.ref_columns else f"FK → {fk.ref_table}"
            if fk.on_delete:
                ref += f" (ON DELETE {fk.on_delete.upper()})"
            parts.append(ref)
    return ", ".join(parts)


def to_markdown(schema: Schema) -> str:
    """A whole document: the diagram, then a section with a column table per table."""
    out = ["# Schema", "", "```mermaid", to_mermaid(schema).rstrip("\n"), "```", ""]
    for t in schema.tables:
        # A code-marked heading names the table even when it is a word like "notes" or "policies".
        out += [f"## `{t.name}`", "", "| Column | Type | Constraints | Description |", "|---|---|---|---|"]
        for c in t.columns:
            desc = " | ".join(c.enum) if c.enum else ""
            desc = desc.replace("|", "\\|")
            out.append(f"| {c.name} | {_type_text(c)} | {_constraints(t, c)} | {desc} |")
        extra = [
            f"- UNIQUE({', '.join(u.columns)})" + (f" WHERE {u.where}" if u.where else "")
            for u in t.unique
            if len(u.columns) > 1 or u.where
        ]
        if len(t.primary_key) > 1:
            extra.insert(0, f"- PRIMARY KEY({', '.join(t.primary_key)})")
        if extra:
            out += ["", "**Constraints:**", "", *extra]
        out.append("")
    return "\n".join(out)
