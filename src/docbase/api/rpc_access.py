"""The access question as an RPC asks it: one request's caller, ready for ``docbase.conventions.rpc``.

Conventions sit below the API and cannot import it, so ``rest.rpc`` hands
them this small object (``conventions.rpc.RpcScope``). It asks the same
``docbase.access.decide.Access`` a GET asks: may this role read the table at
all (401/403 as PostgREST), which rows (PostgreSQL: the transaction runs as
the caller with the JWT claims, so row-level security filters; SQLite: the
read predicate, compiled to SQL text on the alias the RPC's own statement
uses), and which columns stay hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..access.decide import Access, Transaction
from ..access.principal import Principal
from .catalog import Catalog
from .sql.compiled import compile_statement


class RpcScope:
    def __init__(self, gate: Access, catalog: Catalog, claims: Mapping[str, Any], role: str, sub: Any) -> None:
        self.gate, self.catalog, self.claims, self.role, self.sub = gate, catalog, dict(claims), role, sub
        self.who = Principal.of(self.claims or None, role)

    def require(self, table: str, command: str) -> None:
        """As a GET would ask: the whole principal, so an API key's limits and ``require_aal2`` hold for RPCs."""
        self.gate.require(table, command, self.who)

    async def begin(self, tx: Transaction) -> None:
        await self.gate.begin(tx, self.who)

    def read_filter(self, table: str, alias: str) -> tuple[str, list[Any]] | None:
        target = self.catalog.sa_table(table).alias(alias)
        cond = self.gate.row_filter(table, target, "select", self.role)
        if cond is None:
            return None
        compiled = compile_statement(cond, self.catalog.dialect)
        return compiled.sql, compiled.params([], self.sub)

    def hidden(self, table: str) -> frozenset[str]:
        return self.gate.hidden(table, self.role)
