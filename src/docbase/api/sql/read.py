"""A read request -> one SELECT returning the whole JSON response as a single text value.

Embedded resources become correlated subqueries that aggregate their rows
to JSON inside the database (PostgreSQL ``json_agg`` over a derived table;
SQLite ``json_group_array(json_object(...))``), so one round trip answers
the request and Python never touches individual rows. Every table gets its
own alias (``t0, t1, ...``) so a table may be embedded in itself.

NULL ordering is always explicit (PostgreSQL's defaults: last when
ascending, first when descending) so both databases sort the same way.

Aggregates (``count()``, ``amount.sum()``, and the older ``comments(count)``)
group by the resource's other selected columns, as PostgREST 12 does; an
embedded resource counts as grouped by the parent columns its join reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ...access.decide import Access
from ...ddl import row_order
from ..catalog import Catalog, Relationship
from ..computed import Computed
from ..errors import ApiError, permission_denied
from ..query.syntax import Embed, Field, OrderTerm, Query, SelectColumn, SelectItem, SelectStar
from .conditions import Binder, column_of, condition, condition_values, field_expr
from .timestamps import timestamp_json

_CAST_TYPES = {
    "text": sa.Text,
    "varchar": sa.Text,
    "integer": sa.Integer,
    "int": sa.Integer,
    "int4": sa.Integer,
    "bigint": sa.BigInteger,
    "int8": sa.BigInteger,
    "smallint": sa.SmallInteger,
    "numeric": sa.Numeric,
    "float": sa.Float,
    "float8": sa.Float,
    "real": sa.Float,
    "double": sa.Float,
    "boolean": sa.Boolean,
    "bool": sa.Boolean,
    "json": sa.JSON,
    "jsonb": sa.JSON,
    "date": sa.Date,
    "timestamp": sa.DateTime,
    "timestamptz": sa.DateTime,
    "time": sa.Time,
    "uuid": sa.Text,
}


@dataclass
class Build:
    """State while building one statement: the binder, alias counter, embed paths seen."""

    catalog: Catalog
    query: Query
    bind: Binder = field(default_factory=Binder)
    aliases: int = 0
    seen: set[tuple[str, ...]] = field(default_factory=lambda: {()})
    gate: Access = field(kw_only=True)  # row filters and hidden columns for ``role`` (docbase.access.decide)
    role: str = "service_role"
    command: str = "select"  # what the top-level statement does (embedded resources are always read)
    include_deleted: bool = False  # soft-deleted rows too, at every depth (service_role asked; a function's rows)
    keyed: bool = False  # the top-level rows are the ones a write just made, named by key: shown, marked or not
    heap_order: bool = True  # SQLite: sort the top-level rows into PostgreSQL's heap order (docbase.api.heap_order)

    def row_filter(self, table: str, alias: sa.FromClause, command: str, top: bool = False) -> Any:
        """The gate's row filter for ``table`` on ``alias``: the caller's rules, soft-deleted rows out."""
        include = self.include_deleted or (top and self.keyed)
        return self.gate.row_filter(table, alias, command, self.role, include_deleted=include)

    def columns(self, table: str) -> Any:
        return self.gate.columns(table, self.role)

    def hidden(self, table: str) -> frozenset[str]:
        return self.gate.hidden(table, self.role)

    def alias(self, table: str) -> sa.FromClause:
        name = f"t{self.aliases}"
        self.aliases += 1
        return self.catalog.sa_table(table).alias(name)

    @property
    def dialect(self) -> str:
        return self.catalog.dialect


def read_statement(
    catalog: Catalog,
    table: str,
    query: Query,
    bind: Binder,
    limit: int | None,
    offset: int | None,
    gate: Access,
    role: str = "service_role",
    source: sa.FromClause | None = None,
    *,
    include_deleted: bool = False,
    keyed: bool = False,
    heap_order: bool = True,
) -> tuple[sa.Select, sa.Select]:
    """(the JSON-array SELECT, the COUNT(*) SELECT) for a GET on ``table``; through ``gate``, only what
    ``role`` may see (row filters on every table involved, soft-deleted rows out unless
    ``include_deleted``, hidden columns left out). ``source`` reads the table's rows from elsewhere: a
    function returning them (``/rpc/<fn>``). ``keyed``: the top-level rows were just written and are
    named by key, so their soft-delete mark does not hide them (embedded rows are still judged)."""
    b = Build(
        catalog, query, bind, gate=gate, role=role, include_deleted=include_deleted, keyed=keyed, heap_order=heap_order
    )
    alias = source if source is not None else b.alias(table)
    _check_selected(b, table, query.select)
    where = _where(b, table, alias, ())
    inner = _node_select(b, table, alias, query.select, (), where, limit, offset)
    count = sa.select(sa.func.count()).select_from(alias).where(*where)
    _check_paths(b)
    return _aggregate(b, inner, "_r"), count


def _check_selected(b: Build, table: str, items: tuple[SelectItem, ...]) -> None:
    """A missing selected column is named before a missing filtered one, as PostgreSQL analyses the select list
    before the WHERE clause (``select=missing.count()&id=eq.2`` names ``missing``)."""
    for item in items:
        if not isinstance(item, SelectColumn) or item.field.name == "*":
            continue
        if item.aggregate is None and _is_aggregate(b, table, item):
            continue  # a bare ``count`` where the table has no such column: count()
        if _computed(b, table, item) is None:
            column_of(b.columns(table), item.field, table)


def _computed(b: Build, table: str, item: SelectColumn) -> Computed | None:
    """The computed field (docbase.api.computed) ``item`` names, when no column of that name exists. Only for
    a caller who sees every column: the function reads the whole row, hidden columns too."""
    name = item.field.name
    if item.field.json_path or name in b.catalog.columns.get(table, {}) or b.hidden(table):
        return None
    return b.catalog.computed.get(table, {}).get(name)


def _visible_computed(b: Build, table: str) -> dict[str, Computed] | None:
    """The computed fields filters and order may name: none for a caller some columns are hidden from (the
    function reads the whole row)."""
    return None if b.hidden(table) else b.catalog.computed.get(table)


def read_values(catalog: Catalog, table: str, query: Query, limit: int | None, offset: int | None) -> list[Any]:
    """The values ``read_statement`` binds, in its order, without building SQL (for cached shapes)."""
    out = where_values(catalog, table, query, ())
    _node_values(catalog, table, query, query.select, (), limit, offset, out)
    return out


def where_values(catalog: Catalog, table: str, query: Query, path: tuple[str, ...]) -> list[Any]:
    columns = catalog.columns[table]
    out: list[Any] = []
    for cond in query.where.get(path, []):
        out.extend(condition_values(cond, columns, table, catalog.dialect, catalog.computed.get(table)))
    return out


def _node_values(
    catalog: Catalog,
    table: str,
    query: Query,
    items: tuple[SelectItem, ...],
    path: tuple[str, ...],
    limit: int | None,
    offset: int | None,
    out: list[Any],
) -> None:
    for item in items:
        if isinstance(item, Embed):
            sub = path + (item.key,)
            rel = catalog.resolve(table, item.name, item.hint)
            out.extend(where_values(catalog, rel.target, query, sub))
            sub_limit = 1 if rel.to_one else query.limit.get(sub)
            if not _empty(item):  # an empty embed builds no rows of its own
                _node_values(catalog, rel.target, query, item.items, sub, sub_limit, query.offset.get(sub), out)
            if item.inner:
                out.extend(where_values(catalog, rel.target, query, sub))
    if limit is not None:
        out.append(limit)
    if offset:
        out.append(offset)


def where_clause(
    catalog: Catalog,
    table: str,
    query: Query,
    bind: Binder,
    alias: sa.FromClause,
    gate: Access,
    role: str = "service_role",
    command: str = "select",
    *,
    include_deleted: bool = False,
) -> list:
    """Top-level filters (and ``!inner`` embeds) for UPDATE/DELETE on ``alias``, with the rows ``role``
    may ``command`` (soft-deleted rows out unless ``include_deleted``)."""
    b = Build(catalog, query, bind, gate=gate, role=role, command=command, include_deleted=include_deleted)
    return _where(b, table, alias, ())


def _where(b: Build, table: str, alias: sa.FromClause, path: tuple[str, ...]) -> list[sa.ColumnElement]:
    columns = b.columns(table)
    computed = _visible_computed(b, table)
    out = [condition(c, alias, columns, table, b.dialect, b.bind, computed) for c in _lookup(b.query.where, path, [])]
    allowed = b.row_filter(table, alias, b.command if not path else "select", top=not path)
    if allowed is not None:
        out.append(allowed)
    return out


def _lookup(mapping: dict, path: tuple[str, ...], default):
    return mapping.get(path, default)


def _node_select(
    b: Build,
    table: str,
    alias: sa.FromClause,
    items: tuple[SelectItem, ...],
    path: tuple[str, ...],
    where: list,
    limit: int | None,
    offset: int | None,
) -> sa.Select:
    outputs: list[tuple[str, sa.ColumnElement]] = []
    group: list[sa.ColumnElement] = []  # what the non-aggregated outputs read, should any output aggregate
    grouped: set = set()  # the Fields in ``group`` (order terms must be among them)
    aggregated = False
    # PostgreSQL's name for this level in its errors: PostgREST aliases an embedded table ``<table>_<depth>``
    label = table if not path else f"{table.rpartition('.')[2]}_{len(path)}"
    embedded: set[str] = set()
    for item in items:
        if isinstance(item, SelectStar):
            hidden = b.hidden(table)
            for col in b.catalog.tables[table].columns:
                if col.name in hidden:
                    continue
                outputs.append((col.name, _render(b, alias.c[col.name], col.type)))
                group.append(alias.c[col.name])
                grouped.add(Field(col.name))
        elif isinstance(item, SelectColumn) and _is_aggregate(b, table, item):
            outputs.append((item.key, _aggregate_expr(b, table, alias, item, label)))
            aggregated = True
        elif isinstance(item, SelectColumn) and (computed := _computed(b, table, item)) is not None:
            expr = computed.expression(alias, b.dialect)
            outputs.append((item.key, _render(b, expr, computed.kind)))
            group.append(expr)
            grouped.add(item.field)
        elif isinstance(item, SelectColumn):
            col = column_of(b.columns(table), item.field, label)
            expr = field_expr(alias, col, item.field)
            kind = col.type
            if item.field.json_path:
                kind = "text" if item.field.json_path[-1].text else "json"
            if item.cast:
                expr = sa.cast(expr, _CAST_TYPES[item.cast]())
                kind = item.cast
            outputs.append((item.key, _render(b, expr, kind)))
            group.append(expr)
            grouped.add(item.field)
        elif isinstance(item, Embed):
            rel = b.catalog.resolve(table, item.name, item.hint)
            if item.key in embedded:  # PostgREST's two joins then share one alias, which PostgreSQL refuses
                name = f"{table.rpartition('.')[2]}_{item.key}_{len(path) + 1}"
                raise ApiError(400, "42712", f'table name "{name}" specified more than once')
            embedded.add(item.key)
            group.extend(alias.c[c] for c in (rel.link.columns if rel.kind == "m2o" else rel.link.ref_columns))
            expr, inner_cond = _embed(b, table, alias, item, path + (item.key,))
            if expr is None:
                pass  # an empty embed only filters
            elif item.spread:
                outputs.extend(_spread(b, table, item, expr))
            else:
                outputs.append((item.key, expr))
            if inner_cond is not None:
                where.append(inner_cond)
    stmt = sa.select(*[_label(b, k, e) for k, e in outputs]).select_from(alias).where(*where)
    if aggregated and group:
        stmt = stmt.group_by(*group)
    stmt = stmt.order_by(*_order(b, table, alias, path, items, grouped if aggregated else None))
    if limit is not None:
        stmt = stmt.limit(b.bind(limit, sa.Integer()))
    if offset:
        stmt = stmt.offset(b.bind(offset, sa.Integer()))
    return stmt


def _label(b: Build, key: str, expr: sa.ColumnElement) -> sa.ColumnElement:
    return expr.label(key)


def _render(b: Build, expr: sa.ColumnElement, kind: str) -> sa.ColumnElement:
    """SQLite keeps booleans as 0/1 and JSON as text: make json_object see true/false and nested JSON."""
    if b.dialect == "postgresql":
        return expr
    if kind in ("boolean", "bool"):
        return sa.case((expr.is_(None), sa.null()), (expr != 0, sa.func.json("true")), else_=sa.func.json("false"))
    if kind in ("json", "jsonb", "array"):
        return sa.func.json(expr)
    if kind == "vector":
        return sa.func.json(sa.func.docbase_vector_json(expr))
    if kind in ("timestamp", "timestamptz"):
        return timestamp_json(expr, kind == "timestamptz")
    return expr


def _order(
    b: Build, table: str, alias: sa.FromClause, path: tuple[str, ...], items: tuple[SelectItem, ...], grouped
) -> list:
    """ORDER BY terms; ``grouped`` (when the resource aggregates): the only columns it may sort by."""
    terms = []
    for term in b.query.order.get(path, ()):
        if term.relation is not None:
            expr = _related_order(b, table, alias, items, term)
        elif (
            not term.field.json_path
            and term.field.name not in b.columns(table)
            and (computed := (_visible_computed(b, table) or {}).get(term.field.name)) is not None
        ):
            expr = computed.expression(alias, b.dialect)  # ordering by a computed field, as PostgREST allows
        else:
            col = column_of(b.columns(table), term.field, table)
            if grouped is not None and term.field not in grouped:
                raise ApiError(
                    400,
                    "42803",
                    f'column "{table}.{term.field.name}" must appear in the GROUP BY clause or be used in an '
                    "aggregate function",
                    None,
                    "Order by a column the select groups by.",
                )
            expr = field_expr(alias, col, term.field)
        ordered = expr.desc() if term.desc else expr.asc()
        nulls = term.nulls or ("first" if term.desc else "last")
        terms.append(ordered.nulls_first() if nulls == "first" else ordered.nulls_last())
    # a big table's top-level rows: rowid order (docbase.api.heap_order); below the first embedded level none
    # either, as each level's ordering subqueries deepen a statement SQLite's parser can only nest so far
    heap = (b.heap_order or bool(path)) and len(path) <= 1
    if grouped is None and b.dialect == "sqlite" and heap and _is_table(alias) and not _keyed_order(b, table, path):
        # PostgreSQL answers an unordered read, and the ties of an ordered one, in heap order in practice
        # (insertion order, an updated row last), and clients rely on it; SQLite would follow whichever
        # index its planner picks. docbase.ddl.row_order keeps that order on SQLite (rowid, then where
        # updated rows moved).
        terms.extend(row_order.order_terms(table, sa.literal_column(f"{alias.name}.rowid")))
    return terms


def _keyed_order(b: Build, table: str, path: tuple[str, ...]) -> bool:
    """Whether ``order=`` names every primary-key column (no ties left to break)."""
    plain = {t.field.name for t in b.query.order.get(path, ()) if t.relation is None and not t.field.json_path}
    key = b.catalog.tables[table].primary_key if table in b.catalog.tables else ()
    return bool(key) and set(key) <= plain


def _is_table(alias: sa.FromClause) -> bool:
    return isinstance(alias, sa.Alias) and isinstance(alias.element, sa.Table)


def _related_order(
    b: Build, table: str, alias: sa.FromClause, items: tuple[SelectItem, ...], term: OrderTerm
) -> sa.ColumnElement:
    """``order=author(name)``: the to-one embed's column as a correlated scalar (the rows ``role`` may see)."""
    embed = next((i for i in items if isinstance(i, Embed) and i.key == term.relation), None)
    if embed is None:
        raise ApiError(
            400,
            "PGRST108",
            f"'{term.relation}' is not an embedded resource in this request",
            None,
            f"Verify that '{term.relation}' is included in the 'select' query parameter.",
        )
    rel = b.catalog.resolve(table, embed.name, embed.hint)
    if not rel.to_one:
        raise ApiError(
            400,
            "PGRST118",
            f"A related order on '{embed.name}' is not possible",
            f"'{table}' and '{embed.name}' do not form a many-to-one or one-to-one relationship",
        )
    target = b.alias(rel.target)
    col = column_of(b.columns(rel.target), term.field, rel.target)
    where = [_join(b, rel, alias, target)]
    if (seen := b.row_filter(rel.target, target, "select")) is not None:
        where.append(seen)
    return sa.select(field_expr(target, col, term.field)).select_from(target).where(*where).scalar_subquery()


