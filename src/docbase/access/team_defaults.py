"""Access defaults a team expects, inferred from structure and each switchable in ``[access.defaults]``.

- ``teammate_profiles``: the users table (and a one-row-per-user ``profiles``
  table) is read by the user and by everyone who shares a tenant with
  them (rule ``teammate``), so an embed of a teammate's profile is not
  null; its private columns (email, phone, address, birth date, roles,
  bans, verification, plan and money, secrets) are then hidden from every
  role but service_role, the user included (their own email and phone come
  from ``/auth/v1/user``). ``[access.tables.<users>] hidden = [...]`` names
  the hidden columns instead.
- ``admin_deletes_top_level``: a table whose rows belong straight to the
  tenant and have rows of their own (``projects`` under ``organizations``,
  with ``tasks`` beneath) is deleted by an admin of the tenant, not by any
  writer: one DELETE would take every row below with it. Writers still
  delete the leaf rows they may edit.
- ``admins_manage_tenant_keys``: an API key scoped to a tenant (its key
  table's foreign key to the tenant root is set) is listed and revoked by
  that tenant's admins as well as by the user who made it, so a departing
  admin's CI key can be found and turned off. The key hash stays hidden.

Each default applied is a located warning (``design.md:12: warning: ...``)
that ``docbase inspect`` and ``docbase access`` print, naming the switch.
A per-table rule in ``[access.tables.<name>]`` always wins over a default.
"""

from __future__ import annotations

from dataclasses import replace

from ..document.diagnostics import Diagnostic, warning
from ..schema.model import Schema, Table
from .authority import classify, one_per_user
from .ledger import ledger_columns
from .model import KeyScope, TableAccess
from .names import words
from .overrides import AccessOverrides

TOP_LEVEL = "admin_deletes_top_level"
TENANT_KEYS = "admins_manage_tenant_keys"
TEAMMATES = "teammate_profiles"
_PRIVATE_WORDS = {
    "email", "mail", "phone", "mobile", "tel", "telephone", "sms", "whatsapp", "address", "street", "postcode",
    "zip", "postal", "birth", "birthday", "dob", "ssn", "tax", "passport", "ip", "login", "stripe", "customer",
    "billing", "payment", "card", "iban", "salary", "location", "latitude", "longitude",
}  # fmt: skip


def private_columns(table: Table, access: TableAccess) -> tuple[str, ...]:
    """Columns of a profile only its owner's system side should see: contact, identity, authority, money."""
    authority = {name for name, _ in classify(table, "users")} | set(ledger_columns(table, table.primary_key))
    out = []
    for column in table.columns:
        if column.name in table.primary_key or column.name == access.owner_column:
            continue
        if column.name in authority or set(words(column.name)) & _PRIVATE_WORDS:
            out.append(column.name)
    return tuple(out)


def _profile(access: TableAccess, table: Table) -> bool:
    """The users table, or a one-row-per-user table named for profiles."""
    if access.scope == "user":
        return True
    return (
        access.scope == "owned"
        and access.owner_column is not None
        and "profile" in words(table.name)
        and one_per_user(table, access.owner_column)
    )


def teammate_profiles(
    schema: Schema, decided: list[TableAccess], roots, ov: AccessOverrides, notes: list[Diagnostic]
) -> list[TableAccess]:
    """Profiles readable by teammates, private columns hidden (the default ``teammate_profiles``)."""
    if not roots or not ov.default_on(TEAMMATES):
        return decided
    out = []
    for access in decided:
        table = schema.table(access.table)
        override = ov.tables.get(access.table)
        named = override is not None and any(c == "select" for c, _ in override.rules)
        if table is None or named or access.rule("select") != "self" or not _profile(access, table):
            out.append(access)
            continue
        given = override is not None and override.hidden is not None
        private = () if given else private_columns(table, access)
        rules = tuple((c, "teammate" if c == "select" else r) for c, r in access.rules)
        hidden = tuple(dict.fromkeys(access.hidden_columns + private))
        out.append(replace(access, rules=rules, hidden_columns=hidden))
        tenants = ", ".join(r.table for r in roots)
        shown = [c.name for c in table.columns if c.name not in hidden]
        notes.append(
            warning(
                table.line,
                f"access: users who share a tenant ({tenants}) read each other's {access.table} rows "
                f"({', '.join(shown)}); "
                + (
                    f"{', '.join(private)} hidden from everyone but service_role (own email and phone: /auth/v1/user); "
                    if private
                    else ""
                )
                + f"switch off with [access.defaults] {TEAMMATES} = false in docbase.toml",
            )
        )
    return out


def children_of(schema: Schema, table: str) -> tuple[str, ...]:
    """Tables with a foreign key to ``table`` (itself left out), in document order."""
    return tuple(
        t.name for t in schema.tables if t.name != table and any(fk.ref_table == table for fk in t.foreign_keys)
    )


def admin_deletes_top_level(
    schema: Schema, decided: list[TableAccess], ov: AccessOverrides, diags: list[Diagnostic]
) -> list[TableAccess]:
    """Top-level tenant rows with children: DELETE takes an admin (the default ``admin_deletes_top_level``)."""
    if not ov.default_on(TOP_LEVEL):
        return decided
    out = []
    for access in decided:
        table = schema.table(access.table)
        override = ov.tables.get(access.table)
        named = override is not None and any(c == "delete" for c, _ in override.rules)
        top = access.scope == "tenant" and len(access.path) == 1 and access.path[0].ref_table == access.tenant
        children = children_of(schema, access.table) if top and table is not None else ()
        if not children or named or access.rule("delete") not in ("member", "writer"):
            out.append(access)
            continue
        rules = tuple((c, "admin" if c == "delete" else r) for c, r in access.rules)
        out.append(replace(access, rules=rules))
        diags.append(
            warning(
                table.line,
                f"access: deleting a row of {access.table} takes an admin of {access.tenant} "
                f"({', '.join(children)} rows depend on it; writers still delete those); "
                f"switch off with [access.defaults] {TOP_LEVEL} = false in docbase.toml, "
                f'or set [access.tables.{access.table}] delete = "writer"',
            )
        )
    return out


def admins_manage_tenant_keys(
    schema: Schema, decided: list[TableAccess], keys: tuple[KeyScope, ...], ov: AccessOverrides, notes: list[Diagnostic]
) -> list[TableAccess]:
    """Tenant-scoped API keys listed and revoked by the tenant's admins too (``admins_manage_tenant_keys``)."""
    if not ov.default_on(TENANT_KEYS):
        return decided
    scopes = {k.table: k for k in keys}
    out = []
    for access in decided:
        key = scopes.get(access.table)
        override = ov.tables.get(access.table)
        named = override is not None and any(c in ("select", "update", "delete") for c, _ in override.rules)
        if key is None or named or access.rule("select") != "self":
            out.append(access)
            continue
        told = (
            f"a key with {key.tenant_column} set is also listed and revoked by the admins of that {key.root} row, "
            "whoever made it"
        )
        out.append(replace(access, admins_of=(key.tenant_column, key.root), authority_rule=access.authority_rule
                           + "; " + told))  # fmt: skip
        notes.append(
            warning(
                schema.table(access.table).line,  # type: ignore[union-attr] -- a key scope names a table
                f"access: {access.table}: {told} (never {', '.join(access.hidden_columns) or 'the key'}); switch off with "
                f"[access.defaults] {TENANT_KEYS} = false in docbase.toml",
            )
        )
    return out
