"""``docbase.toml`` overrides of the access model, checked before use.

    [access]
    tenant_root = "teams"                     # which table is the tenant
    roles = ["owner", "maintainer", "viewer"] # role names, highest first

    [access.defaults]                         # the access defaults docbase infers, each switchable
    teammate_profiles = false                 # members of a common tenant read each other's profile basics
    admin_deletes_top_level = false           # deleting a tenant's top-level rows with children takes an admin
    admins_manage_tenant_keys = false         # a tenant's admins list and revoke the API keys scoped to it

    [access.tables.plans]
    scope = "catalog"                         # user tenant_root membership tenant owned catalog private
    select = "anon"                           # or authenticated member writer admin owner self service_role
    hidden = ["internal_notes"]
    require_aal2 = true                       # or ["update", "delete"]: only sessions verified with MFA

A mistake here is a diagnostic naming the key, never a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import settings
from ..document.diagnostics import Diagnostic, error
from ..settings import load_toml
from .model import AUDIENCES, COMMANDS, SCOPES

AUDIENCE_CHOICES = ("anon",) + AUDIENCES
# The access defaults docbase infers on its own (docs/access.md), each on unless docbase.toml says false.
DEFAULTS = {
    "teammate_profiles": "members of a common tenant read each other's profile basics (name, avatar, ...)",
    "admin_deletes_top_level": "deleting a tenant's top-level rows that have rows of their own takes an admin",
    "admins_manage_tenant_keys": "a tenant's admins list and revoke the API keys scoped to it, whoever made them",
}


@dataclass(frozen=True)
class TableOverride:
    scope: str | None = None
    rules: tuple[tuple[str, str], ...] = ()
    hidden: tuple[str, ...] | None = None
    # Commands that take a session verified with a second factor (``aal2`` in the token; docbase.auth.mfa).
    aal2: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessOverrides:
    tenant_root: str | None = None
    roles: tuple[str, ...] | None = None
    tables: dict[str, TableOverride] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    # docbase.toml's [rules] (docbase.rules): RBAC's switch and resource aliases (docbase.access.rbac).
    rules: Any = None
    # Access defaults switched off in [access.defaults] (DEFAULTS names them).
    off: frozenset[str] = frozenset()
    # auth_third_party_user_column (``users.clerkId`` or ``clerkId``): an identity only service_role writes.
    external_id: str | None = None

    def default_on(self, name: str) -> bool:
        return name not in self.off


def parse_overrides(config: dict[str, Any]) -> AccessOverrides:
    """Read the ``[access]`` table of a parsed ``docbase.toml``."""
    section = config.get("access", {})
    problems: list[Diagnostic] = []
    if not isinstance(section, dict):
        return AccessOverrides(diagnostics=(error(0, "docbase.toml: [access] must be a table"),))
    root = section.get("tenant_root")
    if root is not None and not isinstance(root, str):
        problems.append(error(0, "docbase.toml: access.tenant_root must be a table name"))
        root = None
    roles = section.get("roles")
    if roles is not None and not (isinstance(roles, list) and roles and all(isinstance(r, str) for r in roles)):
        problems.append(error(0, "docbase.toml: access.roles must be a list of role names, highest first"))
        roles = None
    off = _defaults_off(section.get("defaults"), problems)
    tables: dict[str, TableOverride] = {}
    for name, body in (section.get("tables") or {}).items():
        if not isinstance(body, dict):
            problems.append(error(0, f"docbase.toml: access.tables.{name} must be a table"))
            continue
        scope = body.get("scope")
        if scope is not None and scope not in SCOPES:
            problems.append(
                error(0, f"docbase.toml: access.tables.{name}.scope = {scope!r}; choose one of {', '.join(SCOPES)}")
            )
            scope = None
        rules = []
        for command in COMMANDS:
            who = body.get(command)
            if who is None:
                continue
            if who not in AUDIENCE_CHOICES:
                problems.append(
                    error(
                        0,
                        f"docbase.toml: access.tables.{name}.{command} = {who!r}; choose one of {', '.join(AUDIENCE_CHOICES)}",
                    )
                )
                continue
            rules.append((command, who))
        unknown = set(body) - {"scope", "hidden", "require_aal2", *COMMANDS}
        for key in sorted(unknown):
            problems.append(error(0, f"docbase.toml: access.tables.{name}.{key} is not a known key"))
        hidden = body.get("hidden")
        if hidden is not None and not (isinstance(hidden, list) and all(isinstance(h, str) for h in hidden)):
            problems.append(error(0, f"docbase.toml: access.tables.{name}.hidden must be a list of column names"))
            hidden = None
        aal2 = _aal2_commands(name, body.get("require_aal2", False), problems)
        tables[name] = TableOverride(scope, tuple(rules), tuple(hidden) if hidden is not None else None, aal2)
    rules = config.get("rules") if isinstance(config.get("rules"), dict) else None
    named = str(settings.get(settings.AUTH_THIRD_PARTY_USER_COLUMN, toml=config) or "").strip()
    external = named if named.lower() not in ("", "none", "off", "false") else None
    return AccessOverrides(root, tuple(roles) if roles else None, tables, tuple(problems), rules, off, external)


def _aal2_commands(table: str, value: Any, problems: list[Diagnostic]) -> tuple[str, ...]:
    """``require_aal2``: true (every command), false, or a list of commands; anything else is an error."""
    if value is True:
        return COMMANDS
    if value is False:
        return ()
    if isinstance(value, list) and value and all(v in COMMANDS for v in value):
        return tuple(c for c in COMMANDS if c in value)
    problems.append(
        error(
            0,
            f"docbase.toml: access.tables.{table}.require_aal2 = {value!r}; "
            f"use true, false or a list of {', '.join(COMMANDS)}",
        )
    )
    return COMMANDS  # a mistake here fails closed


def _defaults_off(body: Any, problems: list[Diagnostic]) -> frozenset[str]:
    """``[access.defaults]``: each known default set to true or false; anything else is an error naming it."""
    if body is None:
        return frozenset()
    if not isinstance(body, dict):
        problems.append(error(0, "docbase.toml: access.defaults must be a table of true/false switches"))
        return frozenset()
    off = set()
    for key, value in body.items():
        if key not in DEFAULTS:
            problems.append(
                error(
                    0, f"docbase.toml: access.defaults.{key} is not a known default; choose from {', '.join(DEFAULTS)}"
                )
            )
        elif not isinstance(value, bool):
            problems.append(error(0, f"docbase.toml: access.defaults.{key} must be true or false"))
        elif not value:
            off.add(key)
    return frozenset(off)


def load_overrides(doc: str | Path | None) -> AccessOverrides:
    """Overrides from the ``docbase.toml`` beside the document (or in the working directory)."""
    return parse_overrides(load_toml(doc))
