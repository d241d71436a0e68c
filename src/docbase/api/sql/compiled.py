"""Compile a statement once per query shape; afterwards only compute the new values and line them up.

The key is the request's shape (table, method, select, filter columns and
operators, order, which limits are present, list lengths), never its values.
A cached entry keeps the SQL text, the parameter names in positional order,
and the values of SQLAlchemy's own constant parameters (JSON keys, literal
labels), so a hit costs a dict lookup plus the value conversions: no
SQLAlchemy construct is built on that path. Each statement builder has a
``*_values`` twin that yields the same values in the same order; on every
miss the two are compared (``check_values``), so a drift is caught by the
first test that compiles the shape rather than binding wrong values.
"""

from __future__ import annotations

import re
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..query.syntax import Query

_MINE = re.compile(r"^p(\d+)$")
USER_PARAM = "docbase_sub"  # access predicates' parameter for the user's id (docbase.access.sqlite_policies.SUB)
USER = -1
_DIALECTS = {"postgresql": postgresql.asyncpg.dialect(), "sqlite": sqlite.dialect(paramstyle="qmark")}


@dataclass(frozen=True)
class Compiled:
    sql: str
    slots: tuple[int | None, ...]  # index into the request's values, USER for the caller's id, None for a constant
    constants: tuple[Any, ...]

    def params(self, values: list[Any], sub: Any = None) -> list[Any]:
        """Driver values in order; ``sub`` is the signed-in user's id wherever access rules compare with it."""
        return [
            (sub if s == USER else values[s]) if s is not None else c
            for s, c in zip(self.slots, self.constants, strict=True)
        ]


def compile_statement(stmt: sa.ClauseElement, dialect: str) -> Compiled:
    with warnings.catch_warnings():
        # An insert that leaves out a key with no default (the document gave none) is the database's
        # to refuse: PostgREST answers 23502 not_null_violation, and so does docbase.
        warnings.filterwarnings("ignore", r".*is marked as a member of the primary key", sa.exc.SAWarning)
        compiled = stmt.compile(dialect=_DIALECTS[dialect])
    names = compiled.positiontup or []
    binds = compiled.binds
    slots, constants = [], []
    for name in names:
        mine = _MINE.match(name)
        if name == USER_PARAM:
            slots.append(USER)
            constants.append(None)
            continue
        slots.append(int(mine.group(1)) if mine else None)
        constants.append(None if mine else binds[name].effective_value)
    return Compiled(compiled.string, tuple(slots), tuple(constants))


def query_shape(query: Query) -> tuple:
    """Everything in a Query that changes its SQL, and nothing that only changes values."""
    return (
        query.select,
        tuple((path, tuple(c.shape() for c in conds)) for path, conds in query.where.items()),
        tuple(query.order.items()),
        tuple(query.limit),
        tuple(path for path, n in query.offset.items() if n),
        query.columns,
        query.on_conflict,
    )


class ShapeCache:
    """A bounded LRU of compiled statements keyed by shape."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[Any, Compiled] = OrderedDict()

    def lookup(self, key: Any) -> Compiled | None:
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    def store(self, key: Any, stmt: sa.ClauseElement, dialect: str) -> Compiled:
        """Compile ``stmt`` and keep it under ``key``, which must determine its SQL (not its values)."""
        compiled = compile_statement(stmt, dialect)
        self._items[key] = compiled
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return compiled

    def __len__(self) -> int:
        return len(self._items)


def check_values(built: list[Any], mirrored: list[Any]) -> None:
    if built != mirrored:
        raise RuntimeError(f"bound values out of step with their statement: {built!r} != {mirrored!r}")