_NUMERIC = frozenset(
    {"integer", "bigint", "smallint", "numeric", "float", "int", "int4", "int8", "real", "double", "float8"}
)


def _is_aggregate(b: Build, table: str, item: SelectColumn) -> bool:
    """An aggregate, or the older bare ``count`` on a table without a column of that name."""
    if item.aggregate is not None:
        return True
    return item.field == Field("count") and not item.cast and "count" not in b.columns(table)


def _aggregate_expr(
    b: Build, table: str, alias: sa.FromClause, item: SelectColumn, label: str | None = None
) -> sa.ColumnElement:
    fn = item.aggregate or "count"
    if item.field.name == "*" or item.aggregate is None:
        expr, kind = sa.func.count(), "bigint"
    else:
        col = column_of(b.columns(table), item.field, label or table)
        arg = field_expr(alias, col, item.field)
        kind = col.type
        if item.field.json_path:
            kind = "text" if item.field.json_path[-1].text else "json"
        if item.cast:
            arg, kind = sa.cast(arg, _CAST_TYPES[item.cast]()), item.cast
        if fn in ("sum", "avg") and kind not in _NUMERIC:
            raise ApiError(
                400,
                "42883",
                f"function {fn}({kind}) does not exist",
                None,
                f"{fn}() takes a number; cast the value first, like col::numeric.{fn}()",
            )
        expr = getattr(sa.func, fn)(arg)
        if fn == "count":
            kind = "bigint"
        elif fn in ("sum", "avg"):
            kind = "numeric"
    if item.agg_cast:
        expr, kind = sa.cast(expr, _CAST_TYPES[item.agg_cast]()), item.agg_cast
    return _render(b, expr, kind)


