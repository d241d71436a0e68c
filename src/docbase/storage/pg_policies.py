"""PostgreSQL: the storage rules as row-level security on ``storage.objects``, for SQL that reaches the table directly.

docbase's own routes decide in Python (:mod:`.rules`) and connect as the table owner;
these policies make the same decision for anyone who queries ``storage.objects`` as
``anon`` or ``authenticated`` with Supabase's ``request.jwt.claims`` (``auth.uid()``),
so a role granted the table still sees only what the routes would serve.

The decision lives in one plpgsql function, ``storage.docbase_may(bucket, name,
action)``: plpgsql bodies are not dependency-tracked, so a later migration may still
drop or rename the membership table (the function then denies, it never errors open).
Built here as text (pure, golden-testable), applied idempotently on first use.
"""

from __future__ import annotations

from ..access import TenantRoot
from .rules import StorageRules

SCHEMA = "storage"
WRITER_LEVELS = ("writer", "admin", "owner")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _tenant_check(root: TenantRoot, write: bool) -> str:
    m = f"public.{_q(root.membership)}"
    cond = [f"m.{_q(root.member_user)}::text = uid::text", f"lower(m.{_q(root.member_tenant)}::text) = head"]
    if write and root.role_column:
        names = root.names_at_least("writer") or ("",)
        listed = ", ".join(_lit(n) for n in names)
        if root.role_lookup:
            lt, lk, ln = root.role_lookup
            cond.append(
                f"m.{_q(root.role_column)} IN (SELECT r.{_q(lk)} FROM public.{_q(lt)} r WHERE r.{_q(ln)}::text IN ({listed}))"
            )
        else:
            cond.append(f"m.{_q(root.role_column)}::text IN ({listed})")
    return f"EXISTS (SELECT 1 FROM {m} m WHERE {' AND '.join(cond)})"


def function_sql(roots: tuple[TenantRoot, ...], rules: StorageRules) -> str:
    """``storage.docbase_may(bucket, name, action)``: the route's decision, for the caller in the JWT claims."""
    reads = {n: r.read for n, r in rules.buckets.items()}
    writes = {n: r.write for n, r in rules.buckets.items()}

    def branch(action: str, table: dict[str, str]) -> str:
        lines = []
        for bucket, rule in sorted(table.items()):
            if rule == "prefix":
                continue
            verdict = {"public": "true", "authenticated": "uid IS NOT NULL", "service_role": "false"}[rule]
            lines.append(f"    IF bucket = {_lit(bucket)} THEN RETURN {verdict}; END IF;")
        return "\n".join(lines)

    read_tenants = " OR ".join(_tenant_check(r, False) for r in roots) or "false"
    write_tenants = " OR ".join(_tenant_check(r, True) for r in roots) or "false"
    return f"""CREATE OR REPLACE FUNCTION {SCHEMA}.docbase_may(bucket text, name text, action text)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
  uid uuid;
  head text;
BEGIN
  BEGIN
    uid := auth.uid();
  EXCEPTION WHEN others THEN
    uid := NULL;
  END;
  IF action = 'read' THEN
    IF EXISTS (SELECT 1 FROM {SCHEMA}.buckets b WHERE b.id = bucket AND b.public) THEN RETURN true; END IF;
{branch("read", reads)}
  ELSE
{branch("write", writes)}
  END IF;
  IF uid IS NULL OR position('/' in name) = 0 THEN
    RETURN false;
  END IF;
  head := lower(split_part(name, '/', 1));
  IF head = lower(uid::text) THEN
    RETURN true;
  END IF;
  BEGIN
    IF action = 'read' THEN
      RETURN {read_tenants};
    END IF;
    RETURN {write_tenants};
  EXCEPTION WHEN undefined_table OR undefined_column THEN
    RETURN false;  -- the membership table changed since: deny
  END;
END
$fn$"""


def policies_sql(roots: tuple[TenantRoot, ...], rules: StorageRules) -> list[str]:
    """Every statement, idempotent: the function, grants, RLS on both tables and their policies."""
    o, b = f"{SCHEMA}.objects", f"{SCHEMA}.buckets"
    may_read = "storage.docbase_may(bucket_id, name, 'read')"
    may_write = "storage.docbase_may(bucket_id, name, 'write')"
    policies = [
        (o, "docbase_objects_select", "SELECT", "anon, authenticated", f"USING ({may_read})"),
        (o, "docbase_objects_insert", "INSERT", "authenticated", f"WITH CHECK ({may_write})"),
        (o, "docbase_objects_update", "UPDATE", "authenticated", f"USING ({may_write}) WITH CHECK ({may_write})"),
        (o, "docbase_objects_delete", "DELETE", "authenticated", f"USING ({may_write})"),
        (o, "docbase_objects_service", "ALL", "service_role", "USING (true) WITH CHECK (true)"),
        (
            b,
            "docbase_buckets_select",
            "SELECT",
            "anon, authenticated",
            "USING (public OR current_setting('role', true) = 'authenticated')",
        ),  # fmt: skip
        (b, "docbase_buckets_service", "ALL", "service_role", "USING (true) WITH CHECK (true)"),
    ]
    out = [
        function_sql(roots, rules),
        f"REVOKE ALL ON FUNCTION {SCHEMA}.docbase_may(text, text, text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.docbase_may(text, text, text) TO anon, authenticated, service_role",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO anon, authenticated, service_role",
        f"GRANT SELECT ON {o}, {b} TO anon, authenticated",
        f"GRANT INSERT, UPDATE, DELETE ON {o} TO authenticated",
        f"GRANT ALL ON {o}, {b} TO service_role",
        f"ALTER TABLE {o} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {b} ENABLE ROW LEVEL SECURITY",
    ]
    for table, name, command, roles, clause in policies:
        out.append(f"DROP POLICY IF EXISTS {name} ON {table}")
        out.append(f"CREATE POLICY {name} ON {table} FOR {command} TO {roles} {clause}")
    return out
