"""The adapter to docbase.access: which tenants a signed-in user belongs to, and at what level.

Storage decides on object names (``<tenant key>/...``), not on rows of the document, so
it asks the access model only one thing: the membership tables it found (or
``docbase.toml`` named), their user and tenant columns and their roles ranked
reader < writer < admin < owner. One query per tenant root, run once per request and
only when a decision needs it. A role the model does not know counts as a reader.
A membership table without a role column makes every member a writer, as the REST
rules do.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ..access import AccessModel, TenantRoot
from ..ddl.metadata import build_metadata
from ..schema.model import Schema


class Tenancy:
    def __init__(self, schema: Schema, model: AccessModel, dialect: str) -> None:
        self.roots = model.roots
        self.metadata = build_metadata(schema, dialect) if model.roots else sa.MetaData()

    async def tenants(self, conn: Any, sub: str) -> dict[str, str]:
        """``{tenant key (lower case): level}`` for the user ``sub``; the highest level where several rows say."""
        found: dict[str, str] = {}
        for root in self.roots:
            query = self._query(root, sub)
            if query is None:
                continue
            for tenant, role in (await conn.execute(query)).all():
                if tenant is None:
                    continue
                level = _level(root, role)
                key = str(tenant).lower()
                if _rank(level) > _rank(found.get(key)):
                    found[key] = level
        return found

    def _query(self, root: TenantRoot, sub: str) -> sa.Select | None:
        m = self.metadata.tables.get(root.membership)
        if m is None:
            return None
        user = _as(m.c[root.member_user], sub)
        if user is None:
            return None
        role: Any = sa.null()
        if root.role_column:
            role = m.c[root.role_column]
            if root.role_lookup:
                lt, lk, ln = root.role_lookup
                r = self.metadata.tables[lt]
                role = sa.select(r.c[ln]).where(r.c[lk] == m.c[root.role_column]).scalar_subquery()
        return sa.select(m.c[root.member_tenant], role).where(m.c[root.member_user] == user)


LEVELS = ("reader", "writer", "admin", "owner")


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def _level(root: TenantRoot, role: Any) -> str:
    if not root.role_column:
        return "writer"
    for r in root.roles:
        if r.name == role:
            return r.level
    return "reader"


def _as(column: sa.ColumnElement[Any], sub: str) -> Any:
    """The user id as the column's type; None when it cannot be one (so nothing matches)."""
    kind = column.type
    try:
        if isinstance(kind, sa.Uuid):
            return uuid.UUID(sub)
        if isinstance(kind, sa.Integer):
            return int(sub)
    except ValueError:
        return None
    return sub
