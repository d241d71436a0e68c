"""Rows as one caller may read them through /rest/v1, for other transports (realtime) to reuse.

A change is only worth sending to a subscriber who may read the row; asking
the REST read path itself (same compiled statement, same role switch with the
caller's claims on PostgreSQL, same access predicates on SQLite, the same
row filter leaving soft-deleted rows out, same masking of secret columns) keeps one answer to "may
this principal read this row?" instead of a second copy that could drift.

A deleted row can no longer be read, so ``was_visible`` puts it back inside a
transaction that always rolls back and reads it there as the caller: the
rules are judged on the row as it was, against everything else as it is now.
The same holds for an insert or update whose row is gone by the time its event
is judged (written and deleted between two polls, or in one transaction), or
marked soft-deleted since: the captured record is put back and read, so the
event is not lost.
On PostgreSQL a superuser connection sets ``session_replication_role = replica``
for that transaction so no trigger or foreign key fires; a row that cannot be
put back (a unique value taken again since) counts as not visible.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from ..access.decide import Denied
from ..access.principal import Principal
from ..conventions import soft_delete
from ..schema.model import Table
from .errors import ApiError
from .query import parse_query
from .rest import RestApi

log = logging.getLogger("docbase.api")


class RowReader:
    def __init__(self, rest: RestApi) -> None:
        self.rest = rest
        self.catalog = rest.catalog
        self._superuser: bool | None = None

    def may_read_table(self, table: str, claims: dict[str, Any]) -> bool:
        """Whether the caller's role may select from ``table`` at all (PostgREST's privilege check)."""
        return self.rest.gate.allows(table, "select", Principal.of(claims))

    def _query(self, table: Table, row: dict[str, Any]) -> Any:
        items = [("select", "*")]
        for name in table.primary_key:
            value = row.get(name)
            if value is None:
                return None
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            items.append((name, f"eq.{text}"))
        return parse_query(self.rest.hooks.translate(table.name, items))  # soft-deleted: the gate leaves it out

    async def _read(self, tx: Any, table: Table, query: Any, claims: dict[str, Any]) -> dict[str, Any] | None:
        role = str(claims.get("role") or "anon")
        compiled, _, values = self.rest._read_statements(table, query, None, None, role)
        sub = claims.get("sub") if role == "authenticated" else None
        await self.rest.gate.begin(tx, Principal.of(claims))
        body, _ = (await tx.rows(compiled.sql, compiled.params(values, sub)))[0]
        text = body.encode() if isinstance(body, str) else orjson.dumps(body)
        text = self.rest.hooks.present(table.name, query.select, text, role)
        rows = orjson.loads(text)
        return rows[0] if rows else None

    async def visible(self, table_name: str, row: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any] | None:
        """The row (found by its primary key) as ``claims`` reads it through /rest/v1, or None.

        A row deleted since the change was captured is judged as it was (``as_it_was``)."""
        table = self.catalog.table(table_name)
        if not table.primary_key or not self.may_read_table(table.name, claims):
            return None
        query = self._query(table, row)
        if query is None:
            return None
        try:
            async with self.rest.db.transaction(readonly=True) as tx:
                found = await self._read(tx, table, query, claims)
            if found is not None:
                return found
            stored = await self._stored(table, row)
        except (ApiError, Denied) as exc:
            log.debug("realtime: reading %s for a subscriber failed: %s", table.name, exc.message)
            return None
        if stored is None:
            return await self._as_it_was(table, query, row, claims)
        if self.soft_deleted(table.name, stored) and not self.soft_deleted(table.name, row):
            return await self._as_it_was(table, query, row, claims, still_there=True)  # marked since captured
        return None

    def soft_deleted(self, table_name: str, record: dict[str, Any] | None) -> bool | None:
        """Whether ``record`` carries the soft-delete mark; None when ``table_name`` does not soft-delete."""
        applied = self.rest.hooks.conventions.get(soft_delete.NAME, table_name)
        return None if applied is None else soft_delete.is_marked(applied, record)

    async def was_visible(
        self, table_name: str, old: dict[str, Any], claims: dict[str, Any], still_there: bool = False
    ) -> bool:
        """Whether ``claims`` could read the row ``old`` (its stored values) right before it went.

        ``still_there``: the row is in the table with other values (a soft delete marked it), so it is
        set back to ``old`` rather than inserted again."""
        table = self.catalog.table(table_name)
        if not table.primary_key or not self.may_read_table(table.name, claims):
            return False
        if claims.get("role") == "service_role":
            return True
        query = self._query(table, old)
        if query is None:
            return False
        return await self._as_it_was(table, query, old, claims, still_there) is not None

    async def _stored(self, table: Table, row: dict[str, Any]) -> dict[str, Any] | None:
        """The soft-delete mark of the row with ``row``'s primary key as stored now, whoever may read it
        (an empty dict when the table has no mark); None when no such row is in the table."""
        applied = self.rest.hooks.conventions.get(soft_delete.NAME, table.name)
        marks = [m for m in (applied.role("flag"), applied.role("stamp")) if m] if applied is not None else []
        pg = self.catalog.dialect == "postgresql"
        where = " AND ".join(
            '"' + k.replace('"', '""') + '"' + (f"::text = ${i}" if pg else " = ?")
            for i, k in enumerate(table.primary_key, 1)
        )
        values = [str(row.get(k)) if pg else row.get(k) for k in table.primary_key]
        quoted = '"' + table.name.replace('"', '""') + '"'
        picked = ", ".join(["1", *('"' + m.replace('"', '""') + '"' for m in marks)])
        async with self.rest.db.transaction(readonly=True) as tx:
            rows = await tx.rows(f"SELECT {picked} FROM {quoted} WHERE {where} LIMIT 1", values)
        return dict(zip(marks, rows[0][1:], strict=True)) if rows else None

    async def _as_it_was(
        self, table: Table, query: Any, record: dict[str, Any], claims: dict[str, Any], still_there: bool = False
    ) -> dict[str, Any] | None:
        """``record`` put back (inserted, or its row set back to it when ``still_there``) in a transaction that
        rolls back, read as ``claims``."""
        try:
            async with self.rest.db.transaction() as tx:
                tx.rollback = True  # nothing of this check is ever kept
                if self.catalog.dialect == "postgresql":
                    await self._restore_pg(tx, table, record, still_there)
                else:
                    await self._restore_sqlite(tx, table, record, still_there)
                return await self._read(tx, table, query, claims)
        except (ApiError, Denied) as exc:
            log.debug("realtime: judging a %s row as it was failed: %s", table.name, exc.message)
            return None

    async def _restore_sqlite(self, tx: Any, table: Table, old: dict[str, Any], still_there: bool = False) -> None:
        await tx.rows("PRAGMA defer_foreign_keys = ON", [])
        names = [c.name for c in table.columns if c.name in old]
        values = []
        for name in names:
            column = table.column(name)
            value = old[name]
            if column is not None and column.type in ("bytes", "vector") and isinstance(value, str):
                value = bytes.fromhex(value)
            values.append(value)
        quoted = '"' + table.name.replace('"', '""') + '"'
        if still_there:
            sets = ", ".join('"' + n.replace('"', '""') + '" = ?' for n in names)
            where = " AND ".join('"' + k.replace('"', '""') + '" = ?' for k in table.primary_key)
            keys = [old.get(k) for k in table.primary_key]
            await tx.rows(f"UPDATE {quoted} SET {sets} WHERE {where}", [*values, *keys])
            return
        cols = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
        marks = ", ".join("?" for _ in names)
        await tx.rows(f"INSERT INTO {quoted} ({cols}) VALUES ({marks})", values)

    async def _restore_pg(self, tx: Any, table: Table, old: dict[str, Any], still_there: bool = False) -> None:
        if self._superuser is None:
            self._superuser = bool(await tx.value("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", []))
        if self._superuser:
            await tx.value("SELECT set_config('session_replication_role', 'replica', true)", [])
        quoted = '"' + table.name.replace('"', '""') + '"'
        if still_there:
            q = ['"' + c.name.replace('"', '""') + '"' for c in table.columns if c.name in old]
            sets = ", ".join(f"{c} = r.{c}" for c in q)
            where = " AND ".join(
                f'x."{k.replace(chr(34), chr(34) * 2)}" = r."{k.replace(chr(34), chr(34) * 2)}"'
                for k in table.primary_key
            )
            await tx.value(
                f"UPDATE {quoted} AS x SET {sets} FROM jsonb_populate_record(NULL::{quoted}, $1::jsonb) AS r "
                f"WHERE {where}",
                [orjson.dumps(old).decode()],
            )
            return
        await tx.value(
            f"INSERT INTO {quoted} SELECT * FROM jsonb_populate_record(NULL::{quoted}, $1::jsonb)",
            [orjson.dumps(old).decode()],
        )

    async def is_member(self, tenant: str, claims: dict[str, Any], roles: tuple[str, ...] = ()) -> bool:
        """Whether the signed-in caller belongs to the tenant whose key is ``tenant`` (any tenant root), with one
        of the membership ``roles`` when given (a root without a role column then admits no one)."""
        sub = claims.get("sub")
        model = getattr(self.rest.gate, "model", None)  # ServiceRoleOnly (no rules) has no tenants
        if claims.get("role") != "authenticated" or not sub or model is None:
            return False
        pg = self.catalog.dialect == "postgresql"

        def q(name: str) -> str:
            return '"' + name.replace('"', '""') + '"'

        for root in model.roots:
            if roles and root.role_column is None:
                continue
            numbers = iter(range(1, 1000))

            def mark(numbers: Any = numbers) -> str:
                return f"${next(numbers)}" if pg else "?"

            cast = "::text" if pg else ""
            sql = (
                f"SELECT 1 FROM {q(root.membership)} WHERE {q(root.member_tenant)}{cast} = {mark()} "
                f"AND {q(root.member_user)}{cast} = {mark()}"
            )
            params: list[Any] = [tenant, str(sub)]
            if roles:
                names = ", ".join(mark() for _ in roles)
                if root.role_lookup is not None:
                    table, key, label = root.role_lookup
                    sql += (
                        f" AND {q(root.role_column)}{cast} IN (SELECT {q(key)}{cast} FROM {q(table)} "
                        f"WHERE {q(label)}{cast} IN ({names}))"
                    )
                else:
                    sql += f" AND {q(root.role_column)}{cast} IN ({names})"
                params.extend(roles)
            try:
                async with self.rest.db.transaction(readonly=True) as tx:
                    if await tx.rows(sql + " LIMIT 1", params):
                        return True
            except (ApiError, Denied):
                continue
        return False
