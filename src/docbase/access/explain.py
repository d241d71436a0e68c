"""Why a 42501 refused: the table's rule for the command, in words, for the error's ``details``.

PostgreSQL names only the table ("new row violates row-level security
policy for table \"tasks\"", "permission denied for table tasks"); the
caller then has to guess which rule or column said no. Every refusal that
does not already name a column gets the rule here, the same sentence on
both databases.
"""

from __future__ import annotations

from .model import AccessModel
from .paths import describe

_VERB = {"select": "read", "insert": "insert into", "update": "update", "delete": "delete from"}


def explain(
    model: AccessModel, table: str, command: str, by_document: bool = False, policy: str | None = None
) -> str | None:
    """``rule: insert into tasks takes member+ in the organizations row it belongs to (...)``; None for an
    unknown table. ``policy``: the PostgreSQL policy the error names, when it names one."""
    access = model.table(table)
    if access is None or command not in _VERB:
        return None
    verb = _VERB[command]
    refs = ", ".join(c for h in access.references for c in h.columns)
    checked = f"its foreign keys ({refs}) may only name rows you can read, of the row's own tenant"
    if policy == "docbase references":
        return f"rule: {checked}"
    if policy in ("docbase own membership", "docbase role cap"):
        return f"rule: nobody writes a membership of {table} naming themself or with a role above their own"
    if policy is not None and not policy.startswith("docbase "):
        return f'rule: the document\'s policy "{policy}" on {table}'
    if by_document:
        return f"rule: the document's own policies on {table} decide who may {verb.split()[0]} it"
    rule = access.rule(command)
    root = model.root(access.tenant)
    if rule in ("member", "writer", "admin", "owner") and root is not None:
        names = model.audience_names(access, command)
        who = names[-1] if len(names) == 1 else f"{names[-1]}+"
        where = "itself" if access.scope == "tenant_root" else describe(access.path)
        text = f"rule: {verb} {table} takes {who} in the {root.table} row it belongs to ({where})"
    elif rule == "self":
        own = describe(access.path) if access.path else f"{table}.{model.user_key} is the signed-in user"
        text = f"rule: {verb} {table} only for the row's own user ({own})"
    elif rule == "teammate":
        text = f"rule: {verb} {table} only for the row's own user or someone sharing a tenant with them"
    elif rule == "authenticated":
        text = f"rule: {verb} {table} takes a signed-in user"
    elif rule == "anon":
        text = f"rule: anyone may {verb.split()[0]} {table}"
    else:
        text = f"rule: only service_role may {verb} {table}"
    limits = [x.kind for x in access.limits if command in x.commands]
    if "not_by_api_key" in limits:
        text += "; never with an API key"
    if "own_or_admin" in limits:
        text += "; only its creator or an admin of the tenant"
    if "role_within_own" in limits:
        text += "; with a role no higher than your own"
    if "aal2" in limits:
        text += f"; only in a session verified with a second factor (aal2, access.tables.{table}.require_aal2)"
    if "key_project" in limits:
        text += "; an API key made for one project reaches that project's rows only"
    if refs and command in ("insert", "update") and policy is None:
        text += f"; and {checked}"
    return text
