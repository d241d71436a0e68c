"""OpenAPI 3.1 for ``/rest/v1``, generated from the model, and a self-contained docs page.

PostgREST still serves Swagger 2.0; this is 3.1 so current tools read it.
Each table gets a schema (types, enums, nullability, the document's
description) and the five methods with PostgREST's parameters. The docs
page at ``/docs`` renders the spec with a few lines of inline JavaScript:
no CDN, so it works offline.

Like PostgREST's (``openapi-mode = follow-privileges``), the description is
the caller's: a table appears only with the methods the role may use, and
without its hidden columns (secrets, password hashes); a table the role may
not touch at all is left out. service_role sees everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..access.decide import Access, ServiceRoleOnly
from ..access.principal import Principal
from ..schema.model import Column, Table
from .catalog import Catalog

_TYPES: dict[str, dict[str, Any]] = {
    "uuid": {"type": "string", "format": "uuid"},
    "text": {"type": "string"},
    "varchar": {"type": "string"},
    "integer": {"type": "integer", "format": "int32"},
    "bigint": {"type": "integer", "format": "int64"},
    "smallint": {"type": "integer", "format": "int16"},
    "numeric": {"type": "number"},
    "float": {"type": "number", "format": "double"},
    "boolean": {"type": "boolean"},
    "timestamp": {"type": "string", "format": "timestamp without time zone"},  # no offset: not RFC 3339
    "timestamptz": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "interval": {"type": "string"},
    "json": {},
    "jsonb": {},
    "bytes": {"type": "string"},
    "inet": {"type": "string"},
    "array": {"type": "array"},
    "vector": {"type": "array", "items": {"type": "number"}},
    "enum": {"type": "string"},
}


def column_schema(column: Column) -> dict[str, Any]:
    schema = dict(_TYPES.get(column.type, {"type": "string"}))
    if column.type == "array":
        schema["items"] = dict(_TYPES.get(column.item_type or "text", {}))
    if column.enum:
        schema["enum"] = list(column.enum)
    if column.length:
        schema["maxLength"] = column.length
    if column.is_nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    description = column.comment or "; ".join(column.notes)
    if description:
        schema["description"] = description
    return schema


def table_schema(table: Table, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    columns = [c for c in table.columns if c.name not in hidden]
    required = [
        c.name for c in columns if c.nullable is False and c.default is None and not (table.primary_key == (c.name,))
    ]
    out: dict[str, Any] = {
        "type": "object",
        "properties": {c.name: column_schema(c) for c in columns},
    }
    if required:
        out["required"] = required
    if table.comment:
        out["description"] = table.comment
    return out


def _param(name: str, description: str, schema: dict[str, Any] | None = None, where: str = "query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_COMMON = [
    _param("select", "Columns and embedded resources, e.g. id,name,author:users(*)"),
    _param("order", "e.g. created_at.desc.nullslast,id"),
    _param("limit", "Rows to return", {"type": "integer", "minimum": 0}),
    _param("offset", "Rows to skip", {"type": "integer", "minimum": 0}),
    _param("or", "Logic tree, e.g. (a.eq.1,b.gt.2)"),
    _param("Range", "Rows as 0-9", where="header"),
    _param("Prefer", "return=minimal|representation, count=exact, resolution=merge-duplicates", where="header"),
]

_ERROR = {
    "description": "PostgREST error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


_METHODS = {"get": "select", "post": "insert", "patch": "update", "delete": "delete"}


def allowed_methods(gate: Access, table: str, role: str) -> list[str]:
    """The HTTP methods ``role`` may use on ``table``."""
    who = Principal(role)  # the role as such: a document's endpoints, whatever a request's key or session level
    return [method for method, command in _METHODS.items() if gate.allows(table, command, who)]


def openapi_document(
    catalog: Catalog,
    server: str = "",
    gate: Access | None = None,
    role: str = "service_role",
    rpcs: list[dict[str, Any]] | None = None,
) -> dict:
    """The spec as ``role`` may see it through ``gate`` (default: no rules, so service_role sees everything);
    ``rpcs`` (docbase.conventions.rpc.describe) become ``POST /rest/v1/rpc/<name>``."""
    gate = gate if gate is not None else ServiceRoleOnly(catalog.columns)
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {k: {"type": ["string", "null"]} for k in ("code", "message", "details", "hint")},
        }
    }
    default = catalog.exposed[0]  # the schema a request without Accept-Profile reads
    for name, table in catalog.tables.items():
        schema_name, _, bare = name.rpartition(".")
        if (schema_name or "public") != default:
            continue
        methods = allowed_methods(gate, name, role)
        if not methods:
            continue
        hidden = gate.hidden(name, role)
        schemas[name] = table_schema(table, hidden)
        ref = {"$ref": f"#/components/schemas/{name}"}
        filters = [
            _param(
                c.name,
                f"Filter on {c.name}: op.value with eq neq gt gte lt lte like ilike in is cs cd ov, or not.op.value",
            )
            for c in table.columns
            if c.name not in hidden
        ]
        rows = {"content": {"application/json": {"schema": {"type": "array", "items": ref}}}}
        body = {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": [ref, {"type": "array", "items": ref}]}}},
        }
        errors = {code: _ERROR for code in ("300", "400", "401", "403", "406", "409", "413", "416", "503")}
        summary = table.comment or f"Rows of {name}"
        operations = {
            "get": {
                "summary": summary,
                "tags": [name],
                "parameters": _COMMON + filters,
                "responses": {
                    "200": {"description": "Rows", **rows},
                    "206": {"description": "Partial rows", **rows},
                    **errors,
                },
            },
            "post": {
                "summary": f"Insert into {name}",
                "tags": [name],
                "parameters": [
                    _COMMON[0],
                    _COMMON[-1],
                    _param("on_conflict", "Upsert target columns"),
                    _param("columns", "Columns to take from the body"),
                ],
                "requestBody": body,
                "responses": {
                    "201": {"description": "Created; rows in the body only with Prefer: return=representation"},
                    **errors,
                },
            },
            "patch": {
                "summary": f"Update {name}",
                "tags": [name],
                "parameters": [_COMMON[0], _COMMON[-1]] + filters,
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {
                    "200": {"description": "Updated rows (Prefer: return=representation)"},
                    "204": {"description": "Updated"},
                    **errors,
                },
            },
            "delete": {
                "summary": f"Delete from {name}",
                "tags": [name],
                "parameters": [_COMMON[0], _COMMON[-1]] + filters,
                "responses": {
                    "200": {"description": "Deleted rows (Prefer: return=representation)"},
                    "204": {"description": "Deleted"},
                    **errors,
                },
            },
        }
        paths[f"/rest/v1/{bare}"] = {method: operations[method] for method in methods}
    for rpc in rpcs or () if role != "anon" else ():
        body = {
            "type": "object",
            "properties": {k: {"description": v} for k, v in rpc["parameters"].items()},
            "required": rpc["required"],
            "additionalProperties": rpc["more"],
        }
        paths[f"/rest/v1/rpc/{rpc['name']}"] = {
            "post": {
                "summary": rpc["summary"],
                "tags": ["rpc"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {
                    "200": {"description": "The function's result"},
                    **{code: _ERROR for code in ("400", "401", "403", "404")},
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "docbase REST API",
            "version": "1.0.0",
            "description": f"Generated from {Path(catalog.schema.path).name}",  # not the server's directories
        },
        "servers": [{"url": server or "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apikey": {"type": "apiKey", "in": "header", "name": "apikey"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
        "security": [{"apikey": []}, {"apikey": [], "bearer": []}],
        "paths": paths,
    }


DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>docbase API</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;max-width:70rem}
h2{border-bottom:1px solid #ccc}code{background:#f4f4f4;padding:0 .2em}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
.m{font-weight:bold;text-transform:uppercase;margin-right:.5em}
</style></head><body>
<h1>docbase REST API</h1>
<p>Send <code>apikey: &lt;key&gt;</code> with every request (<code>docbase keys DOC</code> prints the keys).
Spec: <a href="/rest/v1/">/rest/v1/</a> (OpenAPI 3.1).</p>
<label>apikey <input id="key" size="60"></label> <button id="load">Describe for this key</button>
<div id="out">Loading...</div>
<script>
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
async function tryIt(path, pre){
  const r = await fetch(path, {headers:{apikey:document.getElementById("key").value}});
  pre.textContent = r.status + "\\n" + await r.text();
}
function describe(){
const key = document.getElementById("key").value.trim();
fetch("/rest/v1/", {headers: key ? {apikey: key} : {}}).then(r => r.json()).then(spec => {
  let html = "";
  for (const [path, ops] of Object.entries(spec.paths)) {
    const name = path.split("/").pop(), s = spec.components.schemas[name];
    if (!s) { html += `<h2>rpc/${esc(name)}</h2><p><span class=m>post</span><code>${esc(path)}</code> ${esc(ops.post.summary)}</p>`; continue; }
    html += `<h2>${esc(name)}</h2><p>${Object.keys(ops).map(m => `<span class=m>${m}</span>`).join("")}<code>${esc(path)}</code></p>`;
    html += "<table><tr><th>column</th><th>type</th><th>notes</th></tr>";
    for (const [col, c] of Object.entries(s.properties)) {
      const t = [].concat(c.type || "json").join(" | ") + (c.format ? ` (${c.format})` : "");
      html += `<tr><td>${esc(col)}</td><td>${esc(t)}</td><td>${esc((c.enum ? "one of " + c.enum.join(", ") + ". " : "") + (c.description || ""))}</td></tr>`;
    }
    html += `</table><p><button data-p="${esc(path)}?limit=5">GET ${esc(path)}?limit=5</button></p><pre></pre>`;
  }
  const out = document.getElementById("out");
  out.innerHTML = html;
  out.querySelectorAll("button").forEach(b => b.onclick = () => tryIt(b.dataset.p, b.parentNode.nextElementSibling));
});
}
document.getElementById("load").onclick = describe;
describe();
</script></body></html>
"""
