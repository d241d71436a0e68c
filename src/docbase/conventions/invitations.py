"""Invitations: a table with an email, a role, a status and an expiry, pointing at a tenant.

Seed 000 ``workspace_invitations`` (token, invitee_email, role, status,
expires_at -> workspaces) and seed 003 ``invitation`` (no token column:
the invitation's id is what the link carries). The tenant and its
membership table come from docbase.access, so accepting creates the same
membership row the access rules check.
"""

from __future__ import annotations

from typing import Any

from ..access import build_access, grants
from ..access.model import TenantRoot
from ..schema.model import Schema, Table
from .base import Applied, column_named, enabled
from .hashed_tokens import token_columns

NAME = "invitations"


def invitation_roles(table: Table, root: TenantRoot) -> dict[str, str] | None:
    tenant = grants.invitation_tenant(table, root)
    email = column_named(table, *grants.EMAIL_NAMES)
    role = column_named(table, *grants.ROLE_NAMES)
    status = column_named(table, *grants.STATUS_NAMES)
    expiry = column_named(table, "expires_at", "expiry", "expiration", "valid_until")
    if None in (tenant, email, role, status, expiry) or len(table.primary_key) != 1:
        return None
    tokens = token_columns(table)
    roles = {
        "tenant": tenant,
        "email": email.name,
        "role": role.name,
        "status": status.name,
        "expiry": expiry.name,
        "key": table.primary_key[0],
        "token": tokens[0] if tokens else table.primary_key[0],
        "tenant_table": root.table,
        "membership": root.membership,
        "member_user": root.member_user,
        "member_tenant": root.member_tenant,
    }
    if root.role_column and root.role_lookup is None:
        roles["member_role"] = root.role_column
    responded = column_named(table, *grants.RESPONDED_NAMES)
    if responded is not None:
        roles["responded"] = responded.name
    invitee = column_named(table, *grants.INVITEE_NAMES)
    if invitee is not None:
        roles["invitee"] = invitee.name
    inviter = column_named(table, *grants.INVITER_NAMES)
    if inviter is not None:
        roles["inviter"] = inviter.name
    if root.roles:
        roles["role_order"] = ",".join(r.name for r in root.roles)
    return roles


def detect(schema: Schema, toml: dict[str, Any] | None = None) -> list[Applied]:
    model = build_access(schema)
    out = []
    for table in schema.tables:
        for root in model.roots:
            roles = invitation_roles(table, root)
            if roles is None or not enabled(toml, NAME, table.name):
                continue
            why = (
                f"{table.name} invites an email to a {root.table} with a role: rpc/accept_invitation (as that "
                f"email, before {roles['expiry']}) adds the {root.membership} row and marks it accepted in one "
                "transaction; rpc/decline_invitation declines it"
            )
            cols = (roles["token"], roles["email"], roles["role"], roles["status"], roles["expiry"], roles["tenant"])
            out.append(Applied(NAME, table.name, tuple(dict.fromkeys(cols)), why, table.line, tuple(roles.items())))
            break
    return out
