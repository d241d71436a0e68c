"""What happens to a tenant's files when the tenant's row is deleted: removed (default) or kept.

Objects under ``<bucket>/<tenant id>/...`` are readable by the tenant's members. When
the tenant row goes, its memberships go with it (the document's cascades), so nobody
but service_role could read those objects any more; still, they would linger, and a
tenant that asks to be deleted expects its files gone. So by default a trigger on each
tenant table deletes the object rows whose first folder is the deleted tenant's key, in
the deleting transaction, whoever deletes the row (the API, SQL, a cascade). Their bytes
become unreachable at once (a blob is only read through its row) and are removed from
the store by the sweep at the next start (``unreferenced blobs``), so a rolled-back
delete never loses a file.

``[storage] on_tenant_delete = "keep"`` keeps the objects instead (readable by
service_role only); the triggers are then dropped. ``inspect`` says which applies.

The trigger runs as its owner on PostgreSQL (SECURITY DEFINER, empty search_path): the
member deleting the tenant may not delete storage rows directly, and must not need to.
"""

from __future__ import annotations

from typing import Any

from ..access import TenantRoot
from ..ddl.checks import quote_ident, quote_literal
from ..settings import ConfigError

CHOICES = ("remove", "keep")
FUNCTION = "storage.docbase_forget_tenant"


def on_tenant_delete(toml: dict[str, Any] | None) -> str:
    """``remove`` or ``keep`` from ``[storage] on_tenant_delete``; anything else is a ConfigError."""
    section = (toml or {}).get("storage") or {}
    value = section.get("on_tenant_delete", "remove") if isinstance(section, dict) else "remove"
    if value not in CHOICES:
        raise ConfigError(f"docbase.toml: error: storage.on_tenant_delete = {value!r}; choose remove or keep")
    return value


def trigger_name(root: TenantRoot) -> str:
    return f"docbase_storage_forget_{root.table}"[:63]


def postgresql_sql(roots: tuple[TenantRoot, ...], mode: str) -> list[str]:
    """Statements that install (``remove``) or drop (``keep``) the triggers; safe to run again."""
    statements = []
    if mode == "remove":
        statements.append(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            "SET search_path = '' AS $$\n"
            "BEGIN\n"
            "  DELETE FROM storage.objects\n"
            "   WHERE position('/' in name) > 0\n"
            "     AND lower(split_part(name, '/', 1)) = lower(to_jsonb(OLD) ->> TG_ARGV[0]);\n"
            "  RETURN OLD;\n"
            "END $$"
        )
    for root in roots:
        drop = f"DROP TRIGGER IF EXISTS {quote_ident(trigger_name(root))} ON public.{quote_ident(root.table)}"
        statements.append(drop)
        if mode == "remove":
            statements.append(
                f"CREATE TRIGGER {quote_ident(trigger_name(root))} AFTER DELETE ON public.{quote_ident(root.table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({quote_literal(root.key)})"
            )
    return statements


def sqlite_sql(roots: tuple[TenantRoot, ...], mode: str) -> list[str]:
    """The same for SQLite: one trigger per tenant table (SQLite triggers take no arguments)."""
    statements = []
    for root in roots:
        statements.append(f"DROP TRIGGER IF EXISTS {quote_ident(trigger_name(root))}")
        if mode == "remove":
            statements.append(
                f"CREATE TRIGGER {quote_ident(trigger_name(root))} AFTER DELETE ON {quote_ident(root.table)} BEGIN\n"
                "  DELETE FROM storage_objects\n"
                "   WHERE instr(name, '/') > 0\n"
                f"     AND lower(substr(name, 1, instr(name, '/') - 1)) = lower(CAST(OLD.{quote_ident(root.key)} AS TEXT));\n"
                "END"
            )
    return statements


def notes(roots: tuple[TenantRoot, ...], lines: dict[str, int], mode: str, path: str) -> list[str]:
    """For ``inspect``: one located note per tenant table saying what deleting a row does to its files."""
    out = []
    for root in roots:
        article = "an" if root.table[:1].lower() in "aeiou" else "a"
        if mode == "remove":
            said = (
                f"deleting {article} {root.table} row removes its stored files (objects under <bucket>/<{root.key}>/); "
                'keep them with [storage] on_tenant_delete = "keep"'
            )
        else:
            said = (
                f"deleting {article} {root.table} row keeps its stored files (objects under <bucket>/<{root.key}>/), "
                "readable by service_role only ([storage] on_tenant_delete)"
            )
        out.append(f"{path}:{lines.get(root.table, 0)}: note: storage: {said}")
    return out
