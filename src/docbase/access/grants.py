"""Rows that grant authority: API keys (a key acts as its owner) and invitations (one admits a person to a tenant).

An outside attacker found both open (issue 12): a user inserted an API-key
row naming someone else as owner, with a key they chose, and then acted as
that person; a writer rewrote the owner's invitation (email, role, token)
and accepted it with a second account as owner. So these tables are decided
here, whatever scope their foreign keys would suggest:

- *API keys* belong to their owner (``owned`` through the owner column):
  rows are minted only by ``rpc/create_api_key`` (the RPC writes as the
  system; INSERT is service_role's), the owner lists them without the key
  hash and revokes them (DELETE, or PATCH of the enabled/expiry column and
  nothing else), and a request authenticated *by* an API key never writes
  the table (claim ``api_key``, set by docbase.conventions.api_key_sql).
- *Invitations* keep their tenant rule, but their terms (tenant, email,
  role, token, inviter, invitee, answer time) are fixed once the row exists
  (service_role alone changes them), nobody invites above their own role in
  the tenant, and only the inviter or a tenant admin revokes one (DELETE, or
  PATCH of its status). Acceptance re-checks the inviter's current role
  (docbase.conventions.invite_sql).

The column names are shared with docbase.conventions (api_keys,
invitations), which find the same tables to run the RPCs on them.
"""

from __future__ import annotations

from dataclasses import replace

from ..schema.model import Column, Table
from .model import LEVELS, Hop, KeyScope, Limit, TableAccess, TenantRoot
from .names import words

KEY_CLAIM = "api_key"  # the claim a request authenticated by an API key carries (the key row's id)
# A tenant-scoped key's request: sub is KEY_SUB + the key row's id (never a user's id), the key's creator in
# KEY_CREATOR (creator columns record them) and its tenant in KEY_TENANT.
KEY_SUB = "apikey:"
KEY_CREATOR = "key_creator"
KEY_TENANT = "key_tenant"
KEY_PROJECT = "key_project"
KEY_NAMES = ("key", "key_hash", "hashed_key")
OWNER_NAMES = ("user_id", "owner_id")
ENABLED_NAMES = ("enabled", "is_enabled", "active", "is_active")
EXPIRES_NAMES = ("expires_at", "expiresAt", "expiry")
EMAIL_NAMES = ("email", "invitee_email", "invited_email", "recipient_email")
ROLE_NAMES = ("role", "role_name", "member_role")
STATUS_NAMES = ("status", "state")
INVITER_NAMES = ("inviter_id", "invited_by", "created_by", "created_by_user_id", "sender_id")
INVITEE_NAMES = ("invitee_id", "invited_user_id", "accepted_by")
RESPONDED_NAMES = ("responded_at", "accepted_at")
_WRITES = ("insert", "update", "delete")
_ALL = ("select", "insert", "update", "delete")


