"""``GET|POST /rest/v1/rpc/<fn>`` for the document's own functions (docbase.api.routines).

GET and HEAD run in a read-only transaction, as PostgREST runs them, so a
function that writes answers 25006 there and works through POST. A
function returning rows of a document table is read through the same
statement builder as the table itself (select, embeds, filters, order,
limits, counts); any other result is shaped as PostgREST shapes it: a
scalar as a JSON value, a set as an array, a row as an object, ``void``
as 204 with no body.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from ..schema.model import Table
from .errors import ApiError
from .query import parse_query
from .request import check_profile, parse_range, read_body
from .rest import RestApi, content_range
from .rest import _max_affected as max_affected
from .routine_rows import ResultGate, result_table, with_result
from .routines import Routine, call, choose, no_function, routine_key, single_object_call
from .sql.compiled import compile_statement
from .sql.conditions import Binder
from .sql.counting import count_rows
from .sql.read import read_statement

_RESERVED = {"select", "order", "limit", "offset", "and", "or", "not.and", "not.or", "columns", "on_conflict"}


async def read_arguments(api: RestApi, request: Request, overloads: list[Routine]) -> tuple[Any, list, bool]:
    """(arguments, the other query parameters, single-object): GET takes them from the query string (the
    parameters some overload names), POST from the JSON body."""
    single = api._prefer(request).params == "single-object"
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "apikey"]
    if request.method in ("GET", "HEAD"):
        known = {p.name for r in overloads for p in r.params}
        args: Any = {k: v for k, v in items if k in known and k not in _RESERVED}
        return args, [(k, v) for k, v in items if k not in args], single
    args = await read_body(request, api.max_body_bytes, api.limits.json_depth) if await request.body() else {}
    if not single and not isinstance(args, dict):
        raise ApiError(400, "PGRST102", "RPC arguments must be one JSON object")
    return args, items, single


def profile_key(api: RestApi, request: Request, name: str) -> str:
    """The function ``name`` in the schema the request's profile names (``Content-Profile`` for POST,
    ``Accept-Profile`` for GET; PGRST106 for one not exposed), keyed as served (routines.routine_key)."""
    return routine_key(check_profile(request, api.catalog.exposed), name)


async def serve_routine(api: RestApi, request: Request, name: str) -> Response:
    """Answer one call of the document's function ``name`` (``api`` is the RestApi serving the request)."""
    name = profile_key(api, request, name)
    if api.catalog.dialect != "postgresql":
        from .rpc_sqlite import serve_sqlite_routine

        return await serve_sqlite_routine(api, request, name)
    overloads = (await api.routines()).get(name)
    if not overloads:
        raise no_function(name, [])
    method = request.method
    prefer = api._prefer(request)
    args, rest, single = await read_arguments(api, request, overloads)
    routine = choose(overloads, name, set(args) if isinstance(args, dict) else set(), single)
    bind = Binder()
    fn = single_object_call(routine, args, bind) if single else call(routine, args, bind, method in ("GET", "HEAD"))
    readonly = method in ("GET", "HEAD")
    profile = check_profile(request, api.catalog.exposed)
    async with api.db.transaction(readonly=readonly) as tx:
        await api._begin(tx, request)
        if profile != "public":  # PostgREST: the profile's schema first, so the body's unqualified names are its own
            await tx.rows("SELECT set_config('search_path', $1, true)", [_search_path(profile)])
        if routine.returns_set and routine.table in api.catalog.tables:
            response = await as_table(api, request, tx, routine, fn, bind, rest, prefer)
        elif routine.returns_set and routine.returns_composite and routine.columns and not routine.table:
            result = result_table(routine, routine.column_types)
            response = await as_table(api, request, tx, routine, fn, bind, rest, prefer, result)
        else:
            refuse_filters(name, rest)
            response = await _as_value(request, tx, routine, fn, bind, prefer)
        api._end(tx, prefer)
    return response


def _search_path(schema: str) -> str:
    """The profile's schema, then PostgREST's default extra search path (``public``), quoted as identifiers."""
    return '"' + schema.replace('"', '""') + '", public'


