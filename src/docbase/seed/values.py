"""Column values by type and name, generated a whole column at a time.

Values are neutral Python objects (str, int, float, Decimal, bool, bytes,
datetime, date, time, lists for arrays and vectors, JSON already serialised
to text); the writers turn them into what each database takes. Timestamps
of one row are made together (``timestamps.py``) so ``created_at`` comes
before ``updated_at``; everything here is per column.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import time, timedelta
from decimal import Decimal

from ..schema.model import Column
from .names import has, is_plural, words
from .pools import Pools
from .text import text_kind, text_values
from .timestamps import ANCHOR

#: Columns that are mostly empty in real data (a soft-delete mark, a ban).
RARELY_SET = (
    "deleted",
    "archived",
    "revoked",
    "banned",
    "ban",
    "canceled",
    "cancelled",
    "suspended",
    "error",
    "failure",
    "parent",
)
NULL_SHARE = 0.1


def null_share(column: Column) -> float:
    """How many rows leave a nullable column empty."""
    if column.nullable is False:
        return 0.0
    if column.type in ("json", "jsonb", "array", "vector"):
        # SQLite before 3.45 says json_valid(NULL) = 0, so docbase's JSON CHECKs refuse NULL there.
        return 0.0
    if has(words(column.name), *RARELY_SET):
        return 0.8
    return NULL_SHARE


def uuids(n: int, rng: random.Random) -> list[str]:
    """Deterministic version-4 uuids (``uuid.uuid4`` would differ between runs)."""
    bits = rng.getrandbits
    return [str(uuid.UUID(int=bits(128), version=4)) for _ in range(n)]


def column_values(
    column: Column, table: str, n: int, rng: random.Random, pools: Pools, unique: bool, enum: tuple[str, ...] | None
) -> list:
    """``n`` values for ``column`` (no NULLs; the caller blanks a share of nullable ones)."""
    kind = column.type
    if enum:
        return rng.choices(enum, k=n)
    if column.examples and kind in ("text", "varchar", "enum"):
        values = rng.choices(column.examples, k=n)
        return [f"{v}-{i + 1}" for i, v in enumerate(values)] if unique else values
    if kind in ("text", "varchar", "enum"):
        return text_values(text_kind(column.name, table), n, rng, pools, unique, column.length, column.name)
    if kind == "uuid":
        return uuids(n, rng)
    if kind in ("integer", "bigint", "smallint"):
        return _integers(column, n, rng, unique)
    if kind == "numeric":
        return _numerics(column, n, rng, unique)
    if kind == "float":
        return _floats(column, n, rng, unique)
    if kind == "boolean":
        share = 0.1 if has(words(column.name), *RARELY_SET) else 0.5
        return [rng.random() < share for _ in range(n)]
    if kind == "date":
        start = ANCHOR.date() - timedelta(days=3650 if has(words(column.name), "birth", "dob") else 730)
        days = 3650 * 2 if unique else 730
        offsets = (
            rng.sample(range(days * 10), n) if unique and n <= days * 10 else [rng.randrange(days) for _ in range(n)]
        )
        return [start + timedelta(days=d) for d in offsets]
    if kind == "time":
        return [time(rng.randrange(24), rng.randrange(60), rng.randrange(60)) for _ in range(n)]
    if kind == "interval":
        return [f"{rng.randint(1, 720)} minutes" for _ in range(n)]
    if kind in ("json", "jsonb"):
        return json_values(column.name, n, rng, pools)
    if kind == "array":
        return _arrays(column, n, rng, pools)
    if kind == "vector":
        return _vectors(column.dimension or 3, n, rng)
    if kind == "bytes":
        return [rng.randbytes(16) for _ in range(n)]
    if kind == "inet":
        return pools.draw("ipv4", n, rng) if not unique else [_ip(i) for i in range(n)]
    if kind in ("timestamp", "timestamptz"):
        return [ANCHOR - timedelta(seconds=rng.randrange(60 * 86400)) for _ in range(n)]
    return text_values("words", n, rng, pools, unique, None, column.name)


def _ip(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def _int_range(column: Column) -> tuple[int, int]:
    ws = words(column.name)
    if has(ws, "ms", "millis", "milliseconds", "latency"):
        return 5, 120_000
    if has(ws, "port"):
        return 1024, 65_535
    if has(ws, "year"):
        return 2015, 2025
    if has(ws, "bytes", "size"):
        return 512, 50_000_000
    if has(ws, "seconds", "duration", "timeout", "ttl"):
        return 1, 3600
    if has(ws, "position", "order", "sort", "index", "rank", "step", "attempt", "attempts", "retries", "retry"):
        return 0, 20
    if has(ws, "percent", "percentage", "progress", "score"):
        return 0, 100
    if has(ws, "priority", "level", "severity", "rating", "stars"):
        return 1, 5
    if has(ws, "status", "code") and has(ws, "http", "status"):
        return 200, 504
    return 0, 1000


_INT_LIMITS = {"smallint": 32_767, "integer": 2_147_483_647, "bigint": 9_223_372_036_854_775_807}


def _integers(column: Column, n: int, rng: random.Random, unique: bool) -> list[int]:
    low, high = _int_range(column)
    high = min(high, _INT_LIMITS.get(column.type, high))
    if unique:
        return list(range(low + 1, low + 1 + n))
    return [rng.randint(low, high) for _ in range(n)]


def _numerics(column: Column, n: int, rng: random.Random, unique: bool) -> list[Decimal]:
    scale = column.scale if column.scale is not None else 2
    precision = column.precision or 12
    whole = max(precision - scale, 0)
    ws = words(column.name)
    cap = 10**whole - 1 if whole else 0
    if has(ws, "rate", "ratio", "percent", "percentage", "share", "score"):
        top = min(cap, 100)
    else:
        top = min(cap, 10_000)
    units = 10**scale
    top_units = top * units + (units - 1 if whole else units - 1)
    if unique:
        return [Decimal(i + 1).scaleb(-scale) for i in range(n)]
    return [Decimal(rng.randint(0, top_units)).scaleb(-scale) for _ in range(n)]


def _floats(column: Column, n: int, rng: random.Random, unique: bool) -> list[float]:
    ws = words(column.name)
    if has(ws, "lat", "latitude"):
        return [round(rng.uniform(-80, 80), 6) for _ in range(n)]
    if has(ws, "lng", "lon", "longitude"):
        return [round(rng.uniform(-179, 179), 6) for _ in range(n)]
    top = 1.0 if has(ws, "score", "ratio", "probability", "confidence", "similarity") else 1000.0
    if unique:
        return [round(i + rng.random() / 2, 4) for i in range(n)]
    return [round(rng.uniform(0, top), 4) for _ in range(n)]


def json_values(name: str, n: int, rng: random.Random, pools: Pools) -> list[str]:
    """JSON text shaped by the name: a list for plural names (``artifactPaths``), else a small object."""
    shapes = [json.dumps(_json_shape(name, rng, pools), separators=(",", ":")) for _ in range(min(n, 64))]
    return rng.choices(shapes, k=n) if shapes else []


def _json_shape(name: str, rng: random.Random, pools: Pools) -> object:
    ws = words(name)
    pick = rng.choice
    if has(ws, "path", "paths", "files", "urls", "attachments", "artifacts"):
        return [pick(pools.get("file_path")) for _ in range(rng.randint(1, 3))]
    if has(ws, "tags", "labels", "keywords", "scopes", "permissions", "features"):
        return [pick(pools.get("word")) for _ in range(rng.randint(1, 4))]
    if is_plural(name):
        return [pick(pools.get("word")) for _ in range(rng.randint(0, 3))]
    if has(ws, "settings", "preferences", "config", "configuration", "options"):
        return {
            "enabled": rng.random() < 0.7,
            "theme": pick(["light", "dark", "system"]),
            "notifications": {"email": rng.random() < 0.5, "slack": rng.random() < 0.3},
        }
    if has(ws, "address", "location"):
        return {"city": pick(pools.get("city")), "country": pick(pools.get("country_code"))}
    if has(ws, "error", "errors"):
        return {"code": pick(["timeout", "not_found", "internal"]), "message": pick(pools.get("sentence"))}
    return {
        "source": pick(["web", "api", "import", "cli"]),
        "version": rng.randint(1, 5),
        "note": pick(pools.get("title")),
    }


def _arrays(column: Column, n: int, rng: random.Random, pools: Pools) -> list[list]:
    item = column.item_type or "text"
    if item in ("integer", "bigint", "smallint"):
        return [[rng.randint(0, 100) for _ in range(rng.randint(1, 4))] for _ in range(n)]
    if item in ("float", "numeric"):
        return [[round(rng.uniform(0, 100), 2) for _ in range(rng.randint(1, 4))] for _ in range(n)]
    if item == "uuid":
        return [uuids(rng.randint(1, 3), rng) for _ in range(n)]
    if item == "boolean":
        return [[rng.random() < 0.5 for _ in range(rng.randint(1, 3))] for _ in range(n)]
    words_pool = pools.get("word")
    return [rng.sample(words_pool, rng.randint(1, 4)) for _ in range(n)]


def _vectors(dimension: int, n: int, rng: random.Random) -> list[list[float]]:
    """Unit vectors of the right dimension, from a small pool (embeddings are costly to invent one by one)."""
    pool = []
    for _ in range(min(n, 32)):
        v = [rng.gauss(0, 1) for _ in range(dimension)]
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        pool.append([round(x / norm, 6) for x in v])
    return rng.choices(pool, k=n) if pool else []
