"""The access gate as an RPC sees it: one request's caller, ready for ``docbase.conventions.rpc``.

Conventions sit below the API and cannot import the gate, so ``rest.rpc``
hands them this small object instead (``conventions.rpc.RpcScope``). It
answers the same questions a GET asks: may this role read the table at all
(401/403 as PostgREST), which rows (PostgreSQL: the transaction runs as the
caller with the JWT claims, so row-level security filters; SQLite: the
gate's read predicate, compiled to SQL text on the alias the RPC's own
statement uses), and which columns stay hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .access_gate import AccessGate
from .sql.compiled import compile_statement


class RpcScope:
    def __init__(self, gate: AccessGate | None, claims: Mapping[str, Any], role: str, sub: Any) -> None:
        self.gate, self.claims, self.role, self.sub = gate, dict(claims), role, sub

    def require(self, table: str, command: str) -> None:
        if self.gate is None:
            if self.role != "service_role":
                from .errors import permission_denied

                raise permission_denied(table, 401 if self.role == "anon" else 403)
            return
        self.gate.require(table, command, self.role)

    async def begin(self, tx: Any) -> None:
        if self.gate is not None:
            await self.gate.begin(tx, self.claims or {"role": self.role})

    def read_filter(self, table: str, alias: str) -> tuple[str, list[Any]] | None:
        if self.gate is None:
            return None
        target = self.gate.catalog.sa_table(table).alias(alias)
        cond = self.gate.row_filter(table, target, "select", self.role)
        if cond is None:
            return None
        compiled = compile_statement(cond, self.gate.catalog.dialect)
        return compiled.sql, compiled.params([], self.sub)

    def hidden(self, table: str) -> frozenset[str]:
        return self.gate.hidden(table, self.role) if self.gate is not None else frozenset()
