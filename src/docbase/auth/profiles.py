"""The document's own users table, kept in step with docbase's auth users.

Design documents usually have their own ``users`` (or ``profiles``) table;
Supabase projects add a trigger copying ``auth.users`` rows into it (seed
001's ``sync_user_profile``). docbase does that itself, in the sign-up
transaction, so it works on SQLite too and whether or not the document
wrote the trigger (an existing row is updated, never inserted twice).

Detection, most specific first: a table whose primary key references
``auth.users`` (one row per account), else a table named users/user/
profiles/profile with an email column. Columns are recognised by their
normalised names (``password_hash``, ``emailVerified``...), so camelCase and
snake_case documents both work. Sign-up metadata (``data``) fills only ordinary
text and boolean columns: never a role, ban, verification, email or money
column (docbase.access.authority), whatever the client sends.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ..access.authority import profile_columns
from ..schema.model import Column, Schema, Table

log = logging.getLogger("docbase.auth")

PROFILE_NAMES = ("users", "user", "profiles", "profile")
PASSWORD_NAMES = frozenset(
    {"password", "passwordhash", "hashedpassword", "encryptedpassword", "passworddigest", "pwdhash", "passhash"}
)
VERIFIED_NAMES = frozenset(
    {"isverified", "verified", "emailverified", "isemailverified", "emailconfirmed", "isemailconfirmed"}
)
VERIFIED_AT_NAMES = frozenset({"emailverifiedat", "emailconfirmedat", "verifiedat", "confirmedat"})
CREATED_NAMES = frozenset({"createdat", "insertedat", "created"})
UPDATED_NAMES = frozenset({"updatedat", "modifiedat", "updated"})
NAME_NAMES = frozenset({"name", "fullname", "displayname", "username"})
TEXT_TYPES = frozenset({"text", "varchar", "enum"})
TIME_TYPES = frozenset({"timestamp", "timestamptz"})


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class ProfileTable:
    """Where the document keeps its users, and which of its columns docbase fills."""

    table: Table
    id_column: str
    email_column: str | None
    password_columns: tuple[str, ...]


def _is_auth_users(ref: str) -> bool:
    return ref.lower() in ("auth.users", "auth_users")


def find_profile_table(schema: Schema) -> ProfileTable | None:
    """The document's users/profile table, or None when it has none."""
    candidates: list[Table] = []
    for table in schema.tables:
        for fk in table.foreign_keys:
            if _is_auth_users(fk.ref_table) and len(fk.columns) == 1 and tuple(fk.columns) == table.primary_key:
                candidates.append(table)
    for wanted in PROFILE_NAMES:
        for table in schema.tables:
            if table.name.lower() == wanted and _email_column(table):
                candidates.append(table)
    for table in candidates:
        if len(table.primary_key) == 1:
            return ProfileTable(table, table.primary_key[0], _email_column(table), password_columns(table))
    return None


def _email_column(table: Table) -> str | None:
    for col in table.columns:
        if _norm(col.name) in ("email", "emailaddress"):
            return col.name
    return None


def password_columns(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if _norm(c.name) in PASSWORD_NAMES)


def hidden_columns(schema: Schema) -> dict[str, tuple[str, ...]]:
    """Columns the REST API must never return, per table: password hashes docbase fills.

    Every table's password-hash-like columns are listed (not only the
    profile table's), because a credential column is never data to show.
    """
    hidden = {}
    for table in schema.tables:
        cols = password_columns(table)
        if cols:
            hidden[table.name] = cols
    return hidden


def _sa_type(col: Column, dialect: str) -> sa.types.TypeEngine:
    """The storage type docbase's DDL gives this column (uuid is TEXT on SQLite, UUID on PostgreSQL)."""
    if col.type == "uuid":
        return pg.UUID(as_uuid=False) if dialect == "postgresql" else sa.Text()
    if col.type == "boolean":
        return sa.Boolean()
    if col.type in TIME_TYPES:
        return sa.DateTime(timezone=col.type == "timestamptz")
    if col.type in ("integer", "bigint", "smallint"):
        return sa.BigInteger()
    return sa.Text()


