"""The schema JSON of DESIGN.md (``docbase inspect --json``), and back.

The documented keys come first and keep their meaning; extra keys
(``length``, ``raw_type``, ``comment``, ``notes``...) add detail for tools
that want it.
"""

from __future__ import annotations

from typing import Any

from .model import Column, Schema, Table


def to_json(schema: Schema) -> dict[str, Any]:
    return {
        "tables": [_table(t) for t in schema.tables],
        "enums": [{"name": e.name, "values": list(e.values), "line": e.line} for e in schema.enums],
        "policies": [
            {
                "name": p.name,
                "table": p.table,
                "command": p.command,
                "roles": list(p.roles),
                "permissive": p.permissive,
                "using": p.using,
                "check": p.check,
                "line": p.line,
            }
            for p in schema.policies
        ],
        "routines": [{"kind": r.kind, "name": r.name, "table": r.table, "line": r.line} for r in schema.routines],
        "diagnostics": [d.as_dict() for d in schema.diagnostics],
    }


def _column(c: Column) -> dict[str, Any]:
    return {
        "name": c.name,
        "type": c.type,
        "nullable": c.nullable,
        "default": c.default,
        "enum": list(c.enum) if c.enum is not None else None,
        "examples": list(c.examples) if c.examples is not None else None,
        "inferred": c.inferred,
        "line": c.line,
        "length": c.length,
        "precision": c.precision,
        "scale": c.scale,
        "item_type": c.item_type,
        "dimension": c.dimension,
        "enum_name": c.enum_name,
        "raw_type": c.raw_type,
        "check": c.check,
        "comment": c.comment,
        "notes": list(c.notes),
    }


def _table(t: Table) -> dict[str, Any]:
    return {
        "name": t.name,
        "line": t.line,
        "section": list(t.section),
        "columns": [_column(c) for c in t.columns],
        "primary_key": list(t.primary_key),
        "foreign_keys": [
            {
                "columns": list(fk.columns),
                "ref_table": fk.ref_table,
                "ref_columns": list(fk.ref_columns),
                "on_delete": fk.on_delete,
                "on_update": fk.on_update,
                "name": fk.name,
                "inferred": fk.inferred,
            }
            for fk in t.foreign_keys
        ],
        "unique": [{"columns": list(u.columns), "where": u.where, "name": u.name} for u in t.unique],
        "indexes": [
            {
                "name": i.name,
                "columns": list(i.column_names),
                "unique": i.unique,
                "method": i.method,
                "where": i.where,
                "desc": [c.name for c in i.columns if c.desc],
                "expressions": [c.name for c in i.columns if c.expression],
            }
            for i in t.indexes
        ],
        "checks": [{"expression": c.expression, "name": c.name} for c in t.checks],
        "rls": t.rls,
        "comment": t.comment,
        "notes": list(t.notes),
    }
