"""SQLite's range operators agree with PostgreSQL's, value for value: PostgreSQL itself is the oracle.

Random ranges of each type (bounds open, closed, infinite, empty, equal ends) are compared
with every operator PostgREST maps, once by docbase.api.sql.pg_range and once by a real
PostgreSQL server in one query; canonical text is compared with PostgreSQL's own output.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from docbase.api.sql import pg_range
from docbase.api.sql.range_types import OPERATORS

pytestmark = pytest.mark.pg


def _bound(kind: str, rng: random.Random) -> str:
    n = rng.randint(0, 12)
    if kind in ("int4range", "int8range"):
        return str(n)
    if kind == "numrange":
        return f"{n / 2}"
    if kind == "daterange":
        return (date(2024, 1, 1) + timedelta(days=n)).isoformat()
    return f'"2024-01-01 {n:02d}:30:00{"+00" if kind == "tstzrange" else ""}"'


def _range(kind: str, rng: random.Random) -> str:
    if rng.random() < 0.05:
        return "empty"
    low, high = sorted([_bound(kind, rng), _bound(kind, rng)], key=lambda b: _key(kind, b))
    low = "" if rng.random() < 0.1 else low
    high = "" if rng.random() < 0.1 else high
    return f"{rng.choice('[(')}{low},{high}{rng.choice(')]')}"


def _key(kind: str, bound: str):  # noqa: ANN202 - sort key only
    return pg_range._element(kind, bound.strip('"'))


KINDS = ["int4range", "numrange", "daterange", "tstzrange", "tsrange"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_operator_matches_postgresql(kind):
    import psycopg

    from tests.conftest import _server_url

    rng = random.Random(f"pg-range-{kind}")
    pairs = [(_range(kind, rng), _range(kind, rng)) for _ in range(400)]
    pairs += [("[1,3)", "[3,5)"), ("[1,3]", "(3,5)"), ("(,)", "empty"), ("[2,2]", "[2,3)")] if "int" in kind else []
    ops = sorted(OPERATORS)
    columns = ", ".join(f"(a::{kind} {OPERATORS[op]} b::{kind})" for op in ops)
    values = ", ".join("(%s, %s)" for _ in pairs)
    sql = f"SELECT {columns}, a::{kind}::text FROM (VALUES {values}) AS v(a, b)"
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        rows = conn.execute(sql, [x for pair in pairs for x in pair]).fetchall()
    for (a, b), row in zip(pairs, rows, strict=True):
        answers = iter(row)
        for op in ops:
            expected = next(answers)
            got = pg_range.sqlite_function(op, kind, a, b)
            assert got == int(expected), (kind, a, op, b)
        assert pg_range.canonical(kind, a) == next(answers), (kind, a)


def test_a_malformed_range_is_an_error_not_a_silent_miss():
    from docbase.api.errors import ApiError
    from docbase.api.sql.range_types import sqlite_value

    with pytest.raises(ApiError) as exc:
        sqlite_value("int4range", "[5,1)")
    assert exc.value.code == "22000"  # as PostgreSQL: bounds out of order is not a syntax error
    with pytest.raises(ApiError) as exc:
        sqlite_value("int4range", "[a,b)")
    assert exc.value.code == "22P02"
    assert sqlite_value("int4range", " [1,3] ") == "[1,4)"


DOC = """```sql
CREATE TABLE bookings (id int PRIMARY KEY, during int4range, days daterange);
```
"""


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
async def test_ranges_are_stored_canonical_and_filtered_alike_through_the_api(db, request, tmp_path):
    import httpx

    from docbase.api import create_app
    from docbase.auth import keys
    from docbase.migrate import migrate
    from docbase.pipeline import build_schema

    url = f"sqlite:///{tmp_path / 'r.db'}" if db == "sqlite" else request.getfixturevalue("pg_url")
    schema = build_schema(DOC)
    migrate(schema, url)
    secret = "range-test-secret-0123456789abcdef0123"
    service = keys.service_key(secret)
    app = create_app(schema, url, secret=secret)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        rows = [
            {"id": 1, "during": "[1,3]", "days": "[2024-01-01,2024-01-03]"},
            {"id": 2, "during": "(3,10)", "days": None},
            {"id": 3, "during": "[5,5)", "days": "(,2024-02-01)"},
        ]
        made = await c.post("/rest/v1/bookings", json=rows, headers={"Prefer": "return=representation"})
        assert made.status_code == 201, made.text
        assert [r["during"] for r in made.json()] == ["[1,4)", "[4,10)", "empty"]
        assert made.json()[0]["days"] == "[2024-01-01,2024-01-04)"
        adjacent = await c.get("/rest/v1/bookings?during=adj.[10,12)&select=id")
        assert adjacent.json() == [{"id": 2}]
        overlapping = await c.get("/rest/v1/bookings?during=ov.[2,5)&select=id&order=id")
        assert overlapping.json() == [{"id": 1}, {"id": 2}]
        backwards = await c.get("/rest/v1/bookings?during=cs.[9,1)")
        assert backwards.status_code == 400 and backwards.json()["code"] == "22000", backwards.text
        assert backwards.json()["message"] == "range lower bound must be less than or equal to range upper bound"
        malformed = await c.get("/rest/v1/bookings?during=cs.9-1")
        assert malformed.status_code == 400 and malformed.json()["code"] == "22P02", malformed.text
