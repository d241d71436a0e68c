"""``rpc/match_<table>``: the rows nearest a query embedding, by cosine distance or L2.

SQLite keeps vectors as float32 blobs, sqlite-vec's layout, so its
``vec_distance_cosine`` / ``vec_distance_l2`` rank them (the extension is
loaded into the API's connection on first use; where Python cannot load
extensions, the same functions are registered in Python). PostgreSQL uses pgvector's
``<=>`` / ``<->`` when the column really is a ``vector``; otherwise the
column is ``real[]`` and the distance is computed exactly in SQL over
``unnest`` of the stored and the query arrays - a full scan, exact, and
the same numbers NumPy gives.

Arguments (Supabase's ``match_documents`` spelling works):
``query_embedding`` (or ``embedding``), ``match_count`` (or ``count``,
default 10, at most 1000), ``metric`` (``cosine`` default, or ``l2``),
``match_threshold`` (cosine: keep similarity >= it), ``filter`` (column ->
value, equality). Rows come back without the vector, with ``distance`` and,
for cosine, ``similarity`` = 1 - distance.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from ..schema.model import Table
from .base import Applied
from .errors import bad_argument
from .sqltext import Sql

MAX_COUNT = 1000


def parse_args(body: dict[str, Any], table: Table, applied: Applied) -> dict[str, Any]:
    vector = body.get("query_embedding", body.get("embedding"))
    if not isinstance(vector, list) or not vector:
        raise bad_argument("query_embedding must be a non-empty array of numbers")
    if not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in vector):
        raise bad_argument("query_embedding must hold only finite numbers")
    dimension = int(applied.role("dimension") or 0)
    if dimension and len(vector) != dimension:
        raise bad_argument(
            f"query_embedding has {len(vector)} dimensions; {table.name}.{applied.role('vector')} has {dimension}"
        )
    count = body.get("match_count", body.get("count", 10))
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise bad_argument(f"match_count must be an integer from 1 to {MAX_COUNT}")
    metric = body.get("metric", "cosine")
    if metric not in ("cosine", "l2"):
        raise bad_argument("metric must be 'cosine' or 'l2'")
    threshold = body.get("match_threshold")
    if threshold is not None and (not isinstance(threshold, int | float) or isinstance(threshold, bool)):
        raise bad_argument("match_threshold must be a number")
    filters = body.get("filter") or {}
    if not isinstance(filters, dict):
        raise bad_argument("filter must be an object of column: value")
    for name, value in filters.items():
        column = table.column(name)
        if column is None or column.type == "vector":
            raise bad_argument(f"filter names {name!r}, which is not a column of {table.name}")
        if not isinstance(value, str | int | float | bool) and value is not None:
            raise bad_argument(f"filter value for {name!r} must be a string, number, boolean or null")
    return {
        "vector": [float(x) for x in vector],
        "count": count,
        "metric": metric,
        "threshold": threshold,
        "filters": filters,
    }


async def match(
    tx: Any,
    sql: Sql,
    table: Table,
    applied: Applied,
    args: dict[str, Any],
    visible: list[tuple[str, list[Any]]] = (),  # type: ignore[assignment]
    hidden: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The nearest rows among those ``visible`` admits (SQL conditions on ``t`` with ``?`` values), without
    the ``hidden`` columns: a search never returns a row or a column a GET would not."""
    q = sql.q
    vcol = applied.role("vector") or ""
    shown = [c.name for c in table.columns if c.type != "vector" and c.name not in hidden]
    where = [f"t.{q(vcol)} IS NOT NULL"]
    params: list[Any] = []
    for name, value in args["filters"].items():
        if value is None:
            where.append(f"t.{q(name)} IS NULL")
        else:
            where.append(f"t.{q(name)} = ?")
            params.append(sql.boolean(value) if isinstance(value, bool) else value)
    for text, values in visible:
        where.append(f"({text})")
        params.extend(values)
    cosine = args["metric"] == "cosine"
    if not sql.pg:
        _load_sqlite_vec(tx)
        fn = "vec_distance_cosine" if cosine else "vec_distance_l2"
        distance = f"{fn}(t.{q(vcol)}, ?)"
        query = struct.pack(f"<{len(args['vector'])}f", *args["vector"])
        source = f"{q(table.name)} AS t"
        lead = [query]
    elif await _pgvector_column(tx, sql, table.name, vcol):
        distance = f"(t.{q(vcol)} {'<=>' if cosine else '<->'} ?::vector)"
        query = "[" + ",".join(repr(x) for x in args["vector"]) + "]"
        source = f"{q(table.name)} AS t"
        lead = [query]
    else:
        formula = (
            "1 - sum(x * y) / nullif(sqrt(sum(x * x)) * sqrt(sum(y * y)), 0)"
            if cosine
            else "sqrt(sum((x - y) * (x - y)))"
        )
        source = (
            f"{q(table.name)} AS t CROSS JOIN LATERAL (SELECT {formula} AS distance "
            f"FROM unnest(t.{q(vcol)}::float8[], ?::float8[]) AS u(x, y)) AS d"
        )
        distance = "d.distance"
        lead = [args["vector"]]
    key = applied.role("key") or shown[0]
    cols = ", ".join([f"t.{q(key)} AS docbase_key"] + [f"t.{q(c)}" for c in shown])
    inner = f"SELECT {cols}, {distance} AS distance FROM {source} WHERE {' AND '.join(where)}"
    outer = ""
    tail: list[Any] = []
    if cosine and args["threshold"] is not None:
        outer = " WHERE 1 - m.distance >= ?"
        tail.append(float(args["threshold"]))
    text = f"SELECT * FROM ({inner}) AS m{outer} ORDER BY m.distance ASC, m.docbase_key ASC LIMIT ?"
    # Placeholders in text order: the query vector (in SELECT or FROM), the filters, the threshold, the count.
    rows = await tx.rows(sql.render(text), lead + params + tail + [args["count"]])
    out = []
    for row in rows:
        item = dict(zip(shown, row[1:-1], strict=True))
        item["distance"] = float(row[-1]) if row[-1] is not None else None
        if cosine and item["distance"] is not None:
            item["similarity"] = 1 - item["distance"]
        out.append(item)
    return out


