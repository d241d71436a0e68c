"""Plan quotas: a plan-limit table's ``max_<things>`` caps how many ``<things>`` rows a tenant may have.

The shape, in any spelling (snake_case or camelCase):

- a *plan table* with a column naming the plan (``plan``, ``name``, ``tier``...) and integer limit
  columns ``max_<things>``, ``maxThings`` or ``<things>_limit``;
- a *tenant table* that says which plan it is on, either by value (``subscription_plan``,
  ``plan``, ``tier``: text matching the plan table's plan column) or by key (``plan_id``
  referencing the plan table);
- a *things table* whose rows belong to a tenant through a foreign key.

Then inserting a thing when the tenant already has ``limit`` of them is refused. A tenant without
a plan, a plan without a row, or a NULL limit means no limit. A limit column that names no table,
or a table that does not belong to the tenant, is not enforced and says so (a :class:`QuotaNote`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schema.model import Column, Schema, Table
from ..schema.names import singular, words
from .columns import column_named

PLAN_NAME_COLUMNS = ("plan", "plan_name", "name", "tier", "slug", "code", "key", "plan_key", "plan_code")
TENANT_PLAN_COLUMNS = ("subscription_plan", "plan", "plan_name", "tier", "subscription_tier", "billing_plan")
INTEGER_TYPES = ("integer", "bigint", "smallint")
SOFT_DELETE_FLAGS = ("is_deleted", "deleted")
SOFT_DELETE_STAMPS = ("deleted_at", "deleted_on")


@dataclass(frozen=True)
class Quota:
    """One enforced limit: rows of ``table`` per tenant, capped by ``plan_table.limit``."""

    table: str  # the things
    tenant_column: str  # things.<fk> -> tenant
    tenant_table: str
    tenant_key: str  # tenant's referenced column
    plan_table: str
    limit: str  # the plan table's limit column
    plan_column: str  # the plan table's column the tenant points at (its name, or its key)
    tenant_plan: str  # the tenant's column holding the plan name or key
    live: str | None  # SQL condition (on the things table) that counts only rows not soft-deleted
    line: int  # the limit column's line

    @property
    def name(self) -> str:
        return f"{self.table}.{self.limit}"

    def why(self) -> str:
        by = f"{self.tenant_table}.{self.tenant_plan} = {self.plan_table}.{self.plan_column}"
        return (
            f"at most {self.plan_table}.{self.limit} rows of {self.table} per {self.tenant_table} "
            f"(through {self.table}.{self.tenant_column}; plan found by {by}; no plan or a NULL limit: unlimited)"
        )


@dataclass(frozen=True)
class QuotaNote:
    """A limit column that looks like a quota but is not enforced, and why."""

    plan_table: str
    limit: str
    line: int
    message: str


def limit_subject(column: Column) -> tuple[str, ...] | None:
    """The words a limit column counts: ``maxMonitors`` / ``max_monitors`` / ``monitors_limit`` -> ('monitors',)."""
    if column.type not in INTEGER_TYPES:
        return None
    ws = words(column.name)
    if len(ws) >= 2 and ws[0] == "max":
        return tuple(ws[1:])
    if len(ws) >= 2 and ws[-1] == "limit":
        return tuple(ws[:-1])
    return None


def _things_table(schema: Schema, subject: tuple[str, ...]) -> Table | None:
    """The table a subject names: all its words, then its last word (``team members`` -> ``members``)."""
    by_key = {tuple(singular(w) for w in words(t.name)): t for t in schema.tables}
    wanted = tuple(singular(w) for w in subject)
    for candidate in (wanted, wanted[-1:]):
        if candidate in by_key:
            return by_key[candidate]
    return None


def _tenant_link(schema: Schema, plan: Table, plan_name: Column | None) -> tuple[Table, str, str] | None:
    """(tenant table, its plan column, the plan table's column it matches): of the tables on a plan, the one
    most other tables belong to (an organization, not a pricing table that also has a ``plan`` column)."""
    found: list[tuple[int, int, Table, str, str]] = []
    for order, table in enumerate(schema.tables):
        if table.name == plan.name:
            continue
        link: tuple[str, str] | None = None
        for fk in table.foreign_keys:
            if fk.ref_table == plan.name and len(fk.columns) == 1:
                link = fk.columns[0], fk.ref_columns[0]
                break
        if link is None and plan_name is not None:
            column = column_named(table, *TENANT_PLAN_COLUMNS)
            if column is not None and (column.type in ("text", "varchar", "char") or column.enum):
                link = column.name, plan_name.name
        if link is not None:
            owned = sum(1 for t in schema.tables for fk in t.foreign_keys if fk.ref_table == table.name)
            found.append((-owned, order, table, *link))
    if not found:
        return None
    _, _, table, tenant_plan, plan_column = min(found, key=lambda f: (f[0], f[1]))
    return table, tenant_plan, plan_column


def _live_condition(table: Table) -> str | None:
    flag, stamp = column_named(table, *SOFT_DELETE_FLAGS), column_named(table, *SOFT_DELETE_STAMPS)
    if flag is not None and flag.type == "boolean":
        return f"{_quoted(flag.name)} IS NOT TRUE"
    if stamp is not None:
        return f"{_quoted(stamp.name)} IS NULL"
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def enabled(toml: dict[str, Any] | None, table: str) -> bool:
    """False when ``docbase.toml`` says ``[rules] quotas = false`` or ``[rules.<table>] quota = false``."""
    section = (toml or {}).get("rules", {})
    if not isinstance(section, dict):
        return True
    if section.get("quotas") is False:
        return False
    per_table = section.get(table)
    return not (isinstance(per_table, dict) and per_table.get("quota") is False)


def detect_quotas(schema: Schema, toml: dict[str, Any] | None = None) -> tuple[list[Quota], list[QuotaNote]]:
    """Every quota the document's tables state, and every limit-looking column that is not one (with why)."""
    quotas: list[Quota] = []
    notes: list[QuotaNote] = []
    for plan in schema.tables:
        limits = [(c, s) for c in plan.columns if (s := limit_subject(c)) is not None]
        if not limits:
            continue
        plan_name = column_named(plan, *PLAN_NAME_COLUMNS)
        link = _tenant_link(schema, plan, plan_name)
        if link is None:
            continue  # max_* columns in a table nobody is "on" are just numbers
        tenant, tenant_plan, plan_column = link
        for column, subject in limits:
            things = _things_table(schema, subject)
            if things is None:
                notes.append(QuotaNote(plan.name, column.name, column.line, f"no table named {' '.join(subject)}"))
                continue
            if things.name == tenant.name:
                message = f"{column.name} limits {tenant.name} itself (per user, not per {tenant.name}): not enforced"
                notes.append(QuotaNote(plan.name, column.name, column.line, message))
                continue
            fk = next((f for f in things.foreign_keys if f.ref_table == tenant.name and len(f.columns) == 1), None)
            if fk is None:
                message = f"{things.name} has no foreign key to {tenant.name}, so its rows cannot be counted per tenant"
                notes.append(QuotaNote(plan.name, column.name, column.line, message))
                continue
            if not enabled(toml, things.name):
                message = (
                    f"switched off in docbase.toml ([rules.{things.name}] quota = false or [rules] quotas = false)"
                )
                notes.append(QuotaNote(plan.name, column.name, column.line, message))
                continue
            quotas.append(
                Quota(
                    table=things.name,
                    tenant_column=fk.columns[0],
                    tenant_table=tenant.name,
                    tenant_key=fk.ref_columns[0],
                    plan_table=plan.name,
                    limit=column.name,
                    plan_column=plan_column,
                    tenant_plan=tenant_plan,
                    live=_live_condition(things),
                    line=column.line,
                )
            )
    return quotas, notes
