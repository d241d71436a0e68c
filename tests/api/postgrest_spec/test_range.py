"""PostgREST's Feature/Query/RangeSpec.hs on ``/items`` and embeds: limit/offset, Range headers, counts, 416s.

``rangeHdrs`` in the spec is ``Range-Unit: items`` plus ``Range: a-b``;
``rangeHdrsWithCount`` adds ``Prefer: count=exact``.
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

ALL = [{"id": i} for i in range(1, 16)]
JSON = "application/json; charset=utf-8"


def rng(spec: str, count: bool = False) -> dict[str, str]:
    headers = {"Range-Unit": "items", "Range": spec}
    if count:
        headers["Prefer"] = "count=exact"
    return headers


def unsatisfiable(details: str) -> dict:
    return {"message": "Requested range not satisfiable", "code": "PGRST103", "details": details, "hint": None}


EXACT = {"Prefer": "count=exact"}

CASES = [
    Case("/items"),
    Case("/items?id=eq.0", [], headers={"Content-Range": "*/0"}, request_headers=EXACT),
    Case("/items?order=id", ALL, headers={"Content-Range": "0-14/*"}, request_headers={"Prefer": "count=none"}),
    Case("/items?id=eq.1&order=id", [{"id": 1}], headers={"Content-Range": "0-0/*"}),
    Case("/items?select=id&order=id.asc", ALL, headers={"Content-Range": "0-14/*"}),
    Case("/items?select=id&order=id.asc&limit=3", ALL[:3], headers={"Content-Range": "0-2/*"}),
    Case(
        "/items?select=id&order=id.asc&limit=3", ALL[:2], headers={"Content-Range": "0-1/*"}, request_headers=rng("0-1")
    ),
    Case(
        "/clients?select=id,projects(id,tasks(id))&order=id.asc&limit=1&projects.order=id.asc&projects.limit=2"
        "&projects.tasks.order=id.asc&projects.tasks.limit=1",
        [{"id": 1, "projects": [{"id": 1, "tasks": [{"id": 1}]}, {"id": 2, "tasks": [{"id": 3}]}]}],
        headers={"Content-Range": "0-0/*"},
    ),
    Case("/items?select=id&order=id.asc&limit=3&offset=2", ALL[2:5], headers={"Content-Range": "2-4/*"}),
    Case(
        "/items?select=id&order=id.asc&limit=3&offset=2",
        method="HEAD",
        text="",
        headers={"Content-Range": "2-4/*", "Content-Type": JSON},
    ),
    Case(
        "/clients?select=id,projects(id,tasks(id))&order=id.asc.nullslast&limit=1&projects.order=id.asc.nullsfirst"
        "&projects.limit=2",
        [
            {
                "id": 1,
                "projects": [{"id": 1, "tasks": [{"id": 1}, {"id": 2}]}, {"id": 2, "tasks": [{"id": 3}, {"id": 4}]}],
            }
        ],
        headers={"Content-Range": "0-0/*"},
    ),
    Case("/items?offset=0&id=eq.0", [], headers={"Content-Range": "*/*"}),
    Case("/items?offset=0&id=eq.0", [], headers={"Content-Range": "*/0"}, request_headers=EXACT),
    Case("/items?select=id&offset=0&order=id", ALL, headers={"Content-Range": "0-14/*"}),
    Case("/items?select=id&offset=-4&order=id", ALL, headers={"Content-Range": "0-14/*"}),
    Case("/items?select=id&limit=0", [], headers={"Content-Range": "*/*"}),
    Case("/items?select=id&limit=-1", unsatisfiable("Limit should be greater than or equal to zero."), status=416),
    Case(
        "/items?offset=100",
        unsatisfiable("An offset of 100 was requested, but there are only 15 rows."),
        status=416,
        headers={"Content-Range": "*/15"},
        request_headers=EXACT,
    ),
    # with range headers
    Case("/items", headers={"Content-Range": "0-1/*"}, request_headers=rng("0-1")),
    Case("/items", request_headers=rng("0-")),
    Case("/items", headers={"Content-Range": "0-0/*"}, request_headers=rng("0-0")),
    Case("/items", headers={"Content-Range": "10-14/*"}, request_headers=rng("10-100")),
    Case(
        "/items",
        unsatisfiable("The lower boundary must be lower than or equal to the upper boundary in the Range header."),
        status=416,
        request_headers=rng("1-0"),
    ),
    Case(
        "/items",
        unsatisfiable("An offset of 100 was requested, but there are only 15 rows."),
        status=416,
        headers={"Content-Range": "*/15"},
        request_headers=rng("100-199", count=True),
    ),
    # exact counts: 206 when the answer is part of the rows (PostgREST's rangeStatus), HEAD alike
    Case(
        "/items?select=id&id=gt.8&limit=2",
        [{"id": 9}, {"id": 10}],
        status=206,
        headers={"Content-Range": "0-1/7"},
        request_headers=EXACT,
    ),
    Case("/items", method="HEAD", text="", status=200, headers={"Content-Range": "0-14/15"}, request_headers=EXACT),
    Case(
        "/items?limit=2&offset=3",
        method="HEAD",
        text="",
        status=206,
        headers={"Content-Range": "3-4/15", "Content-Type": JSON},
        request_headers=EXACT,
    ),
    Case(
        "/child_entities?limit=2",
        method="HEAD",
        text="",
        status=206,
        headers={"Content-Range": "0-1/6"},
        request_headers=EXACT,
    ),
    Case(
        "/child_entities?select=*,entities(*)",
        method="HEAD",
        text="",
        status=200,
        headers={"Content-Range": "0-5/6"},
        request_headers=EXACT,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_range_spec(spec, case: Case) -> None:
    await check(spec, case)
