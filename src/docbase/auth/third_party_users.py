"""Third-party tokens matched to the document's users row: the outside issuer's ``sub`` -> the row's id.

An outside issuer (Clerk, Auth0, Firebase...) knows a person by its own id; the document keys its rows by
its users table's key and keeps the issuer's id in a column (seed 004: ``users.clerkId``, "Clerk subject
ID", while ``deployments.userId`` references ``users._id``). Row-level access compares with the key, so a
verified outside token's ``sub`` is swapped for the key of the row holding it *before* any transport asks
docbase.access anything: :meth:`ThirdPartyUsers.claims` is the one place REST, RPC, realtime and storage
call. The issuer's own ``sub`` stays in the claims as ``third_party_sub``.

Which column: ``auth_third_party_user_column`` names it (``users.clerkId``, or ``clerkId`` in the users
table; ``none`` keeps ``sub`` as the user id, as Supabase does); else the users table's one column named
for an outside id (clerkId, auth0Id, firebaseUid, externalId, auth_sub...: docbase.access.authority). Either
way only service_role writes it: a user who rewrote their own would become whoever the issuer calls that. ``docbase inspect`` prints a located line saying which
column was chosen and how to switch (:func:`notes`); two candidates choose none, with a warning.

First sight: no row holds the ``sub`` -> one is created (``auth_third_party_create_users``, on by default)
with only what the token states (email, name, picture, email_verified...), never a role; with creation
off the request is refused as GoTrue refuses a token whose user is gone (403, "User from sub claim in JWT
does not exist"). Creation is one ``INSERT ... SELECT ... WHERE NOT EXISTS`` (atomic on SQLite; under a
transaction-scoped advisory lock on PostgreSQL), so two first requests, in two workers too, make one row.
Found ids are cached (a TTLCache of :data:`CACHE_SIZE` subs for :data:`CACHE_TTL` seconds), so a signed-in
user costs no query per request; a row deleted meanwhile keeps matching until its entry expires.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cachetools import TTLCache

from .. import settings
from ..access.authority import is_external_id
from ..db.core import Engine
from ..schema.model import Schema, Table
from .db import engine_for
from .profiles import PROFILE_NAMES, TEXT_TYPES, TIME_TYPES, _norm, _sa_type, _stamp, find_profile_table

log = logging.getLogger("docbase.auth")

#: Where the issuer's own ``sub`` is kept once ``sub`` names the document's row.
THIRD_PARTY_SUB = "third_party_sub"
CACHE_TTL = 300.0
CACHE_SIZE = 10_000
OFF = ("none", "off", "false")
#: Which token claim fills which column (by normalised column name); nothing else is taken from a token.
FILLED_FROM = {
    "email": ("email", "emailaddress"),
    "name": ("name", "fullname", "displayname"),
    "preferred_username": ("username",),
    "given_name": ("firstname", "givenname"),
    "family_name": ("lastname", "familyname", "surname"),
    "picture": ("picture", "pictureurl", "avatar", "avatarurl", "image", "imageurl", "photourl"),
    "phone_number": ("phone", "phonenumber"),
}
VERIFIED_COLUMNS = ("emailverified", "isemailverified", "emailconfirmed", "isemailconfirmed", "verified")
STAMPED_COLUMNS = ("createdat", "insertedat", "created", "updatedat", "modifiedat", "updated")
NOT_FOUND = "User from sub claim in JWT does not exist"

__all__ = ["THIRD_PARTY_SUB", "Link", "ThirdPartyUsers", "Unlinked", "choose", "notes"]


class Unlinked(Exception):
    """A verified outside token with no users row to act as (and none made); ``detail`` says why."""

    def __init__(self, detail: str, message: str = NOT_FOUND) -> None:
        super().__init__(message)
        self.message, self.detail = message, detail


@dataclass(frozen=True)
class Link:
    """The users table, its key, and the column holding the outside issuer's id (with where it was read)."""

    table: Table
    key: str
    column: str
    line: int
    by_setting: bool


@dataclass(frozen=True)
class Choice:
    link: Link | None
    #: (line, level, message) for ``docbase inspect``; an "error" stops ``serve``.
    notes: tuple[tuple[int, str, str], ...]


def _setting(toml: dict[str, Any] | None) -> str:
    return str(settings.get(settings.AUTH_THIRD_PARTY_USER_COLUMN, toml=toml) or "").strip()


def _users_tables(schema: Schema) -> list[Table]:
    """The document's users table (docbase.auth.profiles) first, then any table named like one."""
    found = find_profile_table(schema)
    tables = [found.table] if found else []
    tables += [t for t in schema.tables if t.name.lower() in PROFILE_NAMES and t not in tables]
    return [t for t in tables if len(t.primary_key) == 1]


def _references_auth(table: Table, column: str) -> bool:
    return any(
        column in fk.columns and fk.ref_table.lower() in ("auth.users", "auth_users") for fk in table.foreign_keys
    )


