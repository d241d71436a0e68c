"""The document's own provider-account table, kept in step with OAuth sign-ins (as the users table is).

Documents that sign in with GitHub or Google often keep a table of linked
accounts: seed 001's ``oauth_connections (user_id, provider,
provider_user_id, ...)``, better-auth's ``account (userId, providerId,
accountId, ...)`` in seed 003. It is found from the model: a table with a
user reference, a provider column and the provider's account id. On each
sign-in through a provider its row for (user, provider) is inserted or
updated (account id, scope, metadata, times).

The provider's access and refresh tokens are *not* copied into such a
table: a document table is readable through the REST API by whatever rules
apply to it, and those tokens act for the user at the provider. The app
receives them once, as ``provider_token`` in the session, as with Supabase.

A row the table refuses (a CHECK on the provider name, say) never fails
the sign-in: it is skipped with a warning, inside a savepoint.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.exc import DBAPIError

from ..schema.model import Column, Schema, Table
from ..settings import load_toml
from .profiles import _norm, _sa_type, _stamp

log = logging.getLogger("docbase.auth")

USER_NAMES = ("userid", "user", "ownerid")
PROVIDER_NAMES = ("provider", "providerid", "providername", "providertype")
SUBJECT_NAMES = ("provideruserid", "provideraccountid", "accountid", "externalid", "subject", "sub")
SCOPE_NAMES = ("scope", "scopes")
META_NAMES = ("metadata", "profile", "data", "rawdata")
CREATED = ("createdat", "insertedat")
UPDATED = ("updatedat", "modifiedat")


@dataclass(frozen=True)
class AccountTable:
    """Where the document keeps provider accounts, and which column holds what."""

    table: Table
    user: str
    provider: str
    subject: str

    def column(self, *names: str) -> Column | None:
        for col in self.table.columns:
            if _norm(col.name) in names:
                return col
        return None

    def why(self) -> str:
        return (
            f"{self.table.name} is the document's provider-account table: an OAuth sign-in writes its row "
            f"({self.user}, {self.provider}, {self.subject}); provider tokens are not stored there"
        )


def find_account_table(schema: Schema) -> AccountTable | None:
    """The table with a user reference, a provider and the provider's account id; None when there is none."""
    for table in schema.tables:
        by = {_norm(c.name): c.name for c in table.columns}
        user = next((by[n] for n in USER_NAMES if n in by), None)
        provider = next((by[n] for n in PROVIDER_NAMES if n in by), None)
        subject = next((by[n] for n in SUBJECT_NAMES if n in by), None)
        if user and provider and subject and provider != subject:
            return AccountTable(table, user, provider, subject)
    return None


class AccountSync:
    """Writes the document's provider-account row on each provider sign-in."""

    def __init__(self, schema: Schema) -> None:
        found = find_account_table(schema)
        toml = {} if schema.path.startswith("<") else load_toml(schema.path)
        section = toml.get("conventions", {}) if isinstance(toml.get("conventions"), dict) else {}
        per_table = section.get(found.table.name, {}) if found else {}
        off = section.get("provider_accounts") is False or (
            isinstance(per_table, dict) and per_table.get("provider_accounts") is False
        )
        self.found = None if off else found  # [conventions] provider_accounts = false: no row written

    def _clause(self, dialect: str) -> sa.TableClause:
        assert self.found is not None
        cols = []
        for c in self.found.table.columns:
            if c.type in ("json", "jsonb"):
                kind: Any = sa.JSON().with_variant(JSONB(), "postgresql")
            elif c.type == "array" and dialect == "postgresql":
                kind = ARRAY(sa.Text())
            else:
                kind = _sa_type(c, dialect)
            cols.append(sa.column(c.name, kind))
        return sa.table(self.found.table.name, *cols)

    async def signed_in(
        self, conn: Any, user_id: Any, provider: str, subject: str, scopes: tuple[str, ...], data: dict, now: datetime
    ) -> None:
        if self.found is None:
            return
        f = self.found
        t = self._clause(conn.dialect.name)
        values: dict[str, Any] = {f.subject: subject}
        scope = f.column(*SCOPE_NAMES)
        if scope is not None and scope.type in ("text", "varchar"):
            values[scope.name] = " ".join(scopes)
        elif scope is not None and scope.type == "array" and conn.dialect.name == "postgresql":
            values[scope.name] = list(scopes)
        meta = f.column(*META_NAMES)
        if meta is not None and meta.type in ("json", "jsonb"):
            values[meta.name] = data
        updated = f.column(*UPDATED)
        if updated is not None:
            values[updated.name] = _stamp(now, updated)
        uid = str(user_id)
        try:
            async with conn.begin_nested():
                key = (t.c[f.user] == uid) & (t.c[f.provider] == provider)
                if (await conn.execute(sa.select(t.c[f.user]).where(key))).first() is not None:
                    await conn.execute(sa.update(t).where(key).values(**values))
                    return
                values |= {f.user: uid, f.provider: provider}
                created = f.column(*CREATED)
                if created is not None:
                    values[created.name] = _stamp(now, created)
                pk = f.table.primary_key
                if len(pk) == 1 and pk[0] not in values:
                    col = next(c for c in f.table.columns if c.name == pk[0])
                    if col.type in ("uuid", "text", "varchar") and (
                        col.default is None or conn.dialect.name != "postgresql"
                    ):
                        values[pk[0]] = str(uuid.uuid4())
                await conn.execute(sa.insert(t).values(**values))
        except DBAPIError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
            log.warning("auth: %s refused the %s account of user %s: %s", f.table.name, provider, uid, reason)
