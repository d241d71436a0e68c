"""``/rest/v1/<table>``: GET, HEAD, POST, PATCH and DELETE in PostgREST's dialect.

The request path is: verify the key -> parse the query string -> build the
statement (values bound) -> fetch its compiled SQL from the shape cache ->
one transaction on the driver -> the database's own JSON text as the body.
Deny by default: ``docbase.access.decide.Access`` (the gate) decides which role may
run which command, which rows it sees or changes (compiled into the SQL on SQLite,
row-level security on PostgreSQL) and which columns it never gets; without rules
(``ServiceRoleOnly``) only ``service_role`` reads or writes (anon 401, others 403, 42501).
The document's conventions (soft delete, audit, API keys, secrets...) hook in at one
place, ``api.hooks.ConventionHooks``; this module names none of them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..access.decide import Access, ServiceRoleOnly, denied_row
from ..access.principal import Principal
from ..conventions.runtime import Conventions
from ..db.errors import DbError
from ..schema.model import Table
from .catalog import Catalog
from .coerce import coerce
from .db import Database
from .duplicate_detail import with_duplicate_detail
from .errors import ApiError, not_one_row, postgresql_only_feature, unknown_column
from .geojson import feature_collection
from .heap_order import HEAP_ORDER_ROWS, HeapOrder
from .hooks import ConventionHooks
from .limits import RequestLimits
from .put import put_row
from .query import Embed, Field, Filter, Query, SelectColumn, parse_query, ranges
from .query.plan import Plan, parse_plan
from .request import (
    CSV,
    GEOJSON,
    OBJECT,
    Prefer,
    accept,
    check_profile,
    linked_claims,
    parse_prefer,
    parse_range,
    read_body,
    role_of,
)
from .soft_delete_gate import mark_deleted
from .sql.compiled import Compiled, ShapeCache, check_values, query_shape
from .sql.conditions import Binder
from .sql.counting import count_rows
from .sql.read import read_statement, read_values, where_values
from .sql.sequences import keep_numbers, number_rows, numbered_key, record_numbers
from .sql.upsert import existing_rows
from .sql.write import (
    delete_statement,
    heap_ordered,
    insert_statement,
    insert_values,
    json_array,
    pad,
    returned_picks,
    rows_to_json,
    split_json,
    update_statement,
    update_values,
)
from .update_check import check_before_update

JSON = "application/json; charset=utf-8"


class RestApi:
    def __init__(
        self,
        catalog: Catalog,
        db: Database,
        secret: str,
        max_body_bytes: int,
        conventions: Conventions,
        gate: Access | None = None,
        limits: RequestLimits | None = None,
        tx_end: str = "commit-allow-override",
        users: Any = None,
        heap_order_rows: int = HEAP_ORDER_ROWS,
    ) -> None:
        #: docbase.auth.third_party_users: an outside token's sub -> the document's users row (None: no issuer)
        self.users = users
        self.limits = limits or RequestLimits()  # select width, embed depth, filter count (api.limits)
        # soft-deleted rows are out of the gate's row filter (docbase.access.live_rows), for every transport
        self.gate: Access = ConventionHooks.live(conventions, gate or ServiceRoleOnly(catalog.columns))
        self.conventions = conventions
        self.hooks = ConventionHooks(conventions, catalog, db, self.gate)  # the one place conventions hook in
        self.catalog = catalog
        self.db = db
        self.secret = secret
        self.max_body_bytes = max_body_bytes
        self.cache = ShapeCache()
        # SQLite's big tables: rowid order (the sqlite_heap_order_rows setting)
        self.heap_order = HeapOrder(db, catalog.dialect, catalog.metadata.tables, heap_order_rows)
        self.routine_names = frozenset(
            r.name.rsplit(".", 1)[-1].strip('"') for r in catalog.schema.routines if r.kind == "function"
        )
        self._routines: dict[str, list[Any]] | None = None
        self._sqlite_routines: tuple[dict[str, list[Any]], dict[str, str]] | None = None
        self.sqlite_runnable: dict[tuple[str, tuple[str, ...]], bool] = {}  # api.rpc_sqlite asks SQLite once
        if tx_end not in TX_ENDS:
            raise ValueError(f"tx_end must be one of {', '.join(TX_ENDS)}, not {tx_end!r}")
        self.tx_default, _, override = tx_end.partition("-")
        self.tx_override = bool(override)

    def _prefer(self, request: Request) -> Prefer:
        """The request's preferences; ``handling=strict`` refuses unknown ones before anything runs."""
        prefer = parse_prefer(request.headers.get("prefer"), tx_override=self.tx_override)
        prefer.check_strict()
        return prefer

    def _end(self, tx: Any, prefer: Prefer) -> None:
        """Whether the write commits: ``Prefer: tx`` where allowed, else the ``tx_end`` setting (set as the
        transaction begins: a write of one statement sends its COMMIT or ROLLBACK with it)."""
        tx.rollback = (prefer.tx or self.tx_default) == "rollback"

    def _one_statement(self, request: Request, table: Table, query: Query, prefer: Prefer) -> bool:
        """Whether a write's one statement may carry its transaction's end (PostgreSQL: BEGIN, role and claims,
        the statement and COMMIT in one round trip, docbase.db.pipelined): nothing after it reads or writes
        (an audit row, embeds read back) and nothing after it can refuse and so roll it back (max-affected,
        a singular Accept, a select the written rows cannot show, conventions reshaping the rows)."""
        if self.catalog.dialect != "postgresql" or self.hooks.audits(table.name):
            return False
        if prefer.handling == "strict" and prefer.max_affected is not None:
            return False
        try:
            if accept(request) == OBJECT:
                return False
            if prefer.returning == "representation":
                if needs_read(query) or self.hooks.reshapes(table.name):
                    return False
                returned_picks(table, query, self.gate.hidden(table.name, request.state.role))
        except ApiError:  # refused after the write, as before (a failing write's own error comes first)
            return False
        return True

    def _shown(self, request: Request, table: Table, query: Query, prefer: Prefer) -> list[tuple[str, int]] | None:
        """PostgreSQL, a representation of plain columns: the (key, column) pairs the write's RETURNING renders
        as JSON in the database (docbase.api.sql.write), as PostgREST's response is; None: rendered here."""
        if self.catalog.dialect != "postgresql" or prefer.returning != "representation" or needs_read(query):
            return None
        try:
            return returned_picks(table, query, self.gate.hidden(table.name, request.state.role))
        except ApiError:  # refused after the write, by rows_to_json (a failing write's own error comes first)
            return None

    async def handle(self, request: Request) -> Response:
        response = await self._handle(request)
        if len(self.catalog.exposed) > 1:  # PostgREST names the schema it answered from when there is a choice
            response.headers["Content-Profile"] = request.state.profile
        return response

    async def _handle(self, request: Request) -> Response:
        request.state.claims = await self.hooks.claims(request.headers)
        role = request.state.claims["role"] if request.state.claims else role_of(request, self.secret)
        request.state.claims = await linked_claims(self.users, request.state.claims)
        # Accept-Profile / Content-Profile: one of the exposed schemas (personal.users beside public users)
        profile = request.state.profile = check_profile(request, self.catalog.exposed)
        name = request.path_params["table"]
        table = self.catalog.table(name if profile == "public" else f"{profile}.{name}")
        who = request.state.who = Principal.of(request.state.claims, role)  # role, user, API key, session level
        self.gate.require(table.name, _COMMAND[request.method], who)
        request.state.sub = who.user
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "apikey"]
        request.state.role = role
        items = self.hooks.translate(table.name, items)
        query = parse_query(items)  # the caller's query, as written: no rule is ever added to it
        self.limits.check(self.catalog, table.name, query)  # select width, embed depth, filters
        method = request.method
        # service_role may ask for soft-deleted rows; for everyone else the gate's row filter leaves them out
        prefer = request.headers.get("prefer")
        request.state.deleted = self.hooks.include_deleted(role, request.query_params.multi_items(), prefer)
        if method == "PUT":  # names its row by exactly the caller's key filters
            return await self.put(request, table, query)
        if method in ("GET", "HEAD"):
            return await self.read(request, table, query)
        if method == "POST":
            return await self.insert(request, table, query)
        if method == "PATCH":
            return await self.update(request, table, query)
        return await self.delete(request, table, query)

    async def read(self, request: Request, table: Table, query: Query) -> Response:
        prefer = self._prefer(request)
        limit, offset = ranges.window(
            parse_range(request.headers.get("range")), query.limit.get(()), query.offset.get(())
        )
        heap = await self.heap_order.applies(table.name)
        compiled, counted, values = self._read_statements(
            table, query, limit, offset, request.state.role, request.state.deleted, heap=heap
        )
        total, counted_as = None, None
        sub = request.state.sub
        plan = parse_plan(request.headers.get("accept"))
        if plan is not None:  # Accept: application/vnd.pgrst.plan -- EXPLAIN instead of the rows
            return await self._plan(request, plan, compiled.sql, compiled.params(values, sub))
        # one round trip on PostgreSQL: BEGIN, role and claims, the read (and COMMIT unless a count follows)
        async with self.db.transaction(readonly=True, pipelined=True) as tx:
            await self._begin(tx, request)
            body, shown = (await tx.rows(compiled.sql, compiled.params(values, sub), last=not prefer.count))[0]
            if prefer.count:
                total, counted_as = await count_rows(
                    tx, counted.sql, counted.params(values, sub), prefer.count, self.catalog.dialect
                )
        text = body.encode() if isinstance(body, str) else orjson.dumps(body)
        text = self.hooks.present(table.name, query.select, text, request.state.role)
        headers = {"Preference-Applied": f"count={counted_as}"} if prefer.count and counted_as else {}
        return self.page(request, text, offset or 0, shown, total, headers, table)

    async def _plan(self, request: Request, plan: Plan, sql: str, params: list[Any]) -> Response:
        """PostgreSQL's EXPLAIN of the read, in the caller's transaction (role, claims, RLS) as the read would run."""
        if self.catalog.dialect != "postgresql":
            raise postgresql_only_feature(
                "The execution plan (application/vnd.pgrst.plan)", "it is PostgreSQL's EXPLAIN"
            )
        async with self.db.transaction(readonly=True) as tx:
            await self._begin(tx, request)
            lines = [row[0] for row in await tx.rows(plan.explain(sql), params)]
        body = lines[0] if plan.format == "json" else "\n".join(lines)
        text = body.encode() if isinstance(body, str) else orjson.dumps(body)
        return Response(text, 200, media_type=plan.media_type)

    def page(
        self,
        request: Request,
        text: bytes,
        start: int,
        shown: int,
        total: int | None,
        headers: dict[str, str],
        table: Table | None = None,
    ) -> Response:
        """Rows read from a table or a function (``/rpc``): Content-Range, 206 for part of a count, as Accepted."""
        kind = accept(request)
        rows = orjson.loads(text) if kind != "application/json" else None
        status = ranges.status(start, shown, total)
        headers["Content-Range"] = content_range(start, shown, total)
        return self._respond(request, text, rows, kind, status, headers, table)

    def _read_statements(
        self,
        table: Table,
        query: Query,
        limit: int | None,
        offset: int | None,
        role: str = "service_role",
        deleted: bool = False,
        keyed: bool = False,
        heap: bool = True,
    ) -> tuple[Compiled, Compiled, list[Any]]:
        """(rows-as-JSON statement, count statement, values) for a read, compiled once per shape and role;
        ``deleted``: soft-deleted rows too; ``keyed``: top-level rows just written; ``heap``: SQLite sorts
        them into PostgreSQL's heap order (docbase.api.sql.read, docbase.api.heap_order)."""
        key = ("read", table.name, query_shape(query), limit is not None, bool(offset), role, deleted, keyed, heap)
        compiled, counted = self.cache.lookup(key), self.cache.lookup(("count",) + key)
        if compiled is not None and counted is not None:
            return compiled, counted, read_values(self.catalog, table.name, query, limit, offset)
        bind = Binder()
        stmt, count_stmt = read_statement(
            self.catalog,
            table.name,
            query,
            bind,
            limit,
            offset,
            self.gate,
            role,
            include_deleted=deleted,
            keyed=keyed,
            heap_order=heap,
        )
        compiled = self.cache.store(key, stmt, self.catalog.dialect)
        counted = self.cache.store(("count",) + key, count_stmt, self.catalog.dialect)
        check_values(bind.values, read_values(self.catalog, table.name, query, limit, offset))
        return compiled, counted, bind.values

    async def _reread(
        self, tx: Any, table: Table, query: Query, prefer: Prefer, rows: list[tuple], request: Request | None = None
    ) -> bytes | None:
        """Written rows through the read path, for a ``select`` with embeds, JSON paths or casts (same transaction)."""
        if prefer.returning != "representation" or not needs_read(query):
            return None
        if len(table.primary_key) != 1:
            raise ApiError(
                400,
                "PGRST100",
                f"Embedding in a write's response needs a one-column primary key; '{table.name}' has none",
            )
        pk = table.primary_key[0]
        index = [c.name for c in table.columns].index(pk)
        keys = [row[index] for row in rows]
        if not keys:
            return b"[]"
        where = {path: conds for path, conds in query.where.items() if path}
        where[()] = [Filter(Field(pk), "in", tuple(str(k) for k in keys))]
        embedded = {path: v for path, v in query.limit.items() if path}
        reread = Query(
            select=query.select, where=where, order={p: o for p, o in query.order.items() if p}, limit=embedded
        )
        reread.offset = {path: v for path, v in query.offset.items() if path}
        role = request.state.role if request is not None else "service_role"
        deleted = bool(getattr(request.state, "deleted", False)) if request is not None else False
        compiled, _, values = self._read_statements(table, reread, None, None, role, deleted, keyed=True)
        sub = request.state.sub if request is not None else None
        body, _ = (await tx.rows(compiled.sql, compiled.params(values, sub)))[0]
        found = orjson.loads(body) if isinstance(body, str) else body
        position = {str(k): i for i, k in enumerate(keys)}
        if all(pk in r for r in found):  # the order the rows were written in
            found.sort(key=lambda r: position.get(str(r[pk]), len(position)))
        return orjson.dumps(found)

    async def _read_before(
        self, tx: Any, table: Table, query: Query, prefer: Prefer, request: Request
    ) -> list[dict] | None:
        """The rows a DELETE's filters name, read with its ``select`` (casts, embeds) and their key."""
        if prefer.returning != "representation" or not needs_read(query):
            return None
        if not _row_key(table):
            raise ApiError(
                400,
                "PGRST100",
                f"Embedding in a write's response needs a primary key or a text or integer column; "
                f"'{table.name}' has none",
            )
        keys = tuple(SelectColumn(Field(c), alias=f"{_KEY}{i}") for i, c in enumerate(_row_key(table)))
        read = Query(select=(*query.select, *keys), where=dict(query.where), order=dict(query.order))
        read.limit = {path: v for path, v in query.limit.items() if path}
        read.offset = {path: v for path, v in query.offset.items() if path}
        compiled, _, values = self._read_statements(table, read, None, None, request.state.role, request.state.deleted)
        body, _ = (await tx.rows(compiled.sql, compiled.params(values, request.state.sub)))[0]
        return orjson.loads(body) if isinstance(body, (str, bytes)) else body

    def _statement(self, key: tuple, build: Any, values: Any) -> tuple[Compiled, list[Any]]:
        """The compiled statement for ``key`` and this request's values: built and compiled only on a miss."""
        compiled = self.cache.lookup(key)
        if compiled is not None:
            return compiled, values()
        bind = Binder()
        compiled = self.cache.store(key, build(bind), self.catalog.dialect)
        check_values(bind.values, values())
        return compiled, bind.values

    def _respond(
        self,
        request: Request,
        text: bytes,
        rows: list | None,
        kind: str,
        status: int,
        headers: dict[str, str],
        table: Table | None = None,
    ) -> Response:
        if kind == OBJECT:
            assert rows is not None
            if len(rows) != 1:
                raise not_one_row(len(rows))
            # the one element's own text: a numeric's scale (12.50) would not survive a round trip through Python
            one = _only_element(text) if isinstance(rows, list) else orjson.dumps(rows[0])
            text, media = one, "application/vnd.pgrst.object+json; charset=utf-8"
            status = 200 if status == 206 else status
        elif kind == CSV:
            assert rows is not None
            text, media = _csv(rows), "text/csv; charset=utf-8"
        elif kind == GEOJSON:
            assert rows is not None
            if table is None:
                raise ApiError(400, "XX000", "geometry column is missing", None, None)
            text, media = orjson.dumps(feature_collection(table, rows)), "application/geo+json; charset=utf-8"
        else:
            media = JSON
        if request.method == "HEAD":
            return Response(b"", status, headers, media_type=media)
        return Response(text, status, headers, media_type=media)

    async def put(self, request: Request, table: Table, query: Query) -> Response:
        """PostgREST's PUT: one whole row named by its primary key, inserted or replaced (api.put checks it)."""
        self.gate.require(table.name, "update", request.state.who)
        row = put_row(self.catalog, table, query, await read_body(request, self.max_body_bytes, self.limits.json_depth))
        prefer = replace(self._prefer(request), resolution="merge-duplicates")
        upsert = Query(select=query.select, columns=None, on_conflict=tuple(table.primary_key))
        return await self.insert(request, table, upsert, row, prefer, 201)  # 200 when it replaced a row

    async def insert(
        self,
        request: Request,
        table: Table,
        query: Query,
        body: Any = None,
        prefer: Prefer | None = None,
        status: int = 201,
    ) -> Response:
        prefer = prefer or self._prefer(request)
        body = await read_body(request, self.max_body_bytes, self.limits.json_depth) if body is None else body
        rows = body if isinstance(body, list) else [body]
        revealed = None
        kept: tuple[str, ...] = ()
        role, sub = request.state.role, request.state.sub
        target = query.on_conflict or tuple(table.primary_key)
        for row in rows:
            self.gate.refuse_columns(table.name, role, row, updating=False)
            if prefer.resolution == "merge-duplicates":
                self.gate.refuse_upsert(table.name, role, [k for k in row if k not in target])
                self.hooks.refuse_mark(table.name, role, row)
        mine = self.gate.creator_values(table.name, _who(request))
        rows = [{**mine, **row} for row in rows] if mine else rows
        kept = tuple(mine)  # filled on insert only: an upsert's update never rewrites who created the row
        rows, revealed = self.hooks.before_write(table.name, rows, True)
        groups = self._group(table, rows, query.columns, prefer.missing_default)
        returned: list[tuple] = []
        on_conflict = query.on_conflict
        if prefer.resolution and not (on_conflict or table.primary_key):
            prefer = replace(prefer, resolution=None)  # PostgREST ignores (and does not echo) it without a key
        gate = self.gate
        shown_columns = gate.returning(table.name, role)
        # missing=default: one sequence value per row, as PostgREST's defaults (docbase.api.sql.sequences)
        numbered = numbered_key(table, query.columns, rows) if prefer.missing_default else None
        one = len(groups) == 1 and prefer.resolution != "merge-duplicates" and numbered is None
        one = one and self._one_statement(request, table, query, prefer)
        shown = self._shown(request, table, query, prefer)
        texts: list[str] = []  # the rows as PostgreSQL's JSON, when ``shown``
        handed = [0]  # numbers handed out for missing=default: SQLite keeps them past a rollback
        try:
            async with self.db.transaction(pipelined=one) as tx:
                self._end(tx, prefer)
                await self._begin(tx, request)
                if numbered is not None:
                    rows, handed[0] = await number_rows(tx, self.catalog, table, numbered, rows)
                    groups = self._group(table, rows, query.columns, True)
                existed: set[tuple] = set()
                target = on_conflict or table.primary_key
                if prefer.resolution == "merge-duplicates":
                    existed = await existing_rows(tx, self.catalog, table, target, groups)
                    if status == 201 and len(existed) == len(rows):
                        status = 200  # PostgREST: 200 when the upsert created nothing (all updates, or none came)
                # SQLite: WITH CHECK before writing too, so a row for another tenant is 42501, never a
                # unique-violation oracle (PostgreSQL also checks row-level security before constraints)
                # a row naming an earlier row of the batch: judged after the write
                pending = gate.checked_first(table.name, self._as_rows(table, groups))
                await self._check_rows(tx, table, "insert", role, sub, pending)
                # missing=default with columns=: an upsert's update writes every listed column (defaults included)
                defaulted = tuple(query.columns or ()) if prefer.missing_default else ()
                for keys, members in groups:
                    key = (
                        "insert",
                        table.name,
                        keys,
                        len(members),
                        on_conflict,
                        prefer.resolution,
                        role,
                        kept,
                        defaulted,
                        None if shown is None else tuple(shown),
                    )
                    # the conflicting row is named by its key, as PUT names it: its soft-delete mark does not hide it
                    overwrite = (
                        gate.row_filter(
                            table.name, self.catalog.sa_table(table.name), "update", role, include_deleted=True
                        )
                        if prefer.resolution == "merge-duplicates"
                        else None
                    )
                    compiled, values = self._statement(
                        key,
                        lambda bind, keys=keys, members=members, overwrite=overwrite: insert_statement(
                            self.catalog,
                            table,
                            keys,
                            members,
                            bind,
                            on_conflict,
                            prefer.resolution,
                            overwrite,
                            shown_columns,
                            kept,
                            defaulted,
                            shown,
                        ),
                        lambda keys=keys, members=members: insert_values(self.catalog, table, keys, members),
                    )
                    try:
                        got = await tx.rows(compiled.sql, compiled.params(values, sub), last=one)
                        got, rendered = split_json(got, shown, self.catalog.dialect)
                        texts.extend(rendered)
                        got = pad(table, shown_columns, got)
                    except DbError as exc:
                        exc = await with_duplicate_detail(tx, self.catalog, table, keys, members, exc)
                        raise await self.hooks.explained(tx, table.name, members, exc) from None
                    if overwrite is not None and len(got) < len(members):  # an existing row it may not change
                        raise denied_row(table.name)
                    returned.extend(got)
                await record_numbers(tx, self.catalog, table, handed[0])
                # a row the upsert updated is judged as PostgreSQL judges ON CONFLICT DO UPDATE: by the update rule
                at = [[c.name for c in table.columns].index(c) for c in target] if existed else []
                updated = [r for r in returned if at and tuple(r[i] for i in at) in existed]
                await self._check_rows(tx, table, "insert", role, sub, [r for r in returned if r not in updated])
                await self._check_rows(tx, table, "update", role, sub, updated)
                await self._claim(tx, table, role, sub, returned)
                await self._audit(
                    request, tx, table, "insert", returned, tuple(dict.fromkeys(k for ks, _ in groups for k in ks))
                )
                text = await self._reread(tx, table, query, prefer, returned, request)
                if text is None and shown is not None and self.catalog.dialect == "postgresql":
                    text = json_array(texts)
                # built inside the transaction: a PGRST116 for Accept: object rolls the insert back
                response = self._written(request, table, query, prefer, returned, status, revealed, text)
        finally:
            await keep_numbers(self.db, self.catalog, table, handed[0])
        return response

    def sqlite_routines(self) -> tuple[dict[str, list[Any]], dict[str, str]]:
        """On SQLite, the document's functions SQLite can run, and the others (docbase.api.sqlite_routines)."""
        if self._sqlite_routines is None:
            from .sqlite_routines import sqlite_routines

            self._sqlite_routines = sqlite_routines(self.catalog.schema)
        return self._sqlite_routines

    async def routines(self) -> dict[str, list[Any]]:
        """The document's functions as the database has them, read once (PostgREST's schema cache)."""
        if self._routines is None:
            from .routines import load_routines

            async with self.db.transaction(readonly=True) as tx:
                self._routines = await load_routines(tx, sorted(self.routine_names), self.catalog.exposed)
        return self._routines

    async def rpc(self, request: Request) -> Response:
        """``/rest/v1/rpc/<name>``: the document's own functions (api.rpc_routines), else the conventions' RPCs."""
        from ..conventions import rpc
        from .rpc_access import RpcScope

        key_claims = await self.hooks.claims(request.headers)
        role = key_claims["role"] if key_claims else role_of(request, self.secret)
        if not key_claims:  # a JWT: an outside issuer's sub becomes the document's users row
            request.state.claims = await linked_claims(self.users, request.state.claims)
        name = request.path_params["name"]
        if name in self.routine_names:
            from .rpc_routines import serve_routine

            request.state.claims = key_claims or getattr(request.state, "claims", None)  # role_of's, for a JWT
            request.state.role = role
            claims = request.state.claims or {"role": role}
            request.state.sub = claims.get("sub") if role == "authenticated" else None
            return await serve_routine(self, request, name)
        if request.method != "POST":
            raise ApiError(405, "PGRST101", f"Cannot use the {request.method} method on RPC")
        body = await read_body(request, self.max_body_bytes, self.limits.json_depth) if await request.body() else {}
        claims = key_claims or getattr(request.state, "claims", None) or {"role": role}
        scope = RpcScope(self.gate, self.catalog, claims, role, claims.get("sub") if role == "authenticated" else None)
        result = await rpc.call(self.conventions, self.db, request.path_params["name"], body, role, claims, scope)
        return Response(orjson.dumps(result, default=str), 200, media_type=JSON)

    def _group(
        self, table: Table, rows: list[dict[str, Any]], columns: tuple[str, ...] | None, missing_default: bool
    ) -> list[tuple[tuple[str, ...], list[dict[str, Any]]]]:
        known = self.catalog.columns[table.name]
        if columns is not None:
            for name in columns:
                if name not in known:
                    raise unknown_column(name, table.name)
            rows = [{k: v for k, v in r.items() if k in columns} for r in rows]
        for row in rows:
            for name in row:
                if name not in known:
                    raise unknown_column(name, table.name)
        if not rows:
            return []
        order = [c.name for c in table.columns]
        keysets = {tuple(n for n in order if n in r) for r in rows}
        if len(keysets) == 1 or missing_default:
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for r in rows:
                groups.setdefault(tuple(n for n in order if n in r), []).append(r)
            return list(groups.items())
        union = tuple(n for n in order if any(n in r for r in rows))
        return [(union, rows)]

    async def update(self, request: Request, table: Table, query: Query) -> Response:
        prefer = self._prefer(request)
        body = await read_body(request, self.max_body_bytes, self.limits.json_depth)
        if not isinstance(body, dict):
            raise ApiError(400, "PGRST102", "PATCH takes one JSON object")
        for name in body:
            if name not in self.catalog.columns[table.name]:
                raise unknown_column(name, table.name)
        if not body:
            return self._written(request, table, query, prefer, [], 200)
        role, sub = request.state.role, request.state.sub
        self.gate.refuse_columns(table.name, role, body, updating=True)
        self.hooks.refuse_mark(table.name, role, body)
        body = self.hooks.before_write(table.name, [body], False)[0][0]
        deleted = request.state.deleted
        shown = self._shown(request, table, query, prefer)
        key = ("update", table.name, tuple(body), query_shape(query), role, deleted, shown is not None)
        compiled, values = self._statement(
            key,
            lambda bind: update_statement(
                self.catalog, table, body, query, bind, self.gate, role, include_deleted=deleted, shown=shown
            ),
            lambda: update_values(self.catalog, table, body, query),
        )
        shown_columns = self.gate.returning(table.name, role)
        one = self._one_statement(request, table, query, prefer)
        async with self.db.transaction(pipelined=one) as tx:
            self._end(tx, prefer)
            await self._begin(tx, request)
            await check_before_update(tx, self.catalog, self.gate, self.cache, table, query, body, role, sub, deleted)
            written = await tx.rows(compiled.sql, compiled.params(values, sub), last=one)
            written, rendered = split_json(written, shown, self.catalog.dialect)
            returned = pad(table, shown_columns, await heap_ordered(tx, self.catalog, table, written, True))
            _max_affected(prefer, len(returned))
            # no WITH CHECK after the write: check_before_update judged these very rows by the rights held
            # when the statement began, as PostgreSQL does (afterwards an owner's self-demotion refuses itself)
            await self._audit(request, tx, table, "update", returned, tuple(body))
            text = await self._reread(tx, table, query, prefer, returned, request)
            if text is None and shown is not None and self.catalog.dialect == "postgresql":
                text = json_array(rendered)
            response = self._written(request, table, query, prefer, returned, 200, text=text)
        return response

    async def _audit(self, request: Request, tx: Any, table: Table, action: str, rows: list, columns: tuple) -> None:
        claims = getattr(request.state, "claims", None)
        await self.hooks.after_write(tx, table.name, action, rows, columns, claims, request.state.role)

    async def _begin(self, tx: Any, request: Request) -> None:
        """PostgreSQL: the transaction runs as the caller's role with its claims (row-level security)."""
        await self.gate.begin(tx, _who(request))

    async def _check_rows(self, tx: Any, table: Table, command: str, role: str, sub: Any, rows: list[tuple]) -> None:
        """SQLite: WITH CHECK on every written row (docbase.access decides); one fails -> 403 42501, rollback."""
        await self.gate.check_rows(tx, table.name, command, role, sub, rows)

    def _as_rows(self, table: Table, groups: list) -> list[tuple]:
        """Bodies about to be inserted as column-order tuples of driver values (None where not given)."""
        columns = self.catalog.columns[table.name]
        out = []
        for _, members in groups:
            for row in members:
                out.append(
                    tuple(
                        coerce(columns[c.name], row[c.name], self.catalog.dialect) if c.name in row else None
                        for c in table.columns
                    )
                )
        return out

    async def _claim(self, tx: Any, table: Table, role: str, sub: Any, rows: list[tuple]) -> None:
        """SQLite: a signed-in user creating a tenant becomes its owner in the same transaction."""
        if role != "authenticated" or sub is None or not rows:
            return
        made = self.gate.claim_statement(table.name)
        if made is None:
            return
        stmt, (key,) = made
        compiled = self.cache.lookup(("claim", table.name)) or self.cache.store(
            ("claim", table.name), stmt, self.catalog.dialect
        )
        index = [c.name for c in table.columns].index(key)
        for row in rows:
            await tx.rows(compiled.sql, compiled.params([row[index]], sub))

    async def delete(self, request: Request, table: Table, query: Query) -> Response:
        prefer = self._prefer(request)
        mark = self.hooks.mark(table.name)
        role, sub, deleted = request.state.role, request.state.sub, request.state.deleted
        shown = None if mark else self._shown(request, table, query, prefer)
        rendered: list[str] = []
        if not mark:
            compiled, values = self._statement(
                ("delete", table.name, query_shape(query), role, deleted, shown is not None),
                lambda bind: delete_statement(
                    self.catalog, table, query, bind, self.gate, role, include_deleted=deleted, shown=shown
                ),
                lambda: where_values(self.catalog, table.name, query, ()),
            )
        shown_columns = self.gate.returning(table.name, role)
        one = not mark and self._one_statement(request, table, query, prefer)
        async with self.db.transaction(pipelined=one) as tx:
            self._end(tx, prefer)
            await self._begin(tx, request)
            # casts and embeds in the select: the rows as they were, read first in the same transaction
            # (PostgREST reads them from the DELETE's CTE, which sees the snapshot before the delete)
            before = await self._read_before(tx, table, query, prefer, request)
            if mark:  # soft delete: the row is marked, not removed, by the *delete* rule (api.soft_delete_gate)
                rows = await mark_deleted(tx, self.catalog, self.gate, table, query, mark, role, sub, deleted)
            else:
                rows = await tx.rows(compiled.sql, compiled.params(values, sub), last=one)
                rows, rendered = split_json(rows, shown, self.catalog.dialect)
                rows = await heap_ordered(tx, self.catalog, table, rows, False)
            returned = pad(table, shown_columns, rows)
            _max_affected(prefer, len(returned))
            await self._audit(request, tx, table, "delete", returned, ())
            text = _deleted(before, table, query, returned) if before is not None else None
            if text is None and shown is not None and self.catalog.dialect == "postgresql":
                text = json_array(rendered)
            response = self._written(request, table, query, prefer, returned, 200, None, text)
        return response

    def _written(
        self,
        request: Request,
        table: Table,
        query: Query,
        prefer: Prefer,
        rows: list[tuple],
        status: int,
        revealed: list | None = None,
        text: bytes | None = None,
    ) -> Response:
        if accept(request) == OBJECT and len(rows) != 1:  # PostgREST's failNotSingular, whatever return= asks
            raise not_one_row(len(rows))
        total = len(rows) if prefer.count else None
        if request.method in ("POST", "DELETE"):  # PostgREST names no range of inserted or deleted rows
            headers = {"Content-Range": f"*/{'*' if total is None else total}"}
        else:
            headers = {"Content-Range": content_range(0, len(rows), total)}
        applied = prefer.applied()
        if applied:
            headers["Preference-Applied"] = applied
        if prefer.returning != "representation":
            return Response(b"", 201 if status == 201 else 204, headers)
        if text is None:
            hidden = self.gate.hidden(table.name, request.state.role)
            text = rows_to_json(self.catalog, table, rows, query, hidden)
        text = self.hooks.present(table.name, query.select, text, request.state.role, revealed)
        kind = accept(request)
        parsed = orjson.loads(text) if kind != "application/json" else None
        return self._respond(request, text, parsed, kind, status, headers, table)