async def as_table(
    api: RestApi,
    request: Request,
    tx: Any,
    routine: Routine,
    fn: Any,
    bind: Binder,
    rest: list,
    prefer: Any,
    result: Table | None = None,
) -> Response:
    """Rows read like a table's: the table the function returns rows of, or ``result``, the function's own
    ``TABLE (...)`` output described as a table (docbase.api.routine_rows)."""
    catalog, gate = api.catalog, api.gate
    if result is not None:
        catalog, gate = with_result(catalog, result), ResultGate(gate, result)
    table = catalog.tables[result.name if result is not None else routine.table]
    query = parse_query(rest)
    api.limits.check(catalog, table.name, query)  # select width, embed depth, filters (api.limits)
    limit, offset = parse_range(request.headers.get("range"))
    limit = query.limit.get((), limit)
    offset = query.offset.get((), offset)
    columns = [sa.column(c.name) for c in table.columns]
    source = fn if isinstance(fn, sa.Subquery) else fn.table_valued(*columns).alias("rpc")
    role = request.state.role
    # the function chose its rows: a soft-delete mark hides none of them (the rules still apply)
    stmt, counted = read_statement(
        catalog, table.name, query, bind, limit, offset, gate, role, source=source, include_deleted=True
    )
    dialect = catalog.dialect
    compiled, counting = compile_statement(stmt, dialect), compile_statement(counted, dialect)
    sub = request.state.sub
    body, shown = (await tx.rows(compiled.sql, compiled.params(bind.values, sub)))[0]
    max_affected(prefer, shown)  # more rows than Prefer: max-affected allows: PGRST124, rolled back
    total = None
    if prefer.count:
        total, _ = await count_rows(tx, counting.sql, counting.params(bind.values, sub), prefer.count, dialect)
    text = body.encode() if isinstance(body, str) else orjson.dumps(body)
    return api.page(request, text, offset or 0, shown, total, {}, table)


async def _as_value(request: Request, tx: Any, routine: Routine, fn: Any, bind: Binder, prefer: Any) -> Response:
    row = sa.literal_column('"_v"')
    if routine.void:
        stmt: Any = sa.select(fn)
    elif routine.returns_set:  # rows or values: one JSON array, built by PostgreSQL
        agg = sa.func.coalesce(sa.func.json_agg(row), sa.literal_column("'[]'::json"))
        stmt = sa.select(sa.cast(agg, sa.Text)).select_from(fn.alias("_v"))
    elif routine.returns_composite:  # one row: an object
        stmt = sa.select(sa.cast(sa.func.to_json(row), sa.Text)).select_from(fn.alias("_v"))
    else:
        stmt = sa.select(sa.cast(sa.func.to_json(fn), sa.Text))
    compiled = compile_statement(stmt, "postgresql")
    value = await tx.value(compiled.sql, compiled.params(bind.values, request.state.sub))
    if routine.void:
        return Response(b"", 204)
    text = (value or "null").encode()
    return value_response(request, text, len(orjson.loads(text)) if routine.returns_set else 1, prefer)


def refuse_filters(name: str, rest: list) -> None:
    """Filters, order and limits apply only to functions returning a table's rows: PGRST127 for the rest."""
    if any(k != "select" for k, _ in rest):
        raise ApiError(
            400,
            "PGRST127",
            "Feature not implemented",
            f"public.{name} does not return rows of a table; filters, order and limits apply to "
            "functions returning SETOF a table",
        )


def value_response(request: Request, text: bytes, shown: int, prefer: Any) -> Response:
    """A function's value as PostgREST answers it: max-affected checked (PGRST124, rolled back), Content-Range
    counting a scalar as one row (``/n`` only under ``Prefer: count``), no body for HEAD."""
    max_affected(prefer, shown)
    headers = {"Content-Range": content_range(0, shown, shown if prefer.count else None)}
    media = "application/json; charset=utf-8"
    if request.method == "HEAD":
        return Response(b"", 200, headers, media_type=media)
    return Response(text, 200, headers, media_type=media)
