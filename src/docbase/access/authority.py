"""Authority: the tables and columns that decide who may do what, and so are written by the system alone.

A user who could write their own ``role``, lift their own ban, mark their
own address verified, take someone else's ``email`` or admit themself to a
tenant would hold authority nobody gave them. So docbase decides here, from
names like every other access hint, which columns carry authority, and the
policies (PostgreSQL column privileges) and the API's write checks (SQLite)
refuse them to anon and authenticated; service_role still sets them.

- *profile* tables (the users table, or a one-row-per-user table such as
  ``user_settings``): roles and admin flags, bans and suspensions,
  verification state, and on the users table the ``email`` (a mirror of the
  sign-in email that docbase keeps in step; it must not block another
  person's sign-up), plus money, plan and usage columns (ledger.py);
- *tenant roots*: bans, verification, and the ledger columns;
- whole tables: credentials and sessions (private, kinds.py), API keys and
  invitations (docbase.conventions), memberships and role assignments
  (owners write them; nobody inserts a membership naming themself or raises
  their own role: tenant creation and invitation acceptance do that as the
  system).

A chat message's ``role`` or a run's ``status`` describe their row, not a
person's authority, so only profile tables and tenant roots are judged.
"""

from __future__ import annotations

import re

from ..schema.model import Table
from .ledger import ledger_columns
from .model import AccessModel, TableAccess
from .names import words
from .secrets import is_secret

ROLE = "a role assignment: only service_role grants roles"
BAN = "a ban or suspension: only service_role bans and lifts bans"
VERIFIED = "verification state: set when the address is confirmed (/auth/v1/verify)"
EMAIL = "mirrors the sign-in email: change it through /auth/v1/user"
MONEY = "money, plan or usage: only the billing side (service_role) writes it"
EXTERNAL_ID = "the outside issuer's user id (third-party sign-in): only service_role changes it"

#: A users-table column holding an outside issuer's id for the person (Clerk's ``sub`` in ``clerkId``):
#: docbase.auth.third_party_users matches tokens with it, so a user who rewrote their own would be someone else.
_EXTERNAL_ID = re.compile(
    r"^(?:(?:clerk|auth0|firebase|cognito|okta|workos|stytch|kinde|supertokens|descope|logto|zitadel|keycloak"
    r"|external|externalauth|ext|idp|oidc|sso|auth)(?:user)?(?:id|uid|sub|subject)|sub|subject)$"
)

_ROLE_WORDS = {"role", "superuser", "superadmin", "permission", "privilege", "sudo"}
_ADMIN_FLAGS = {("is", "admin"), ("admin",), ("is", "staff"), ("staff",), ("is", "superuser")}
_BAN_WORDS = {"ban", "banned", "suspended", "suspension", "blocked", "deactivated", "disabled", "locked"}
_VERIFIED_WORDS = {"verified", "confirmed", "verification"}
_EMAIL_NAMES = {("email",), ("email", "address")}


def _reason(table: Table, column: str, holder: str) -> str | None:
    """Why ``column`` of a ``holder`` ("profile", "users" or "tenant") carries authority, or None."""
    w = words(column)
    s = set(w)
    if holder in ("profile", "users") and (s & _ROLE_WORDS or w in _ADMIN_FLAGS):
        return ROLE
    if s & _BAN_WORDS:
        return BAN
    if s & _VERIFIED_WORDS:
        return VERIFIED
    if holder == "users" and w in _EMAIL_NAMES:
        return EMAIL
    if holder == "users" and is_external_id(column):
        return EXTERNAL_ID
    return None


def is_external_id(column: str) -> bool:
    """Whether a users-table column's name says it holds an outside issuer's user id.

    >>> [is_external_id(n) for n in ("clerkId", "auth0_user_id", "externalId", "auth_sub", "user_id", "name")]
    [True, True, True, True, False, False]
    """
    return bool(_EXTERNAL_ID.match(re.sub(r"[^a-z0-9]", "", column.lower())))


def _holder(access: TableAccess, table: Table) -> str | None:
    if access.scope == "user":
        return "users"
    if access.scope == "tenant_root":
        return "tenant"
    if access.scope == "owned" and access.owner_column and one_per_user(table, access.owner_column):
        return "profile"
    return None


def one_per_user(table: Table, column: str) -> bool:
    """The owner column is the key or unique on its own: at most one row per user (a profile extension)."""
    if table.primary_key == (column,):
        return True
    return any(tuple(u.columns) == (column,) and not getattr(u, "where", None) for u in table.unique)


def classify(table: Table, holder: str | None) -> tuple[tuple[str, str], ...]:
    """``(column, reason)`` for each authority column of ``table`` held as ``holder``, in column order."""
    if holder is None:
        return ()
    money = set(ledger_columns(table, table.primary_key))
    out = []
    for column in table.columns:
        if column.name in table.primary_key or is_secret(column, table):
            continue
        reason = _reason(table, column.name, holder) or (MONEY if column.name in money else None)
        if reason:
            out.append((column.name, reason))
    return tuple(out)


def privileged_columns(table: Table, access: TableAccess) -> tuple[tuple[str, str], ...]:
    """The columns of ``table`` only service_role may set, each with its reason."""
    return classify(table, _holder(access, table))


def profile_columns(table: Table) -> tuple[str, ...]:
    """Authority columns of a users/profile table, whatever its scope (sign-up metadata never fills them)."""
    return tuple(name for name, _ in classify(table, "users"))


def refused_column(model: AccessModel, table: str, names, frozen: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first column in ``names`` the caller may not set, with why; ``frozen`` adds columns fixed after insert."""
    access = model.table(table)
    if access is None:
        return None
    given = set(names)
    for name, reason in access.authority_columns + tuple((c, MONEY) for c in access.ledger_columns):
        if name in given:
            return name, reason
    for name in frozen:
        if name in given:
            why = "a credential: change it through /auth/v1/user" if name in access.hidden_columns else None
            if name in access.frozen_columns:  # grants.py: an invitation's terms, an API key's columns
                why = "it is fixed once the row exists"
            return name, why or "it names who created the row and never changes"
    return None


def table_kind(model: AccessModel, access: TableAccess) -> tuple[str, str] | None:
    """What kind of authority a whole table carries, and why; None for ordinary data."""
    w = set(words(access.table))
    if access.scope == "private" and "session" in w:
        return "sessions", access.reason
    if access.scope == "private" and any(k in access.reason for k in ("credential", "verification", "sign-in")):
        return "credentials", access.reason
    if w & {"invitation", "invite"}:
        return "invitations", access.authority_rule or (
            "admits someone to a tenant with a role: its email, role, token and tenant are the inviter's "
            "(docbase.conventions.invitations)"
        )
    if {"api", "key"} <= w or "apikey" in w:
        return "api keys", access.authority_rule or (
            "authenticates as its owner: minted by rpc/create_api_key (docbase.conventions.api_keys)"
        )
    if access.scope == "membership":
        root = model.root(access.tenant)
        own = root is not None and root.membership == access.table
        what = "grants roles in" if own else "admits users to rows of"
        return "memberships", (
            f"{what} {access.tenant}: nobody inserts a membership naming themself or raises their own role "
            "(creating a tenant and accepting an invitation do that as the system)"
        )
    if access.scope == "user":
        return "profile", "the users table: its role, ban, verification and email columns are service_role's"
    if access.scope == "tenant_root":
        return "tenant", "creating one makes its creator the owner, once, in the same transaction"
    if access.authority_columns:
        return "profile", "one row per user: its role, ban and verification columns are service_role's"
    return None