def _aggregate(b: Build, inner: sa.Select, name: str, single: bool = False) -> sa.Select:
    """Rows of ``inner`` -> one JSON value: an array, or (``single``) the first row's object or null."""
    if b.dialect == "postgresql":
        sub = inner.subquery(name)
        if single:
            return sa.select(sa.func.row_to_json(sub.table_valued())).select_from(sub)
        agg = sa.func.coalesce(sa.func.json_agg(sub.table_valued()), sa.literal_column("'[]'::json"))
        if name == "_r":  # the response: JSON text and the number of rows in it
            return sa.select(sa.cast(agg, sa.Text), sa.func.count()).select_from(sub)
        return sa.select(agg).select_from(sub)
    pairs = []
    for col in inner.selected_columns:
        pairs.extend([sa.literal(col.name, sa.Text), col])
    obj = sa.func.json_object(*pairs)
    if single:
        return inner.with_only_columns(obj)
    sub = inner.with_only_columns(obj.label("_j")).subquery(name)
    agg = sa.func.json_group_array(sa.func.json(sub.c._j))
    if name == "_r":
        return sa.select(agg, sa.func.count()).select_from(sub)
    return sa.select(agg).select_from(sub)


def _embed(
    b: Build, parent: str, parent_alias: sa.FromClause, item: Embed, path: tuple[str, ...]
) -> tuple[sa.ColumnElement | None, sa.ColumnElement | None]:
    """The embed's JSON value (None for an empty embed ``rel()``) and, for ``!inner``, the parent's condition."""
    if len(path) > 8:
        raise ApiError(400, "PGRST100", "Embedding is nested deeper than 8 levels")
    rel = b.catalog.resolve(parent, item.name, item.hint)
    b.seen.add(path)
    target = rel.target
    alias = _target_alias(b, rel, parent_alias)
    join = _join(b, rel, parent_alias, alias)
    where = [join, *_where(b, target, alias, path)]
    single = rel.to_one
    limit = 1 if single else b.query.limit.get(path)
    if _empty(item):
        return None, _inner_condition(b, rel, target, parent_alias, path) if item.inner else None
    inner = _node_select(b, target, alias, item.items, path, where, limit, b.query.offset.get(path))
    inner = inner.correlate(parent_alias)
    value = _aggregate(b, inner, f"_e{b.aliases}", single).correlate(parent_alias).scalar_subquery()
    if b.dialect == "sqlite":
        value = sa.func.json(value)
    inner_cond = _inner_condition(b, rel, target, parent_alias, path) if item.inner else None
    return value, inner_cond