def _who(request: Request) -> Principal:
    """The request's principal (its verified claims, else its role alone)."""
    return Principal.of(getattr(request.state, "claims", None), request.state.role)


_KEY = "__docbase_key"  # the primary key read beside a DELETE's select (_read_before), never shown


_EXACT = ("integer", "bigint", "smallint", "text", "varchar", "uuid")  # read back as JSON, print the same


def _row_key(table: Table) -> tuple[str, ...]:
    """What tells a DELETE's rows apart: the primary key, else the table's text and integer columns."""
    return table.primary_key or tuple(c.name for c in table.columns if c.type in _EXACT)


def _deleted(before: list[dict], table: Table, query: Query, rows: list[tuple]) -> bytes:
    """The rows read before a DELETE that it removed: in the request's order, else the order they went."""
    names = [c.name for c in table.columns]
    index = [names.index(c) for c in _row_key(table)]
    position: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        position.setdefault(tuple(str(row[j]) for j in index), i)
    fields = [f"{_KEY}{i}" for i in range(len(index))]
    kept = [(r, tuple(str(r.get(f)) for f in fields)) for r in before]
    kept = [(r, k) for r, k in kept if k in position]
    if not query.order.get(()):
        kept.sort(key=lambda pair: position[pair[1]])
    for r, _ in kept:
        for f in fields:
            del r[f]
    return orjson.dumps([r for r, _ in kept])


