"""Plan quotas (docbase.rules.quotas) as triggers, so every writer is held to them, not only the API.

PostgreSQL: a BEFORE INSERT trigger per quota whose function takes a
transaction-scoped advisory lock on (quota, tenant) before counting, so two
concurrent inserts at ``limit - 1`` cannot both pass; it runs as its owner
(SECURITY DEFINER) so it counts every row of the tenant, not only those the
caller may see, and raises ``P0001`` with the limit, the count and the plan
in message, detail and hint. SQLite: a BEFORE INSERT trigger that aborts with
a fixed message (SQLite's RAISE takes no expression; the API adds the detail and
hint, docbase.conventions.quota_sql.explained); writers are serialised by SQLite
itself, so the count cannot race.
"""

from __future__ import annotations

import hashlib

from .. import settings
from ..rules.quotas import Quota, detect_quotas
from ..schema.model import Schema
from ..schema.names import key
from .checks import quote_ident as q
from .checks import quote_literal as _literal

PREFIX = "docbase_quota_"


def trigger_name(quota: Quota) -> str:
    """Unique per database, at most 63 bytes: the things table and limit, hashed when long."""
    base = f"{PREFIX}{quota.table}_{quota.limit}".lower()
    if len(base) <= 63:
        return base
    return base[:50] + "_" + hashlib.sha1(base.encode()).hexdigest()[:12]


def message(quota: Quota) -> str:
    """What a refused insert says (the same words on both databases)."""
    return f"plan limit reached: {quota.plan_table}.{quota.limit} for this {key(quota.tenant_table).replace('_', ' ')}"


def detail(quota: Quota, used: object = "%s", allowed: object = "%s") -> str:
    """A refusal's detail; with the defaults, the ``format()`` pattern PostgreSQL's trigger fills."""
    return f"{used} rows of {quota.table} exist; the plan allows {allowed}."


def hint(quota: Quota, used: object = "%s", allowed: object = "%s") -> str:
    """A refusal's hint: the current count and the limit (defaults as :func:`detail`)."""
    return (
        f"Current count {used}, limit {allowed} ({quota.plan_table}.{quota.limit}). Move to a plan with a higher "
        "limit or remove rows first."
    )


def limit_query(quota: Quota, tenant_value: str) -> str:
    """The tenant's limit (NULL: unlimited), the tenant given as SQL (``NEW.col`` in a trigger, ``?`` in rpc/usage)."""
    return (
        f"SELECT p.{q(quota.limit)} FROM {q(quota.plan_table)} p JOIN {q(quota.tenant_table)} t "
        f"ON p.{q(quota.plan_column)} = t.{q(quota.tenant_plan)} WHERE t.{q(quota.tenant_key)} = {tenant_value}"
    )


def count_query(quota: Quota, tenant_value: str) -> str:
    """The tenant's live rows of the limited table, the tenant given as SQL like :func:`limit_query`."""
    live = f" AND {quota.live}" if quota.live else ""
    return f"SELECT count(*) FROM {q(quota.table)} WHERE {q(quota.tenant_column)} = {tenant_value}{live}"


def postgres(quota: Quota) -> list[str]:
    name = trigger_name(quota)
    tenant = f"NEW.{q(quota.tenant_column)}"
    function = f"""CREATE OR REPLACE FUNCTION {q(name)}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
DECLARE
  allowed bigint;
  used bigint;
BEGIN
  IF {tenant} IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended({_literal(name)} || ':' || {tenant}::text, 0));
  {limit_query(quota, tenant)} INTO allowed;
  IF allowed IS NULL THEN
    RETURN NEW;
  END IF;
  {count_query(quota, tenant)} INTO used;
  IF used >= allowed THEN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = {_literal(message(quota))},
      DETAIL = format({_literal(detail(quota))}, used, allowed),
      HINT = format({_literal(hint(quota))}, used, allowed);
  END IF;
  RETURN NEW;
END
$$"""
    trigger = f"CREATE TRIGGER {q(name)} BEFORE INSERT ON {q(quota.table)} FOR EACH ROW EXECUTE FUNCTION {q(name)}()"
    return [function, f"REVOKE ALL ON FUNCTION {q(name)}() FROM PUBLIC", trigger]


def sqlite(quota: Quota) -> list[str]:
    tenant = f"NEW.{q(quota.tenant_column)}"
    limit = f"({limit_query(quota, tenant)})"
    return [
        f"CREATE TRIGGER {q(trigger_name(quota))} BEFORE INSERT ON {q(quota.table)} "
        f"WHEN {tenant} IS NOT NULL AND {limit} IS NOT NULL AND ({count_query(quota, tenant)}) >= {limit} "
        f"BEGIN SELECT RAISE(ABORT, {_literal(message(quota))}); END"
    ]


def statements(quotas: list[Quota], dialect: str) -> list[str]:
    """Every quota trigger for an empty database (PostgreSQL: with its function)."""
    out: list[str] = []
    for quota in quotas:
        out.extend(postgres(quota) if dialect == "postgresql" else sqlite(quota))
    return out


def for_schema(schema: Schema, dialect: str) -> list[str]:
    """The quota triggers ``schema`` states, minus those ``docbase.toml`` beside its document switches off."""
    toml = settings.load_toml(schema.path if schema.path != "<document>" else None)
    return statements(detect_quotas(schema, toml)[0], dialect)