def _load_sqlite_vec(tx: Any) -> None:
    """sqlite-vec's distance functions on this connection; Python's own when the extension cannot load.

    Some Python builds leave out ``enable_load_extension``; then the same two
    functions are registered in Python (exact, float32 inputs, slower).
    """
    conn = tx.conn
    try:
        conn.execute("SELECT vec_distance_l2(x'0000803f', x'0000803f')")
        return
    except Exception:  # noqa: BLE001 - not there yet on this connection
        pass
    if hasattr(conn, "enable_load_extension"):
        import sqlite_vec

        conn.enable_load_extension(True)
        try:
            sqlite_vec.load(conn)
            return
        except Exception:  # noqa: BLE001 - fall back to the Python functions below
            pass
        finally:
            conn.enable_load_extension(False)
    conn.create_function("vec_distance_cosine", 2, _cosine, deterministic=True)
    conn.create_function("vec_distance_l2", 2, _l2, deterministic=True)


def _floats(blob: Any) -> tuple[float, ...]:
    if isinstance(blob, str):
        import orjson

        return tuple(float(x) for x in orjson.loads(blob))
    return struct.unpack(f"<{len(blob) // 4}f", blob[: len(blob) // 4 * 4])


def _pair(a: Any, b: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    x, y = _floats(a), _floats(b)
    if len(x) != len(y):
        raise ValueError(f"vector sizes differ: {len(x)} and {len(y)}")
    return x, y


def _cosine(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    x, y = _pair(a, b)
    norm = math.sqrt(sum(v * v for v in x)) * math.sqrt(sum(v * v for v in y))
    return None if norm == 0 else 1 - sum(p * q for p, q in zip(x, y, strict=True)) / norm


def _l2(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    x, y = _pair(a, b)
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(x, y, strict=True)))


async def _pgvector_column(tx: Any, sql: Sql, table: str, column: str) -> bool:
    rows = await tx.rows(
        sql.render("SELECT udt_name FROM information_schema.columns WHERE table_name = ? AND column_name = ?"),
        [table, column],
    )
    return bool(rows) and rows[0][0] == "vector"
