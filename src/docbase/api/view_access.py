"""The access gate for the document's views: a view is read with its base tables' rules, never past them.

PostgreSQL: views are created ``security_invoker`` (docbase.ddl.postgres), so the base tables'
row-level security applies to the caller; the gate only maps the view to its bases for the
command check (a role reads a view when it may read every base) and for hidden columns (a view
column reading a hidden base column is hidden too). SQLite: the base table's row filter is
applied through the base's primary key (``EXISTS (SELECT 1 FROM base WHERE base.key = view.key
AND <rule>)``); a view that does not show the primary key of a base whose rows are filtered for
the caller cannot be filtered, and is refused with a 403 naming the view and the table (never
served unfiltered). Writing through a view: PostgreSQL for simple views; SQLite refuses (PGRST127).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from ..access.decide import Access, Denied
from ..access.principal import Principal
from ..schema.model import Column
from ..schema.views import View
from .catalog import Catalog
from .errors import postgresql_only_feature


class ViewAccess:
    """``docbase.access.decide.Access`` over ``inner``, extended to the catalog's views."""

    def __init__(self, inner: Access, catalog: Catalog) -> None:
        self.inner = inner
        self.catalog = catalog
        self.views: dict[str, View] = catalog.views
        self.sqlite = catalog.dialect == "sqlite"

    def __getattr__(self, name: str) -> Any:  # everything views do not change (model, permissions...)
        return getattr(self.inner, name)

    def _tables(self, view: View) -> list[str]:
        """The stored tables under ``view`` (through views of views)."""
        out: list[str] = []
        for base in view.bases:
            out.extend(self._tables(self.views[base]) if base in self.views else [base])
        return out

    def require(self, table: str, command: str, who: Principal) -> None:
        view = self.views.get(table)
        if view is None:
            return self.inner.require(table, command, who)
        if command != "select" and self.sqlite:
            raise postgresql_only_feature(f"writing through view {table}", "SQLite views are read-only")
        for base in self._tables(view):
            self.inner.require(base, command, who)

    def allows(self, table: str, command: str, who: Principal) -> bool:
        view = self.views.get(table)
        if view is None:
            return self.inner.allows(table, command, who)
        if command != "select" and (self.sqlite or not view.updatable):
            return False
        return all(self.inner.allows(b, command, who) for b in self._tables(view))

    def hidden(self, table: str, role: str) -> frozenset[str]:
        view = self.views.get(table)
        if view is None:
            return self.inner.hidden(table, role)
        return frozenset(c.column.name for c in view.columns if self._reads_hidden(c.reads, role))

    def _reads_hidden(self, reads: Iterable[tuple[str, str]], role: str) -> bool:
        for table, column in reads:
            if table in self.views:
                inner = next((c for c in self.views[table].columns if c.column.name == column), None)
                if inner is None or self._reads_hidden(inner.reads, role):
                    return True
            elif column in self.inner.hidden(table, role):
                return True
        return False

    def columns(self, table: str, role: str) -> Mapping[str, Column]:
        if table not in self.views:
            return self.inner.columns(table, role)
        hidden = self.hidden(table, role)
        return {n: c for n, c in self.catalog.columns[table].items() if n not in hidden}

    def returning(self, table: str, role: str) -> tuple[str, ...] | None:
        if table not in self.views:
            return self.inner.returning(table, role)
        hidden = self.hidden(table, role)
        return tuple(c for c in self.catalog.columns[table] if c not in hidden) if hidden else None

    def _base_names(self, view: View, names: Iterable[str]) -> tuple[str, list[str]]:
        sources = {c.column.name: c.source for c in view.columns}
        base = view.bases[0]
        return base, [s[1] for n in names if (s := sources.get(n)) is not None and s[0] == base]

    def refuse_columns(self, table: str, role: str, names: Iterable[str], updating: bool) -> None:
        view = self.views.get(table)
        if view is None:
            return self.inner.refuse_columns(table, role, names, updating)
        base, mapped = self._base_names(view, names)
        if base not in self.views:
            self.inner.refuse_columns(base, role, mapped, updating)

    def refuse_upsert(self, table: str, role: str, names: Iterable[str]) -> None:
        view = self.views.get(table)
        if view is None:
            return self.inner.refuse_upsert(table, role, names)
        base, mapped = self._base_names(view, names)
        if base not in self.views:
            self.inner.refuse_upsert(base, role, mapped)

    def creator_values(self, table: str, who: Principal) -> dict[str, Any]:
        view = self.views.get(table)
        if view is None:
            return self.inner.creator_values(table, who)
        base = view.bases[0]
        if base in self.views:
            return {}
        values = self.inner.creator_values(base, who)
        return {name: v for column, v in values.items() if (name := view.column_from(base, column))}

    def row_filter(
        self, table: str, target: sa.FromClause, command: str, role: str, include_deleted: bool = False
    ) -> sa.ColumnElement | None:
        view = self.views.get(table)
        if view is None:
            return self.inner.row_filter(table, target, command, role)
        if not self.sqlite:
            return None  # security_invoker: the bases' row-level security applies
        parts = []
        for base in view.bases:
            alias = self.catalog.sa_table(base).alias(f"{target.name}_{base}")
            rule = self.row_filter(base, alias, command, role)
            if rule is None:
                continue
            key = self.catalog.tables[base].primary_key
            shown = [view.column_from(base, k) for k in key]
            if not key or not all(shown):
                raise Denied(
                    401 if role == "anon" else 403,
                    "42501",
                    f"permission denied for view {table}",
                    f"the rows of {base} are limited for {role}, and on SQLite docbase limits a view's rows "
                    f"through {base}'s primary key, which {table} does not show",
                    f"Add {base}'s primary key to the view, or serve the document on PostgreSQL.",
                )
            same = sa.and_(*[alias.c[k] == target.c[s] for k, s in zip(key, shown, strict=True)])  # type: ignore[index]
            parts.append(sa.exists(sa.select(sa.literal(1)).select_from(alias).where(same, rule)))
        return sa.and_(*parts) if parts else None

    def check_statement(self, table: str, command: str, role: str) -> sa.Select | None:
        return None if table in self.views else self.inner.check_statement(table, command, role)

    async def check_rows(self, tx: Any, table: str, command: str, role: str, sub: Any, rows: Any) -> None:
        if table not in self.views:
            await self.inner.check_rows(tx, table, command, role, sub, rows)

    def claim_statement(self, table: str) -> tuple[sa.Insert, tuple[str, ...]] | None:
        return None if table in self.views else self.inner.claim_statement(table)

    def checked_first(self, table: str, rows: list[tuple]) -> list[tuple]:
        return rows if table in self.views else self.inner.checked_first(table, rows)

    async def begin(self, tx: Any, who: Principal) -> None:
        await self.inner.begin(tx, who)

    async def as_role(self, tx: Any, role: str) -> None:
        await self.inner.as_role(tx, role)