def norm(name: str) -> str:
    """``expiresAt``, ``expires_at`` and ``EXPIRES_AT`` compare equal."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def column_named(table: Table, *names: str) -> Column | None:
    """The first column whose name matches one of ``names`` (in the order given), ignoring case and underscores."""
    by_norm = {norm(c.name): c for c in table.columns}
    return next((by_norm[norm(n)] for n in names if norm(n) in by_norm), None)


def is_key_table_name(name: str) -> bool:
    return "apikey" in norm(name) or {"api", "key"} <= set(words(name))


def key_table(table: Table, users_table: str | None) -> tuple[str, str] | None:
    """(key column, owner column) when ``table`` issues API keys that act as a user; None otherwise."""
    if not is_key_table_name(table.name) or len(table.primary_key) != 1:
        return None
    key = column_named(table, *KEY_NAMES)
    owner = next(
        (fk.columns[0] for fk in table.foreign_keys if fk.ref_table == users_table and len(fk.columns) == 1), None
    )
    if owner is None:
        column = column_named(table, *OWNER_NAMES)
        owner = column.name if column is not None else None
    return (key.name, owner) if key is not None and owner is not None else None


def key_scope(table: Table, users_table: str | None, roots, schema=None) -> KeyScope | None:
    """The tenant an API-key table's keys may be scoped to: a single-column foreign key to a tenant root
    (``api_keys.organization_id -> organizations``), with the key's role in ``role`` when the table has one,
    and the project it may be narrowed to (``key_project``) when ``schema`` is given."""
    found = key_table(table, users_table)
    if found is None:
        return None
    for fk in table.foreign_keys:
        root = next((r for r in roots if r.table == fk.ref_table), None)
        if root is None or len(fk.columns) != 1:
            continue
        role = column_named(table, *ROLE_NAMES)
        key_col = table.column(table.primary_key[0])
        return KeyScope(
            table.name,
            table.primary_key[0],
            key_col.type if key_col else "uuid",
            found[1],
            fk.columns[0],
            root.table,
            role.name if role is not None else None,
            default_key_role(root),
            key_project(schema, table, root.table, users_table) if schema is not None else None,
        )
    return None


def key_project(schema, table: Table, root: str, users_table: str | None) -> tuple[str, str, str, str] | None:
    """(column, project table, its key, its tenant column): a single-column foreign key of the key table to
    a table that points straight at the tenant root (``api_keys.project_id -> projects.organization_id``)."""
    for fk in table.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table in (root, users_table, table.name):
            continue
        target = schema.table(fk.ref_table)
        if target is None or len(target.primary_key) != 1:
            continue
        up = next((f for f in target.foreign_keys if f.ref_table == root and len(f.columns) == 1), None)
        if up is not None:
            return fk.columns[0], target.name, target.primary_key[0], up.columns[0]
    return None


def project_limits(tables: list[TableAccess], keys: tuple[KeyScope, ...]) -> list[TableAccess]:
    """Every table of a tenant whose keys may be narrowed to a project gets the ``key_project`` limit: a
    request made with such a key reaches the project's row and the rows under it, nothing else of the
    tenant's (the tenant's own row aside)."""
    roots = {k.root for k in keys if k.project is not None}
    out = []
    for access in tables:
        if access.tenant in roots and access.scope in ("tenant", "membership"):
            access = replace(access, limits=(*access.limits, Limit("key_project", _ALL)))
        out.append(access)
    return out


def project_hops(access: TableAccess, project: str) -> tuple[Hop, ...] | None:
    """The part of ``access.path`` that ends at ``project`` (the table's own key when it is ``project``:
    an empty tuple), or None when the table's rows do not belong to a project."""
    if access.table == project:
        return ()
    for i, hop in enumerate(access.path):
        if hop.ref_table == project:
            return access.path[: i + 1]
    return None


def default_key_role(root: TenantRoot) -> str:
    """A tenant key's role when the key table has none: the highest role that writes but does not administer
    (``member`` of owner > admin > member > viewer), else the lowest role there is."""
    writers = [r.name for r in root.roles if r.level == "writer"]
    if writers:
        return writers[0]
    return root.roles[-1].name if root.roles else "member"


def role_rank(root: TenantRoot, name: str) -> int | None:
    """A role's level as a number (higher is more), None for a name the tenant does not know."""
    role = next((r for r in root.roles if r.name == name), None)
    return LEVELS.index(role.level) if role is not None else None


def revoke_columns(table: Table) -> tuple[str, ...]:
    """The columns an API key's owner may PATCH to revoke it: its enabled flag and its expiry."""
    found = (column_named(table, *ENABLED_NAMES), column_named(table, *EXPIRES_NAMES))
    return tuple(c.name for c in found if c is not None)


def invitation_tenant(table: Table, root: TenantRoot) -> str | None:
    """The column of an invitation table that points straight at ``root``; None when ``table`` is none."""
    if not {"invitation", "invite"} & set(words(table.name)):
        return None
    return next(
        (fk.columns[0] for fk in table.foreign_keys if fk.ref_table == root.table and len(fk.columns) == 1), None
    )


def apply(
    table: Table, access: TableAccess, users: Table | None, roots: tuple[TenantRoot, ...] | list[TenantRoot]
) -> TableAccess:
    """``access`` with the authority rules of an API-key or invitation table; unchanged for any other table."""
    found = key_table(table, users.name if users else None)
    if found is not None:
        return _api_keys(table, access, users, *found)
    for root in roots:
        tenant = invitation_tenant(table, root)
        if tenant is not None and access.tenant == root.table:
            return _invitations(table, access, root, tenant)
    return access