TX_ENDS = ("commit", "commit-allow-override", "rollback", "rollback-allow-override")


def _max_affected(prefer: Prefer, affected: int) -> None:
    """``Prefer: handling=strict, max-affected=N``: more rows than N is PGRST124 and the write rolls back."""
    if prefer.handling == "strict" and prefer.max_affected is not None and affected > prefer.max_affected:
        raise ApiError(
            400,
            "PGRST124",
            "Query result exceeds max-affected preference constraint",
            f"The query affects {affected} rows",
        )


_COMMAND = {"GET": "select", "HEAD": "select", "POST": "insert", "PUT": "insert", "PATCH": "update", "DELETE": "delete"}


def needs_read(query: Query) -> bool:
    """Whether the ``select`` asks for more than plain columns of the written rows."""
    for item in query.select:
        if isinstance(item, Embed) or isinstance(item, SelectColumn) and (item.field.json_path or item.cast):
            return True
    return False


def _only_element(text: bytes) -> bytes:
    """A JSON array's text known to hold one element -> that element's text, byte for byte."""
    return text.strip()[1:-1].strip()


def content_range(start: int, shown: int, total: int | None) -> str:
    """PostgREST's ``Content-Range``: ``first-last/total``, ``*/total`` when no row is shown, ``*`` for no count."""
    size = "*" if total is None else str(total)
    if shown == 0:
        return f"*/{size}"
    return f"{start}-{start + shown - 1}/{size}"


def _csv(rows: list[dict[str, Any]]) -> bytes:
    """PostgREST's CSV: a header of the column names, then each row as PostgreSQL prints a record (without its
    parentheses): a field is double-quoted when empty or holding ``"``, ``\\``, a parenthesis, a comma or
    white space, with ``"`` and ``\\`` doubled inside; NULL is nothing; JSON as jsonb prints it."""
    if not rows:
        return b"\n"  # PostgREST: an empty header, a newline, an empty body
    lines = [",".join(rows[0].keys())]
    for row in rows:
        lines.append(",".join("" if v is None else _record_field(_csv_text(v)) for v in row.values()))
    return ("\n".join(lines)).encode()


def _csv_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)  # jsonb's text: ", " and ": " separators
    return _csv_scalar(value)


_RECORD_QUOTE = frozenset('"\\(),')


def _record_field(text: str) -> str:
    if text and not any(ch in _RECORD_QUOTE or ch.isspace() for ch in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'


def _csv_scalar(value: Any) -> str:
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)
