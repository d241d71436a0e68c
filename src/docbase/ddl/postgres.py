"""PostgreSQL-only DDL: the auth shim, ENUM types, the document's own routines, RLS and policies.

The document's functions, triggers and policies are SQL already written for
PostgreSQL (seed 001 is a Supabase schema), so they run as written, after
the tables they name. Extensions come first because column defaults and
types may need them. SQLite has none of this; ``render`` says so in a
comment instead of guessing a translation.
"""

from __future__ import annotations

from importlib import resources

from ..schema.model import Policy, Routine, Schema
from .checks import quote_ident, quote_literal, quote_table
from .metadata import Built, pg_name


def auth_shim() -> str:
    """The SQL of ``auth_shim.sql`` (schema auth, auth.users, auth.uid/role/jwt, the three roles)."""
    return resources.files(__package__).joinpath("auth_shim.sql").read_text(encoding="utf-8")


def enum_types(schema: Schema, built: Built) -> list[tuple[str, tuple[str, ...]]]:
    """(name, values) of every ENUM type the tables use or the document declares, declared ones first."""
    found: dict[str, tuple[str, ...]] = {e.name: e.values for e in schema.enums}
    for table in built.metadata.tables.values():
        for col in table.columns:
            name = getattr(col.type, "name", None)
            enums = getattr(col.type, "enums", None)
            if name and enums is not None and name not in found:
                found[name] = tuple(enums)
    return list(found.items())


def create_enum(name: str, values: tuple[str, ...]) -> str:
    return f"CREATE TYPE {quote_ident(name)} AS ENUM ({', '.join(quote_literal(v) for v in values)})"


def external_foreign_keys(built: Built) -> list[str]:
    """Foreign keys to auth.users, added after the shim and the tables."""
    out = []
    for table, fk in built.external_fks:
        schema_name, _, ref = fk.ref_table.partition(".")
        cols = ", ".join(quote_ident(c) for c in fk.columns)
        refs = ", ".join(quote_ident(c) for c in (fk.ref_columns or ("id",)))
        name = quote_ident(fk.name or pg_name(table.rpartition(".")[2], fk.columns, "fkey"))
        sql = (
            f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {name} FOREIGN KEY ({cols}) "
            f"REFERENCES {quote_ident(schema_name)}.{quote_ident(ref)} ({refs})"
        )
        if fk.on_delete:
            sql += f" ON DELETE {fk.on_delete.replace('_', ' ').upper()}"
        if fk.on_update:
            sql += f" ON UPDATE {fk.on_update.replace('_', ' ').upper()}"
        out.append(sql)
    return out


def routines(schema: Schema, extensions: bool) -> list[str]:
    """The document's routines as written: extensions (``extensions=True``) or everything else.

    A view is followed by ``ALTER VIEW ... SET (security_invoker = true)`` unless the document sets
    ``security_invoker`` itself: a view owned by the migrating role would otherwise read its base
    tables past their row-level security (PostgreSQL 15's option; PostgREST's documentation asks the same).
    """
    out = []
    if extensions:  # a schema no table lives in may hold an extension (``create extension x schema extensions``)
        out.extend(_plain(r.sql) for r in schema.routines if is_create_schema(r) and not creates_schema(r, schema))
    for r in schema.routines:
        if (r.kind == "extension") != extensions or not r.sql.strip() or creates_schema(r, schema):
            continue
        if not extensions and is_create_schema(r):
            continue  # made above, before the extensions
        out.append(r.sql.strip().rstrip(";").strip())
        if r.kind == "view":
            out.extend(invoker_rights(r.name, r.sql))
    return out


def is_create_schema(routine: Routine) -> bool:
    return routine.kind == "other" and routine.sql.lstrip()[:13].upper().split() == ["CREATE", "SCHEMA"]


def _plain(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def creates_schema(routine: Routine, schema: Schema) -> bool:
    """``CREATE SCHEMA personal``: docbase creates the schemas its tables use itself (``IF NOT EXISTS``)."""
    if routine.kind != "other" or routine.sql.lstrip()[:13].upper().split() != ["CREATE", "SCHEMA"]:
        return False
    return any(t.name.startswith(routine.name + ".") for t in schema.tables)


def invoker_rights(view: str, sql: str) -> list[str]:
    """``ALTER VIEW ... SET (security_invoker = true)``, or nothing when the document chose it itself."""
    if "security_invoker" in sql.lower():
        return []
    name = ".".join(quote_ident(p) for p in view.split("."))
    return [f"ALTER VIEW {name} SET (security_invoker = true)"]


def row_security(schema: Schema) -> list[str]:
    """ENABLE ROW LEVEL SECURITY for each table the document marks, then its policies."""
    names = {t.name for t in schema.tables}
    out = [f"ALTER TABLE {quote_table(t.name)} ENABLE ROW LEVEL SECURITY" for t in schema.tables if t.rls]
    out.extend(policy_sql(p) for p in schema.policies if _bare(p.table) in names)
    return out


def _bare(table: str) -> str:
    return table.split(".", 1)[1] if table.startswith("public.") else table


def policy_sql(policy: Policy) -> str:
    """The policy as the document wrote it, or rebuilt from its parts when no SQL was kept."""
    if policy.sql.strip():
        return policy.sql.strip().rstrip(";").strip()
    sql = f"CREATE POLICY {quote_ident(policy.name)} ON {quote_ident(_bare(policy.table))}"
    sql += " AS PERMISSIVE" if policy.permissive else " AS RESTRICTIVE"
    sql += f" FOR {policy.command.upper()}"
    if policy.roles:
        sql += " TO " + ", ".join(r if r.lower() == "public" else quote_ident(r) for r in policy.roles)
    if policy.using:
        sql += f" USING ({policy.using})"
    if policy.check:
        sql += f" WITH CHECK ({policy.check})"
    return sql


GRANTS = """DO $$
BEGIN
  GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
  GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
  NULL;
END
$$"""


def schema_grants(name: str) -> str:
    """The roles use a second schema's tables as they use public's (PostgREST's db-schemas need USAGE)."""
    q = quote_ident(name)
    return f"""DO $$
BEGIN
  GRANT USAGE ON SCHEMA {q} TO anon, authenticated, service_role;
  GRANT ALL ON ALL TABLES IN SCHEMA {q} TO anon, authenticated, service_role;
  GRANT ALL ON ALL SEQUENCES IN SCHEMA {q} TO anon, authenticated, service_role;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
  NULL;
END
$$"""
