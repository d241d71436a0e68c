"""What the console shows about a schema: the model's JSON plus access, sections and relationships.

The page never re-derives meaning from column names: everything it draws
(sections, cardinalities, scopes, which columns are secret or filled in by
the server) is decided here from the model and ``docbase.access``, so the
explorer, the diagram and the forms agree with ``docbase inspect`` and
``docbase access``. The JSON is built once per app, not per request.
"""

from __future__ import annotations

from typing import Any

from ..access import AccessModel, AccessOverrides, build_access
from ..conventions.files import file_columns, files_bucket
from ..ddl.defaults import default_sql
from ..schema.export import to_json
from ..schema.model import ForeignKey, Schema, Table
from .rules import table_rules

UNSECTIONED = "(no section)"


def console_data(
    schema: Schema,
    overrides: AccessOverrides | None = None,
    anon_key: str | None = None,
    toml: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The document as the console needs it.

    Args:
        schema: the model being served.
        overrides: access overrides from ``docbase.toml`` (as ``docbase access`` reads them).
        anon_key: the project's public anon key, so the sign-in form can call /auth/v1.
            Never pass the service key: this JSON is readable by anyone who can load the page.
        toml: ``docbase.toml`` as a dict (file columns switched off there are plain text; the bucket).

    Returns:
        ``to_json(schema)`` with, per column, ``server_default`` (the default the database
        really has, docbase's id and timestamp conventions included), per table, ``section_path``, ``access`` and ``conventions``,
        plus top-level ``sections`` (ordered groups of table names), ``relationships``
        (every foreign key with its cardinality), ``access`` (roots and users table),
        ``document`` (the document's file name), per file column ``file`` (``url``, ``path`` or
        ``id``: what an upload writes into it) and ``files_bucket`` (where the console uploads).
    """
    data = to_json(schema)
    model = build_access(schema, overrides)
    files = {(f.table, f.column): f for f in file_columns(schema, toml)}
    access_rows = {row["name"]: row for row in model.as_dict()["tables"]}
    rules = table_rules(schema, model, toml)
    for table, entry in zip(schema.tables, data["tables"], strict=True):
        entry["section_path"] = section_of(table)
        entry["access"] = access_rows.get(table.name)
        entry["conventions"] = conventions(table, model)
        entry["rules"] = rules.get(table.name, [])  # quotas, ledgers, RBAC (docbase.rules)
        entry["file_folder"] = file_folder(table, model)
        for column, col_entry in zip(table.columns, entry["columns"], strict=True):
            col_entry["server_default"] = default_sql(column, "postgresql", table)[0]
            found = files.get((table.name, column.name))
            if found is not None:
                col_entry["file"] = found.kind
                entry["conventions"].append({"name": "file", "column": column.name, "text": found.why})
            if not column.default and col_entry["server_default"]:
                entry["conventions"].append(
                    {
                        "name": "generated",
                        "column": column.name,
                        "text": f"filled in by the database: {col_entry['server_default']}",
                    }
                )
    data["sections"] = sections(schema)
    data["relationships"] = [relationship(t, fk, schema) for t in schema.tables for fk in t.foreign_keys]
    data["access"] = _access_summary(model)
    data["document"] = schema.path.rsplit("/", 1)[-1]
    data["anon_key"] = anon_key
    data["files_bucket"] = files_bucket(toml)
    return data


def section_of(table: Table) -> str:
    """The heading trail a table sits under, ``A / B``; ``(no section)`` before any heading."""
    return " / ".join(table.section) if table.section else UNSECTIONED


def sections(schema: Schema) -> list[dict[str, Any]]:
    """Tables grouped by their section, in the document's order of first appearance."""
    groups: dict[str, list[str]] = {}
    for table in sorted(schema.tables, key=lambda t: t.line):
        groups.setdefault(section_of(table), []).append(table.name)
    return [{"name": name, "tables": names} for name, names in groups.items()]


def relationship(table: Table, fk: ForeignKey, schema: Schema) -> dict[str, Any]:
    """One foreign key as a diagram edge: ``many-to-one`` unless its columns are unique (``one-to-one``).

    ``optional`` is true when a child row may exist without a parent (a nullable
    foreign-key column), i.e. the parent end reads "zero or one".
    """
    columns = set(fk.columns)
    unique_sets = [set(table.primary_key)] + [set(u.columns) for u in table.unique]
    unique_sets += [set(i.column_names) for i in table.indexes if i.unique and not i.where]
    one = any(s and s <= columns for s in unique_sets)
    optional = any((c := table.column(name)) is not None and c.is_nullable for name in fk.columns)
    target = schema.table(fk.ref_table)
    return {
        "from": table.name,
        "columns": list(fk.columns),
        "to": fk.ref_table,
        "ref_columns": list(fk.ref_columns) or (list(target.primary_key) if target else []),
        "cardinality": "one-to-one" if one else "many-to-one",
        "optional": optional,
        "on_delete": fk.on_delete,
        "inferred": fk.inferred,
        "known_target": target is not None,
    }


def file_folder(table: Table, model: AccessModel) -> dict[str, str]:
    """Where an upload into this table's file columns goes first: the row's tenant, else the user's own folder.

    Storage lets a tenant's members read ``<tenant id>/...`` and a user read ``<user id>/...``
    (docbase.storage.rules), so a logo uploaded for an organisation goes under the organisation's id,
    where its teammates can see it: ``{"column": name}`` is the row's column holding that id; ``{"user":
    "sub"}`` means the signed-in user's id (a row whose tenant is more than one hop away, or none).
    """
    access = model.table(table.name)
    if access is not None and access.scope == "tenant_root":
        root = model.root(table.name)
        if root is not None:
            return {"column": root.key}
    if access is not None and access.tenant and len(access.path) == 1 and len(access.path[0].columns) == 1:
        return {"column": access.path[0].columns[0]}
    return {"user": "sub"}


def conventions(table: Table, model: AccessModel | None) -> list[dict[str, str]]:
    """What docbase does for this table beyond its columns, each with the column it concerns."""
    found: list[dict[str, str]] = []
    access = model.table(table.name) if model else None
    if access is not None:
        for name in access.hidden_columns:
            found.append({"name": "secret", "column": name, "text": "never returned to ordinary users"})
        for name in access.creator_columns:
            found.append({"name": "creator", "column": name, "text": "filled in with the signed-in user"})
        if access.owner_column and access.owner_column not in access.creator_columns:
            found.append({"name": "owner", "column": access.owner_column, "text": "rows belong to this user"})
    return found


def _access_summary(model: AccessModel) -> dict[str, Any]:
    full = model.as_dict()
    return {"users_table": full["users_table"], "roots": full["roots"], "diagnostics": full["diagnostics"]}
