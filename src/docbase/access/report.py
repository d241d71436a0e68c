"""``docbase access``: the access model as a Rich table, or as JSON, for a person to check.

Two tables: row access (scope, path, who reads and writes), then authority
(which tables and columns only the system writes, which references are
checked against what the writer may read, and why).

Kept apart from the CLI so the rendering can be tested without a terminal and
the CLI stays a thin caller.
"""

from __future__ import annotations

from rich.table import Table as RichTable

from . import rbac
from .authority import table_kind
from .model import AccessModel, TableAccess
from .paths import describe

_STYLE = {
    "user": "cyan",
    "tenant_root": "bold magenta",
    "membership": "magenta",
    "tenant": "green",
    "owned": "blue",
    "ledger": "bold yellow",
    "catalog": "yellow",
    "private": "red",
}


def audience(model: AccessModel, access: TableAccess, command: str) -> str:
    """Who may run ``command``, compact: a role range as its lowest role and ``+`` (``member+``: member and
    every role above it), a single top role bare (``owner``), anything else as the rule's word (``self``)."""
    who = rbac.audience(model, access, command, _audience(model, access, command))
    if any(x.kind == "aal2" and command in x.commands for x in access.limits):
        who += " (aal2: MFA-verified sessions)"
    return who


def _audience(model: AccessModel, access: TableAccess, command: str) -> str:
    names = model.audience_names(access, command)
    rule = access.rule(command)
    root = model.root(access.tenant)
    if rule in ("member", "writer", "admin", "owner") and root is not None and names:
        return names[-1] if len(names) == 1 else f"{names[-1]}+"
    if rule == "teammate":
        return "self, teammates"
    return ", ".join(names)


def _who(model: AccessModel, access: TableAccess, commands: tuple[str, ...]) -> str:
    """One line per distinct audience: ``insert, update: member+`` then ``delete: admin+``."""
    grouped: dict[str, list[str]] = {}
    for command in commands:
        grouped.setdefault(audience(model, access, command), []).append(command)
    if len(commands) == 1:
        return next(iter(grouped))
    return "\n".join(f"{', '.join(cs)}: {who}" for who, cs in grouped.items())


def _path(access: TableAccess) -> str:
    if access.scope == "tenant_root":
        return "(itself)"
    if access.scope == "user":
        return "(itself: the signed-in user's row)"
    return describe(access.path).replace(", then ", "\n") if access.path else ""


def access_table(model: AccessModel) -> RichTable:
    """One row per table: scope, path, who reads, who writes, hidden columns, reason."""
    out = RichTable(title="Row access", show_lines=True, caption="member+: that role and every role above it")
    for heading in ("table", "scope", "path to tenant / owner", "reads", "writes", "hidden", "why"):
        out.add_column(heading, overflow="fold")
    for access in model.tables:
        out.add_row(
            access.table,
            f"[{_STYLE.get(access.scope, 'white')}]{access.scope}[/]" + (" *" if access.overridden else ""),
            _path(access),
            _who(model, access, ("select",)),
            _who(model, access, ("insert", "update", "delete")),
            ", ".join(access.hidden_columns),
            access.reason
            + (f"; only service_role sets {', '.join(access.ledger_columns)}" if access.ledger_columns else ""),
        )
    return out


def roles_lines(model: AccessModel) -> list[str]:
    """``workspaces: workspace_members.role owner > admin > member > viewer (values of ...)``."""
    return [
        f"{r.table}: members in {r.membership}.{r.member_user}, role {r.role_column or '-'}: "
        + " > ".join(x.name for x in r.roles)
        + f" ({r.roles_source})"
        for r in model.roots
    ]


def authority_table(model: AccessModel) -> RichTable:
    """One row per table that carries authority, has service_role-only columns or checked references."""
    out = RichTable(title="Authority (written by the system alone)", show_lines=True)
    for heading in ("table", "kind", "service_role-only columns", "references checked", "why"):
        out.add_column(heading, overflow="fold")
    for access in model.tables:
        kind = table_kind(model, access)
        if kind is None and not access.references:
            continue
        grouped: dict[str, list[str]] = {}
        for name, reason in access.authority_columns:
            grouped.setdefault(reason, []).append(name)
        columns = "\n".join(f"{', '.join(names)}: {reason}" for reason, names in grouped.items())
        if access.frozen_columns:  # grants.py: fixed once the row exists
            columns += ("\n" if columns else "") + f"after creation: {', '.join(access.frozen_columns)}"
        refs = "\n".join(str(h) for h in access.references)
        out.add_row(access.table, kind[0] if kind else "", columns, refs, kind[1] if kind else _REFS)
    return out


_REFS = "its foreign keys may only name rows the writer can read (403 otherwise, whether or not the row exists)"


def authority_dict(model: AccessModel) -> dict[str, dict[str, str] | None]:
    """``{table: {"kind", "reason"} or None}`` for ``docbase access --json``."""
    out: dict[str, dict[str, str] | None] = {}
    for access in model.tables:
        kind = table_kind(model, access)
        out[access.table] = {"kind": kind[0], "reason": kind[1]} if kind else None
    return out
