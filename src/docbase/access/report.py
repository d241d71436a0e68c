"""``docbase access``: the access model as a Rich table, or as JSON, for a person to check.

Kept apart from the CLI so the rendering can be tested without a terminal and
the CLI stays a thin caller.
"""

from __future__ import annotations

from rich.table import Table as RichTable

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


def _who(model: AccessModel, access: TableAccess, commands: tuple[str, ...]) -> str:
    parts = []
    for command in commands:
        names = ", ".join(model.audience_names(access, command))
        parts.append(f"{command}: {names}" if len(commands) > 1 else names)
    return "\n".join(parts)


def _path(access: TableAccess) -> str:
    if access.scope == "tenant_root":
        return "(itself)"
    if access.scope == "user":
        return "(itself: the signed-in user's row)"
    return describe(access.path).replace(", then ", "\n") if access.path else ""


def access_table(model: AccessModel) -> RichTable:
    """One row per table: scope, path, who reads, who writes, hidden columns, reason."""
    out = RichTable(title="Row access", show_lines=True)
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
            + (f"; only service_role sets {', '.join(access.ledger_columns)}" if access.ledger_columns else "")
            + (f"; {access.authority_rule}" if access.authority_rule else ""),
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
