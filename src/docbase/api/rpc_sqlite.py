"""``/rest/v1/rpc/<fn>`` on SQLite: the document's SQL-language functions run as their translated bodies.

docbase.api.sqlite_routines reads each function from the document. A ``SELECT`` body
returning a table's rows becomes the source the table's own statement builder reads
(select, embeds, filters, order, limits, counts, and the table's row rules); any
other result is shaped as PostgREST shapes it (a scalar as a JSON value, a set as an
array, a row as an object, ``void`` as 204). Results that are not a table's rows, and
bodies that write, run for service_role only: SQLite has no row-level security
inside a body (see that module's docstring).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from .errors import ApiError
from .rest import RestApi
from .routine_rows import result_table
from .routines import choose, no_function, postgresql_only
from .rpc_routines import as_table, read_arguments, refuse_filters, value_response
from .sql.compiled import compile_statement
from .sql.conditions import Binder
from .sqlite_routines import SqliteRoutine

_INTEGERS = {"integer", "int", "int4", "bigint", "int8", "smallint", "int2"}
_NUMBERS = {"numeric", "real", "double precision", "float8", "float4", "decimal"}


def _value(value: Any, type_name: str) -> Any:
    """A JSON or query-string argument as SQLite binds it for a parameter of ``type_name``."""
    if value is None:
        return None
    try:
        if type_name in _INTEGERS:
            return int(value)
        if type_name in _NUMBERS:
            return float(value)
        if type_name in ("boolean", "bool"):
            return int(value if isinstance(value, bool) else str(value).lower() in ("true", "t", "1", "yes", "on"))
    except (TypeError, ValueError):
        raise ApiError(400, "22P02", f'invalid input syntax for type {type_name}: "{value}"') from None
    if type_name in ("json", "jsonb") or type_name.endswith("[]") or isinstance(value, dict | list):
        return value if isinstance(value, str) and not type_name.endswith("[]") else orjson.dumps(value).decode()
    return str(value) if not isinstance(value, str) else value


def _bound(routine: SqliteRoutine, args: dict[str, Any], bind: Binder) -> sa.TextClause:
    """The body with each ``:param`` a bound value (the request's, else the parameter's default)."""
    types = {p.name: p.type for p in routine.params}
    names: dict[str, str] = {}
    params = []
    for name in dict.fromkeys(routine.order):
        if name in args:
            param = bind(_value(args[name], types[name]), sa.Text())
        else:
            param = bind(routine.defaults.get(name), sa.Text())
        names[name] = param.key
        params.append(param)
    text = re.sub(r":(\w+)", lambda m: f":{names.get(m.group(1), m.group(1))}", routine.body)
    return sa.text(text).bindparams(*params)


def _json(value: Any, type_name: str) -> Any:
    if type_name in ("boolean", "bool") and value is not None:
        return bool(value)
    if type_name in ("json", "jsonb") and isinstance(value, str):
        return orjson.Fragment(value)
    return value


async def serve_sqlite_routine(api: RestApi, request: Request, name: str) -> Response:
    found, refused = api.sqlite_routines()
    overloads = found.get(name)
    if not overloads:
        if name in refused:
            raise postgresql_only(name)
        raise no_function(name, [])
    args, rest, single = await read_arguments(api, request, overloads)
    if single:
        routine = choose(overloads, name, set(), True)
        args = {routine.params[0].name: args}
    else:
        routine = choose(overloads, name, set(args), False)
    assert isinstance(routine, SqliteRoutine)
    rows_of_table = routine.returns_set and routine.table in api.catalog.tables and routine.kind == "select"
    if request.state.role != "service_role" and not rows_of_table:
        raise ApiError(
            403,
            "42501",
            f"permission denied for function {name}",
            "On SQLite a function body runs without row-level security, so only service_role may call a "
            "function that does not return rows of a document table; serve on PostgreSQL to call it as a user.",
        )
    readonly = request.method in ("GET", "HEAD")
    if readonly and routine.kind == "write":
        verb = routine.body.split(None, 1)[0].upper()
        raise ApiError(405, "25006", f"cannot execute {verb} in a read-only transaction")
    prefer = api._prefer(request)
    bind = Binder()
    body = _bound(routine, args, bind)
    async with api.db.transaction(readonly=readonly) as tx:
        if not await _runs(api, tx, routine):
            raise postgresql_only(name)
        await api._begin(tx, request)
        if rows_of_table:
            table = api.catalog.tables[routine.table]
            source = body.columns(*[sa.column(c.name) for c in table.columns]).subquery("rpc")
            response = await as_table(api, request, tx, routine, source, bind, rest, prefer)
        elif routine.kind == "select" and routine.returns_set and routine.returns_composite and not routine.table:
            result = result_table(routine, routine.column_types)
            source = _named(body, routine.columns).subquery("rpc")
            response = await as_table(api, request, tx, routine, source, bind, rest, prefer, result)
        else:
            refuse_filters(name, rest)
            response = await _as_value(request, tx, routine, body, bind, prefer)
        api._end(tx, prefer)
    return response


def _named(body: sa.TextClause, names: tuple[str, ...]) -> sa.TextualSelect:
    """The body's rows under the names RETURNS TABLE gives them: SQLite names a compound select's columns
    after its first member, so an empty first member carries the names and the body's own (``upper(x)``,
    unnamed) do not matter."""
    heads = ", ".join(f'NULL AS "{n.replace(chr(34), chr(34) * 2)}"' for n in names)
    named = sa.text(f"SELECT {heads} WHERE 0 UNION ALL SELECT * FROM ({body.text})").bindparams(
        *body._bindparams.values()
    )
    return named.columns(*[sa.column(n) for n in names])


async def _runs(api: RestApi, tx: Any, routine: SqliteRoutine) -> bool:
    """Whether SQLite accepts the translated body (sqlglot writes ``unnest`` and the like as SQLite has
    no such thing); asked once per function (SqliteRoutine.probe)."""
    key = (routine.name, tuple(p.name for p in routine.params))
    known = api.sqlite_runnable.get(key)
    if known is None:
        known = True
        if routine.body:
            try:
                await tx.rows(*routine.probe())
            except ApiError:
                known = False
        api.sqlite_runnable[key] = known
    return known


async def _as_value(
    request: Request, tx: Any, routine: SqliteRoutine, body: sa.TextClause, bind: Binder, prefer: Any
) -> Response:
    rows: list[tuple] = []
    if routine.kind != "empty":
        compiled = compile_statement(body, "sqlite")
        rows = await tx.rows(compiled.sql, compiled.params(bind.values, request.state.sub))
    if routine.void:
        return Response(b"", 204)
    if routine.returns_composite:
        names = routine.columns
        shaped: Any = [dict(zip(names, row, strict=False)) for row in rows]
    else:
        shaped = [_json(row[0], routine.return_type) for row in rows]
    if not routine.returns_set:
        shaped = shaped[0] if shaped else None
    return value_response(request, orjson.dumps(shaped), len(shaped) if routine.returns_set else 1, prefer)