def _empty(item: Embed) -> bool:
    """``clients()``, or an embed holding only empty embeds (``tasks(projects())``): PostgREST leaves it out."""
    return all(isinstance(sub, Embed) and _empty(sub) for sub in item.items)


def _inner_condition(
    b: Build, rel: Relationship, target: str, parent_alias: sa.FromClause, path: tuple[str, ...]
) -> sa.ColumnElement:
    """``rel!inner``: the parent row stays only when a related row passes the embed's filters."""
    probe = _target_alias(b, rel, parent_alias)
    probe_where = [_join(b, rel, parent_alias, probe), *_where(b, target, probe, path)]
    return sa.exists(sa.select(1).select_from(probe).where(*probe_where).correlate(parent_alias))


def _spread(b: Build, parent: str, item: Embed, obj: sa.ColumnElement) -> list[tuple[str, sa.ColumnElement]]:
    """``...author(name,email)``: the to-one embed's keys become the parent's own (one subquery, read per key)."""
    rel = b.catalog.resolve(parent, item.name, item.hint)
    keys = _spread_keys(b, rel.target, item.items)
    if not rel.to_one:
        return [(key, _spread_many(b, obj, key)) for key in keys]
    out = []
    for key in keys:
        if b.dialect == "postgresql":
            out.append((key, obj.op("->", return_type=sa.JSON)(sa.literal(key, sa.Text))))
        else:
            path = '$."' + key.replace('"', '\\"') + '"'
            out.append((key, sa.func.json(obj.op("->", return_type=sa.Text)(sa.literal(path, sa.Text)))))
    return out


