"""The schema JSON of DESIGN.md (``docbase inspect --json``), and back.

The documented keys come first and keep their meaning; extra keys
(``length``, ``raw_type``, ``comment``, ``notes``...) add detail for tools
that want it. ``from_json`` rebuilds the model, so a saved schema can be
compared with a later one.
"""

from __future__ import annotations

from typing import Any

from ..document.diagnostics import Diagnostic
from .model import Check, Column, Enum, ForeignKey, Index, IndexColumn, Policy, Routine, Schema, Table, UniqueConstraint


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


def from_json(data: dict[str, Any]) -> Schema:
    """Rebuild a model from ``to_json`` output (lines and notes included)."""
    tables = []
    for t in data["tables"]:
        columns = tuple(
            Column(
                name=c["name"],
                type=c["type"],
                line=c.get("line", 0),
                nullable=c.get("nullable"),
                default=c.get("default"),
                enum=tuple(c["enum"]) if c.get("enum") is not None else None,
                examples=tuple(c["examples"]) if c.get("examples") is not None else None,
                inferred=c.get("inferred", False),
                length=c.get("length"),
                precision=c.get("precision"),
                scale=c.get("scale"),
                item_type=c.get("item_type"),
                dimension=c.get("dimension"),
                enum_name=c.get("enum_name"),
                raw_type=c.get("raw_type"),
                comment=c.get("comment"),
                notes=tuple(c.get("notes", ())),
                check=c.get("check"),
            )
            for c in t["columns"]
        )
        tables.append(
            Table(
                name=t["name"],
                columns=columns,
                primary_key=tuple(t.get("primary_key", ())),
                foreign_keys=tuple(
                    ForeignKey(
                        tuple(f["columns"]),
                        f["ref_table"],
                        tuple(f["ref_columns"]),
                        f.get("on_delete"),
                        f.get("on_update"),
                        f.get("name"),
                        inferred=f.get("inferred", False),
                    )
                    for f in t.get("foreign_keys", ())
                ),
                unique=tuple(
                    UniqueConstraint(tuple(u["columns"]), u.get("where"), u.get("name")) for u in t.get("unique", ())
                ),
                indexes=tuple(
                    Index(
                        tuple(
                            IndexColumn(n, n in i.get("desc", ()), n in i.get("expressions", ())) for n in i["columns"]
                        ),
                        i.get("name"),
                        i.get("unique", False),
                        i.get("method"),
                        i.get("where"),
                    )
                    for i in t.get("indexes", ())
                ),
                checks=tuple(Check(c["expression"], c.get("name")) for c in t.get("checks", ())),
                rls=t.get("rls", False),
                line=t.get("line", 0),
                section=tuple(t.get("section", ())),
                comment=t.get("comment"),
                notes=tuple(t.get("notes", ())),
            )
        )
    return Schema(
        tables=tuple(tables),
        enums=tuple(Enum(e["name"], tuple(e["values"]), e.get("line", 0)) for e in data.get("enums", ())),
        policies=tuple(
            Policy(
                p["name"],
                p["table"],
                p.get("command", "ALL"),
                tuple(p.get("roles", ())),
                p.get("permissive", True),
                p.get("using"),
                p.get("check"),
                line=p.get("line", 0),
            )
            for p in data.get("policies", ())
        ),
        routines=tuple(
            Routine(r["kind"], r["name"], "", r.get("table"), r.get("line", 0)) for r in data.get("routines", ())
        ),
        diagnostics=tuple(Diagnostic(d["level"], d["line"], d["message"]) for d in data.get("diagnostics", ())),
    )