def choose(schema: Schema, toml: dict[str, Any] | None = None) -> Choice:
    """Which column holds the outside issuer's ``sub``: the setting's, else the one named for it."""
    issuer = str(settings.get(settings.AUTH_THIRD_PARTY_ISSUER, toml=toml) or "")
    named = _setting(toml)
    how = "set auth_third_party_user_column in docbase.toml to choose another column, or 'none' to keep sub as the user id"
    if named.lower() in OFF:
        line = next((t.line for t in _users_tables(schema)), 0)
        why = f"auth_third_party_user_column = {named!r}: an outside token's sub is its user id, as it comes"
        return Choice(None, ((line, "info", why),) if issuer else ())
    if named:
        table_name, _, column = named.rpartition(".")
        tables = [t for t in schema.tables if t.name == table_name] if table_name else _users_tables(schema)[:1]
        table = tables[0] if tables else None
        col = table.column(column) if table is not None else None
        if table is None or col is None:
            return Choice(None, ((0, "error", f"auth_third_party_user_column: no column {named!r} in the document"),))
        if len(table.primary_key) != 1:
            return Choice(
                None, ((table.line, "error", f"auth_third_party_user_column: {table.name} has no one-column key"),)
            )
        link = Link(table, table.primary_key[0], col.name, col.line, True)
        said = ((col.line, "info", _chosen(link, issuer, "auth_third_party_user_column")),)
        return Choice(link, said + _unmakeable(link, issuer, toml))
    for table in _users_tables(schema):
        found = [
            c
            for c in table.columns
            if c.name not in table.primary_key and is_external_id(c.name) and not _references_auth(table, c.name)
        ]
        if len(found) > 1:
            names = ", ".join(c.name for c in found)
            why = f"{table.name} has several columns named for an outside issuer's user id ({names}); none is matched"
            return Choice(None, ((found[0].line, "warning", f"{why} with a token's sub: {how}"),))
        if found:
            link = Link(table, table.primary_key[0], found[0].name, found[0].line, False)
            return Choice(
                link, ((link.line, "info", _chosen(link, issuer, "its name")),) + _unmakeable(link, issuer, toml)
            )
    if not issuer:
        return Choice(None, ())
    tables = _users_tables(schema)
    line = tables[0].line if tables else 0
    why = "no users column is named for an outside issuer's user id (clerkId, externalId, auth_sub...): an outside token's sub is its user id"
    return Choice(
        None, ((line, "info", f"{why}; set auth_third_party_user_column = 'users.<column>' if one holds it"),)
    )


def _unmakeable(link: Link, issuer: str, toml: dict[str, Any] | None) -> tuple[tuple[int, str, str], ...]:
    """Warnings for a row first sight cannot make: a key that must be a docbase user, a required column no
    token claim fills (each first request would be refused; say so before, not per request)."""
    if not issuer or settings.get(settings.AUTH_THIRD_PARTY_CREATE_USERS, toml=toml) in (False, "false", "0", 0):
        return ()
    table, out = link.table, []
    off = "set auth_third_party_create_users = false and make the rows with service_role, or"
    if _references_auth(table, link.key):
        why = f"{table.name}.{link.key} references auth.users, so a row cannot be made for an outside user"
        out.append((table.line, "warning", f"{why}: {off} key {table.name} by its own id"))
    filled = {n for names in FILLED_FROM.values() for n in names} | set(VERIFIED_COLUMNS) | set(STAMPED_COLUMNS)
    for col in table.columns:
        if col.name in (link.key, link.column) or col.nullable is not False or col.default is not None:
            continue
        if _norm(col.name) not in filled:
            why = f"{table.name}.{col.name} is required and no token claim fills it, so first sight cannot make a row"
            out.append((col.line, "warning", f"{why}: {off} give it a default"))
    return tuple(out)


def _chosen(link: Link, issuer: str, by: str) -> str:
    where = f"{link.table.name}.{link.column}"
    if not issuer:
        return (
            f"{where} looks like an outside issuer's user id ({by}): set auth_third_party_issuer in docbase.toml to "
            f"accept its tokens; each then acts as the {link.table.name} row whose {link.column} is the token's sub"
        )
    return (
        f"{where} holds the outside issuer's user id (chosen by {by}): a token from {issuer} acts as the "
        f"{link.table.name} row whose {link.column} is its sub, made on first sight (auth_third_party_create_users "
        f"= false refuses unknown users instead); set auth_third_party_user_column in docbase.toml to choose "
        f"another column, or 'none' to keep sub as the user id"
    )


def notes(schema: Schema, toml: dict[str, Any] | None, doc: str) -> list[str]:
    """The located lines ``docbase inspect`` prints about the choice (``doc:line: level: message``)."""
    return [
        f"{doc}:{line}: {level}: {message}" if line else f"docbase.toml: {level}: {message}"
        for line, level, message in choose(schema, toml).notes
    ]