def _spread_keys(b: Build, target: str, items: tuple[SelectItem, ...]) -> list[str]:
    """The keys a spread embed lends its parent: its columns, and a nested spread's keys in turn."""
    keys: list[str] = []
    for sub in items:
        if isinstance(sub, SelectStar):
            hidden = b.hidden(target)
            keys.extend(c.name for c in b.catalog.tables[target].columns if c.name not in hidden)
        elif isinstance(sub, Embed) and sub.spread:
            keys.extend(_spread_keys(b, b.catalog.resolve(target, sub.name, sub.hint).target, sub.items))
        elif not isinstance(sub, Embed) or not _empty(sub):
            keys.append(sub.key)
    return keys


def _spread_many(b: Build, array: sa.ColumnElement, key: str) -> sa.ColumnElement:
    """PostgREST 13's to-many spread: ``...processes(name)`` gives ``name`` as the array of the rows' values."""
    if b.dialect == "postgresql":
        elems = sa.func.json_array_elements(array).table_valued("value").alias("e")
        picked = elems.c.value.op("->", return_type=sa.JSON)(sa.literal(key, sa.Text))
        agg = sa.func.coalesce(sa.func.json_agg(picked), sa.literal_column("'[]'::json"))
        return sa.select(agg).select_from(elems).scalar_subquery()
    elems = sa.func.json_each(array).table_valued("value").alias("e")
    path = '$."' + key.replace('"', '\\"') + '"'
    picked = sa.func.json(elems.c.value.op("->", return_type=sa.Text)(sa.literal(path, sa.Text)))
    return sa.func.json(sa.select(sa.func.json_group_array(picked)).select_from(elems).scalar_subquery())


