"""Where the document's conventions meet a REST request: one object, called at fixed points of the path.

Conventions (docbase.conventions) see one table at a time and no HTTP; the
access rules (docbase.access.decide) know no conventions. ``ConventionHooks``
is the one place the two meet the request path, so ``rest.RestApi`` names no
convention itself:

- ``claims``: a request carrying one of the document's API keys acts as the key's owner;
- ``translate``: the caller's filters on hashed-token columns compare hashes (a translation, no rule);
- ``live``: the soft-delete convention's marks, which docbase.access.live_rows ANDs into the row
  filter at every depth (never a filter added to the caller's query); ``include_deleted`` says when
  service_role asked to see marked rows;
- ``explained``: a refusal completed with what SQLite's trigger cannot say (a plan quota's count and limit);
- ``before_write`` / ``refuse_mark``: schedules checked, tokens hashed, secrets encrypted; the
  soft-delete mark is DELETE's to write (the delete rule decides), ``mark`` says what DELETE sets;
- ``after_write``: the audit row, written as the system inside the write's transaction;
- ``present``: secrets decrypted or masked, new tokens shown once, in embeds too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..access.decide import Access, Denied, Transaction
from ..access.live_rows import LiveRows
from ..conventions.runtime import Conventions, api_key_claims, user_from
from ..db.errors import DbError
from .catalog import Catalog
from .db import Database
from .embed_conventions import present_text, wants_deleted

#: Values of the soft-delete mark that leave a row alive: writing one is no delete.
_UNMARKED = (None, False, 0, "false", "f", "0")


class ConventionHooks:
    def __init__(self, conventions: Conventions, catalog: Catalog, db: Database, gate: Access) -> None:
        self.conventions, self.catalog, self.db, self.gate = conventions, catalog, db, gate

    async def claims(self, headers: Mapping[str, str]) -> dict[str, Any] | None:
        """The claims of the API key the request carries (its owner's), or None when it carries none."""
        return await api_key_claims(self.conventions, headers, self.db)

    def translate(self, table: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return self.conventions.query_params(table, items)

    @staticmethod
    def live(conventions: Conventions, gate: Access) -> Access:
        """``gate`` with soft-deleted rows out of its row filter (docbase.access.live_rows), for every transport."""
        return LiveRows(gate, conventions.delete_marks())

    def include_deleted(self, role: str, items: list[tuple[str, str]], prefer: str | None) -> bool:
        """service_role asking for soft-deleted rows (``?include_deleted=true`` or ``Prefer: include-deleted``)."""
        return wants_deleted(role, items, prefer)

    async def explained(self, tx: Transaction, table: str, rows: list[dict[str, Any]], error: DbError) -> DbError:
        """An insert's refusal with what SQLite's trigger could not say (a plan quota's count and limit)."""
        if self.db.dialect != "sqlite" or error.code != "P0001" or not self.conventions.quotas:
            return error
        from ..conventions import quota_sql

        return await quota_sql.explained(tx, self.conventions.sql, self.conventions.quotas, table, rows, error)

    def before_write(
        self, table: str, rows: list[dict[str, Any]], creating: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        return self.conventions.before_write(table, rows, creating)

    def mark(self, table: str) -> dict[str, Any] | None:
        """What DELETE sets on a soft-delete table (None: DELETE removes the row)."""
        return self.conventions.delete_as_update(table)

    def refuse_mark(self, table: str, role: str, names: Any) -> None:
        """The soft-delete mark is written by DELETE, judged by the delete rule: a PATCH or an upsert setting it
        would let a role that may update but not delete remove rows (PostgreSQL's UPDATE policy allowed it)."""
        mark = self.mark(table)
        if not mark or role == "service_role" or not isinstance(names, dict):
            return
        # a whole row (PUT) names the mark too: only a value that marks the row deleted is refused
        hit = next((n for n, v in names.items() if n in mark and v not in _UNMARKED), None)
        if hit is None:
            return
        raise Denied(
            401 if role == "anon" else 403,
            "42501",
            f"permission denied for table {table}",
            f'column "{hit}" is the soft-delete mark: DELETE the row to mark it (the delete rule decides); '
            "only service_role writes it directly",
        )

    async def after_write(
        self,
        tx: Transaction,
        table: str,
        action: str,
        rows: list,
        columns: tuple,
        claims: Mapping[str, Any] | None,
        role: str,
    ) -> None:
        """The audit trail is the system's write: as service_role, then back to the caller's role (nothing
        sent for a table without one)."""
        if not rows or not self.conventions.audits(table):
            return
        user = user_from(dict(claims) if claims else None)
        if role != "service_role":
            await self.gate.as_role(tx, "service_role")
        await self.conventions.after_write(tx, table, action, rows, columns, user)
        if role != "service_role":
            await self.gate.as_role(tx, role)

    def audits(self, table: str) -> bool:
        return self.conventions.audits(table)

    def reshapes(self, table: str) -> bool:
        """Whether the table's rows are changed on the way out (secrets, new tokens)."""
        return self.conventions.reshapes(table)

    def present(self, table: str, items: tuple, text: bytes, role: str, revealed: list | None = None) -> bytes:
        return present_text(self.conventions, self.catalog, table, items, text, role, revealed)