class ThirdPartyUsers:
    """Swaps a verified outside token's ``sub`` for its users row's key; one per served app."""

    def __init__(self, link: Link, issuer: str, engine: Engine | str, create: bool = True) -> None:
        self.link, self.issuer, self.create = link, issuer, create
        self._engine_or_url = engine
        self._engine: Engine | None = None
        self._cache: TTLCache[str, str] = TTLCache(maxsize=CACHE_SIZE, ttl=CACHE_TTL)
        self._pending: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.queries = 0  # lookups that went to the database (tests and the curious)

    @classmethod
    def from_settings(cls, schema: Schema, engine: Engine | str, toml: dict[str, Any] | None) -> ThirdPartyUsers | None:
        """The matcher the settings describe; None without an issuer or a column. A bad column stops here."""
        issuer = str(settings.get(settings.AUTH_THIRD_PARTY_ISSUER, toml=toml) or "")
        choice = choose(schema, toml)
        errors = [message for _, level, message in choice.notes if level == "error"]
        if errors:
            raise settings.ConfigError(f"docbase.toml: error: {errors[0]}")
        if not issuer or choice.link is None:
            return None
        create = settings.get(settings.AUTH_THIRD_PARTY_CREATE_USERS, toml=toml)
        return cls(choice.link, issuer, engine, create not in (False, "false", "0", 0))

    def _db(self) -> Engine:
        if self._engine is None:
            self._engine = engine_for(self._engine_or_url)
        return self._engine

    async def claims(self, claims: Mapping[str, Any]) -> dict[str, Any]:
        """``claims`` with an outside token's ``sub`` replaced by its users row's key; others unchanged."""
        if claims.get("iss") != self.issuer or THIRD_PARTY_SUB in claims:
            return claims if isinstance(claims, dict) else dict(claims)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise Unlinked("the token has no sub to match")
        key = self._cache.get(sub)
        if key is None:
            lock = self._pending.get(sub)
            if lock is None:
                lock = self._pending[sub] = asyncio.Lock()
            async with lock:  # concurrent first requests of one process: one lookup
                key = self._cache.get(sub)
                if key is None:
                    key = await self._find_or_create(sub, claims)
                    self._cache[sub] = key
        return {**claims, "sub": key, THIRD_PARTY_SUB: sub}

    def _table(self, dialect: str) -> sa.TableClause:
        cols = [sa.column(c.name, _sa_type(c, dialect)) for c in self.link.table.columns]
        return sa.table(self.link.table.name, *cols)

    async def _find_or_create(self, sub: str, claims: Mapping[str, Any]) -> str:
        self.queries += 1
        engine = self._db()
        t = self._table(engine.dialect.name)
        where = t.c[self.link.column] == sub
        find = sa.select(t.c[self.link.key]).where(where).limit(2)
        name = f"{self.link.table.name}.{self.link.column}"
        try:
            async with engine.connect() as conn:  # a read alone: no write lock taken for a known user
                rows = (await conn.execute(find)).all()
            if not rows and self.create:
                # A new transaction whose first statement writes: on SQLite it waits for the write lock instead
                # of failing to upgrade a read snapshot another worker's insert made stale (SQLITE_BUSY_SNAPSHOT).
                async with engine.begin() as conn:
                    if engine.dialect.name == "postgresql":  # WHERE NOT EXISTS alone races under READ COMMITTED
                        lock = sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))")
                        await conn.execute(lock, {"k": f"docbase third-party user {name} {sub}"})
                    values = self._values(sub, claims)
                    chosen = sa.select(*[sa.literal(v, t.c[k].type) for k, v in values.items()])
                    insert = sa.insert(t).from_select(list(values), chosen.where(~sa.exists().where(where)))
                    if (await conn.execute(insert)).rowcount:
                        log.info("auth: made the %s row for an outside user on first sight", self.link.table.name)
                    rows = (await conn.execute(find)).all()
        except sa.exc.DBAPIError as exc:
            first = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else type(exc).__name__
            log.warning("auth: the %s row of an outside user could not be found or made: %s", name, first)
            raise Unlinked(f"the {self.link.table.name} row for this token could not be made: {first}") from None
        if not rows:
            raise Unlinked(f"no {self.link.table.name} row has {self.link.column} = the token's sub, and "
                           "auth_third_party_create_users is off")  # fmt: skip
        if len(rows) > 1:
            raise Unlinked(f"more than one {self.link.table.name} row has {self.link.column} = the token's sub")
        return str(rows[0][0])

    def _values(self, sub: str, claims: Mapping[str, Any]) -> dict[str, Any]:
        """The new row: the key, the outside id, and only what the token states (never a role or a ban)."""
        table = self.link.table
        values: dict[str, Any] = {self.link.column: sub}
        key = table.column(self.link.key)
        if key is not None and key.type in ("uuid", "text", "varchar"):
            values[self.link.key] = str(uuid.uuid4())
        now = datetime.now(UTC)
        for col in table.columns:
            if col.name in values:
                continue
            n = _norm(col.name)
            claim = next((c for c, names in FILLED_FROM.items() if n in names), None)
            given = claims.get(claim) if claim else None
            if isinstance(given, str) and given and col.type in TEXT_TYPES and col.enum is None:
                values[col.name] = given
            elif n in VERIFIED_COLUMNS and col.type == "boolean" and isinstance(claims.get("email_verified"), bool):
                values[col.name] = claims["email_verified"]
            elif n in STAMPED_COLUMNS and col.type in TIME_TYPES and col.default is None:
                values[col.name] = _stamp(now, col)
        return values