def _target_alias(b: Build, rel: Relationship, parent: sa.FromClause) -> sa.FromClause:
    """The embedded rows' source: the target table, or for a computed relationship the function called on the
    parent's row (``FROM directors_of("t0") AS t1``, correlated like any embed's subquery)."""
    if rel.function is None:
        return b.alias(rel.target)
    if b.hidden(rel.link.table):  # PostgreSQL refuses a whole-row reference without every column's privilege
        raise permission_denied(rel.link.table, 401 if b.role == "anon" else 403)
    name = f"t{b.aliases}"
    b.aliases += 1
    table = b.catalog.sa_table(rel.target)
    columns = [sa.column(c.name, c.type) for c in table.c]
    if b.dialect != "postgresql":  # the body's one query, on the parent's alias (docbase.api.computed)
        return sa.text(rel.function.sqlite_rows(parent, len(columns))).columns(*columns).subquery(name)
    row = sa.literal_column('"' + str(parent.name).replace('"', '""') + '"')
    qualified = rel.function.function
    function = sa.Function(qualified.rsplit(".", 1)[-1], row, packagenames=tuple(qualified.split(".")[:-1]))
    return function.table_valued(*columns).alias(name)


def _join(b: Build, rel: Relationship, parent: sa.FromClause, child: sa.FromClause) -> sa.ColumnElement:
    link = rel.link
    if rel.kind == "computed":
        return sa.true()  # the function already gives only the parent's rows
    if rel.kind == "m2o":
        return sa.and_(*[child.c[r] == parent.c[c] for c, r in zip(link.columns, link.ref_columns, strict=True)])
    if rel.kind == "o2m":
        return sa.and_(*[child.c[c] == parent.c[r] for c, r in zip(link.columns, link.ref_columns, strict=True)])
    assert rel.via is not None
    junction = b.alias(link.table)
    to_parent = [junction.c[c] == parent.c[r] for c, r in zip(link.columns, link.ref_columns, strict=True)]
    to_child = [junction.c[c] == child.c[r] for c, r in zip(rel.via.columns, rel.via.ref_columns, strict=True)]
    if (seen := b.row_filter(link.table, junction, "select")) is not None:
        to_child.append(seen)  # the junction's rows are access-scoped too
    return sa.exists(sa.select(1).select_from(junction).where(*to_parent, *to_child).correlate(parent, child))


def _check_paths(b: Build) -> None:
    q = b.query
    for mapping in (q.where, q.order, q.limit, q.offset):
        for path in mapping:
            if path not in b.seen:
                raise ApiError(
                    400,
                    "PGRST108",
                    f"'{'.'.join(path)}' is not an embedded resource in this request",
                    None,
                    f"Verify that '{'.'.join(path)}' is included in the 'select' query parameter.",
                )


__all__ = ["pg", "read_statement", "read_values", "where_clause", "where_values"]