class ProfileSync:
    """Writes the document's users row from auth events (created, email/password/confirmation changed)."""

    def __init__(self, schema: Schema) -> None:
        self.profile = find_profile_table(schema)
        # Roles, bans, verification, email, money: the system's (docbase.access.authority); metadata never fills them.
        self._privileged = frozenset(profile_columns(self.profile.table)) if self.profile else frozenset()
        self._exists = False
        self._warned = False

    def _table(self, dialect: str) -> sa.TableClause | None:
        if self.profile is None:
            return None
        cols = [sa.column(c.name, _sa_type(c, dialect)) for c in self.profile.table.columns]
        return sa.table(self.profile.table.name, *cols)

    async def _present(self, conn: Any) -> bool:
        """Whether the table exists in this database (a document may not be migrated yet)."""
        if not self._exists:
            name = self.profile.table.name if self.profile else ""
            self._exists = bool(await conn.has_table(name))
            if not self._exists and not self._warned:
                self._warned = True
                log.warning("auth: the document's %s table is not in the database; profiles are not synced", name)
        return self._exists

    def _values(self, **facts: Any) -> dict[str, Any]:
        """Column values for the facts given (email, password_hash, confirmed_at, now, metadata)."""
        assert self.profile is not None
        values: dict[str, Any] = {}
        now: datetime = facts["now"]
        for col in self.profile.table.columns:
            n = _norm(col.name)
            if col.name == self.profile.email_column and "email" in facts:
                values[col.name] = facts["email"]
            elif n in PASSWORD_NAMES and facts.get("password_hash") is not None:
                values[col.name] = facts["password_hash"]
            elif "confirmed_at" in facts and n in VERIFIED_NAMES and col.type == "boolean":
                values[col.name] = facts["confirmed_at"] is not None
            elif "confirmed_at" in facts and n in VERIFIED_AT_NAMES and col.type in TIME_TYPES:
                values[col.name] = _stamp(facts["confirmed_at"], col)
            elif n in UPDATED_NAMES and col.type in TIME_TYPES:
                values[col.name] = _stamp(now, col)
        return values

    def _insert_values(self, user_id: str, facts: dict[str, Any]) -> dict[str, Any]:
        assert self.profile is not None
        values = {self.profile.id_column: user_id, **self._values(**facts)}
        metadata = facts.get("metadata") or {}
        email = facts.get("email") or ""
        for col in self.profile.table.columns:
            if col.name in values:
                continue
            n = _norm(col.name)
            given = metadata.get(col.name) if col.name not in self._privileged else None
            if col.type in TEXT_TYPES and isinstance(given, str) and n not in PASSWORD_NAMES:
                values[col.name] = given
            elif col.type == "boolean" and isinstance(given, bool) and n not in VERIFIED_NAMES:
                values[col.name] = given
            elif n in CREATED_NAMES and col.type in TIME_TYPES and col.default is None:
                values[col.name] = _stamp(facts["now"], col)
            elif n in NAME_NAMES and col.nullable is False and col.default is None and col.type in TEXT_TYPES:
                values[col.name] = email.split("@")[0]
        return values

    async def created(self, conn: Any, user_id: str, **facts: Any) -> None:
        """A new account: insert its row, or update the row a trigger (or an earlier import) made."""
        table = self._table(conn.dialect.name)
        if table is None or not await self._present(conn):
            return
        assert self.profile is not None
        key = table.c[self.profile.id_column]
        found = (await conn.execute(sa.select(key).where(key == user_id))).first()
        values = self._insert_values(user_id, facts)
        if found is None:
            await conn.execute(sa.insert(table).values(values))
        else:
            values.pop(self.profile.id_column)
            await conn.execute(sa.update(table).where(key == user_id).values(values))

    async def changed(self, conn: Any, user_id: str, **facts: Any) -> None:
        """Email, password or confirmation changed: follow it in the document's row."""
        table = self._table(conn.dialect.name)
        if table is None or not await self._present(conn):
            return
        assert self.profile is not None
        values = self._values(**facts)
        if values:
            key = table.c[self.profile.id_column]
            await conn.execute(sa.update(table).where(key == user_id).values(values))

    async def email_taken(self, conn: Any, email: str, user_id: str | None = None) -> bool:
        """Whether another row of the document's table already holds this email (it may be UNIQUE)."""
        table = self._table(conn.dialect.name)
        if table is None or self.profile is None or self.profile.email_column is None:
            return False
        if not await self._present(conn):
            return False
        q = sa.select(table.c[self.profile.id_column]).where(
            sa.func.lower(table.c[self.profile.email_column]) == email.lower()
        )
        if user_id is not None:
            q = q.where(table.c[self.profile.id_column] != user_id)
        return (await conn.execute(q.limit(1))).first() is not None


def _stamp(moment: datetime | None, col: Column) -> datetime | None:
    """Naive UTC for ``timestamp`` columns (PostgreSQL refuses aware values there), aware for timestamptz."""
    if moment is None or col.type == "timestamptz":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