def _api_keys(table: Table, access: TableAccess, users: Table | None, key: str, owner: str) -> TableAccess:
    revoke = revoke_columns(table)
    target = users.name if users else "auth.users"
    user_key = (users.primary_key or ("id",))[0] if users else "id"
    column = table.column(owner)
    hop = Hop(table.name, (owner,), target, (user_key,), bool(column and column.nullable is True))
    how = f"DELETE, or PATCH of {' or '.join(revoke)} alone" if revoke else "DELETE"
    rule = (
        f"API keys: minted only by rpc/create_api_key (a key acts as its owner, {owner}); the owner lists their "
        f"keys without {key} and revokes them ({how}); a request made with an API key never writes here"
    )
    decided = replace(
        access,
        scope="owned",
        reason=f"belongs to one user through {owner} -> {target}: each API key acts as its owner",
        path=(hop,),
        tenant=None,
        owner_column=owner,
        creator_columns=(owner,),
        rules=(("delete", "self"), ("insert", "service_role"), ("select", "self"), ("update", "self")),
    )
    if not revoke:
        decided = replace(decided, rules=tuple((c, "service_role" if c == "update" else r) for c, r in decided.rules))
    return _authority(
        access,
        decided,
        frozen=tuple(c.name for c in table.columns if c.name not in revoke),
        hidden=(key,),
        limits=(Limit("not_by_api_key", _WRITES),),
        rule=rule,
    )


def _invitations(table: Table, access: TableAccess, root: TenantRoot, tenant: str) -> TableAccess:
    named = {
        "email": column_named(table, *EMAIL_NAMES),
        "role": column_named(table, *ROLE_NAMES),
        "inviter": column_named(table, *INVITER_NAMES),
        "invitee": column_named(table, *INVITEE_NAMES),
        "responded": column_named(table, *RESPONDED_NAMES),
    }
    tokens = [c.name for c in table.columns if "token" in words(c.name)]
    terms = [tenant, *(c.name for c in (named["email"], named["role"]) if c), *tokens]
    if named["inviter"] is not None:
        terms.append(named["inviter"].name)
    frozen = tuple(dict.fromkeys(terms + [c.name for c in (named["invitee"], named["responded"]) if c]))
    inviter = named["inviter"].name if named["inviter"] is not None else None
    limits = [Limit("own_or_admin", ("update", "delete"), inviter)]
    role = named["role"].name if named["role"] is not None else None
    capped = role is not None and root.role_column is not None and root.role_lookup is None and bool(root.roles)
    if capped:
        limits.append(Limit("role_within_own", ("insert",), role))
    status = column_named(table, *STATUS_NAMES)
    who = f"its inviter ({inviter}) or an admin of the {root.table}" if inviter else f"an admin of the {root.table}"
    rule = (
        f"invitations: {', '.join(dict.fromkeys(terms))} are fixed at creation (only service_role changes them); "
        + (f"nobody invites with a role above their own in {root.table}; " if capped else "")
        + f"only {who} revokes one (DELETE{', or PATCH of ' + status.name if status else ''}); "
        "rpc/accept_invitation re-checks the inviter's current role"
    )
    return _authority(access, access, frozen=frozen, hidden=(), limits=tuple(limits), rule=rule)


def _authority(
    inferred: TableAccess,
    decided: TableAccess,
    frozen: tuple[str, ...],
    hidden: tuple[str, ...],
    limits: tuple[Limit, ...],
    rule: str,
) -> TableAccess:
    """The decision with its authority rule; a docbase.toml override keeps its scope and rules (and says so)."""
    base = inferred if inferred.overridden else decided
    if inferred.overridden:
        rule += "; docbase.toml overrides who may write it, so only the column and row limits above still hold"
    return replace(
        base,
        frozen_columns=frozen,
        hidden_columns=tuple(dict.fromkeys(base.hidden_columns + hidden)),
        limits=limits,
        authority_rule=rule,
    )
