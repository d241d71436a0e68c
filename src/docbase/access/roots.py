"""Who the users are and what they are members of: the users table, membership tables, tenant roots.

All from structure: a membership table references users and one other table
(the tenant) and carries a role (``role``, ``role_id``) or is named for
membership (``members``, ``memberships``). The table it admits users to is a
tenant root. Invitations look alike (a user, a tenant, a role) but admit no
one until accepted, so they are left out by name.
"""

from __future__ import annotations

from ..schema.model import ForeignKey, Schema, Table
from .model import TenantRoot
from .names import is_user_column_name, owner_rank, words
from .roles import DEFAULT_ROLES, order_roles, values_from_check

_USER_TABLE_NAMES = {("user",), ("app", "user"), ("profile",), ("user", "profile"), ("auth", "user")}
_NOT_MEMBERSHIP = {"invitation", "invite", "request", "application", "log", "event", "history"}
_TENANT_WORDS = {"workspace", "organization", "org", "team", "tenant", "company", "account", "group", "project"}
_LOOKUP_NAME_COLUMNS = ("name", "slug", "key", "code", "role")


def find_users_table(schema: Schema) -> Table | None:
    """The table of people: named ``users``/``user``/``profiles``; most referenced wins a tie."""
    candidates = [t for t in schema.tables if words(t.name) in _USER_TABLE_NAMES]
    if not candidates:
        return None
    inbound = {t.name: 0 for t in candidates}
    for t in schema.tables:
        for fk in t.foreign_keys:
            if fk.ref_table in inbound:
                inbound[fk.ref_table] += 1
    return max(candidates, key=lambda t: (inbound[t.name], words(t.name) == ("user",)))


def is_user_ref(ref_table: str, users: Table | None) -> bool:
    """An FK target that is the users table, or ``auth.users`` when the document has none of its own."""
    if users is not None and ref_table == users.name:
        return True
    return words(ref_table) in {("user",), ("auth", "user")} or ref_table.lower() == "auth.users"


def user_columns(table: Table, users: Table | None) -> list[tuple[str, ForeignKey | None]]:
    """Columns holding a user's id: single-column FKs to users, or ``user_id``-named columns with no FK."""
    found: list[tuple[str, ForeignKey | None]] = []
    fk_columns = set()
    for fk in table.foreign_keys:
        fk_columns.update(fk.columns)
        if len(fk.columns) == 1 and is_user_ref(fk.ref_table, users):
            found.append((fk.columns[0], fk))
    for col in table.columns:
        if col.name not in fk_columns and is_user_column_name(col.name):
            found.append((col.name, None))
    return sorted(found, key=lambda p: owner_rank(p[0]))


def _role_column(table: Table) -> str | None:
    for col in table.columns:
        w = words(col.name)
        if "role" in w or w in {("access", "level"), ("permission", "level")}:
            return col.name
    return None


def _roles(schema: Schema, table: Table, role_column: str | None, lookup: tuple[str, str, str] | None):
    if role_column is not None and lookup is None:
        col = table.column(role_column)
        values: tuple[str, ...] = tuple(col.enum or ()) if col else ()
        if not values and col is not None and col.enum_name:
            enum = next((e for e in schema.enums if e.name == col.enum_name), None)
            values = enum.values if enum else ()
        if not values and col is not None:
            values = values_from_check(col.check, col.name)
        if not values:
            for check in table.checks:
                values = values_from_check(check.expression, role_column)
                if values:
                    break
        if values:
            return order_roles(values), f"values of {table.name}.{role_column}"
    return order_roles(DEFAULT_ROLES), "defaults"


def _lookup(schema: Schema, table: Table, role_column: str | None) -> tuple[str, str, str] | None:
    """``role_id -> roles``: where role names live when the role is a row of another table."""
    if role_column is None:
        return None
    for fk in table.foreign_keys:
        if fk.columns == (role_column,):
            target = schema.table(fk.ref_table)
            if target is None:
                return None
            name_col = next((c for c in _LOOKUP_NAME_COLUMNS if target.column(c)), None)
            if name_col:
                return (fk.ref_table, fk.ref_columns[0] if fk.ref_columns else "id", name_col)
    return None


def find_memberships(schema: Schema, users: Table | None) -> list[TenantRoot]:
    """Every table that admits users to another table with a role, as a candidate tenant root."""
    found: list[TenantRoot] = []
    for table in schema.tables:
        if users is not None and table.name == users.name:
            continue
        name_words = set(words(table.name))
        if name_words & _NOT_MEMBERSHIP:
            continue
        people = [(c, fk) for c, fk in user_columns(table, users) if fk is not None or users is None]
        role_column = _role_column(table)
        if not people or (role_column is None and not name_words & {"member", "membership"}):
            continue
        targets = [
            fk
            for fk in table.foreign_keys
            if len(fk.columns) == 1
            and not is_user_ref(fk.ref_table, users)
            and fk.columns[0] != role_column
            and fk.ref_table != table.name
            and schema.table(fk.ref_table) is not None
        ]
        if not targets:
            continue
        targets.sort(
            key=lambda fk: (
                not set(words(fk.ref_table)) & _TENANT_WORDS,
                (table.column(fk.columns[0]) or _NULLABLE).nullable is True,
            )
        )
        tenant_fk = targets[0]
        root = schema.table(tenant_fk.ref_table)
        key = tenant_fk.ref_columns[0] if tenant_fk.ref_columns else (root.primary_key or ("id",))[0]
        key_col = root.column(key)
        lookup = _lookup(schema, table, role_column)
        roles, source = _roles(schema, table, role_column, lookup)
        found.append(
            TenantRoot(
                table=root.name,
                key=key,
                key_type=key_col.type if key_col else "uuid",
                membership=table.name,
                member_user=people[0][0],
                member_tenant=tenant_fk.columns[0],
                role_column=role_column,
                roles=roles,
                role_lookup=lookup,
                roles_source=source,
            )
        )
    return found


class _Nullable:
    nullable = None


_NULLABLE = _Nullable()
