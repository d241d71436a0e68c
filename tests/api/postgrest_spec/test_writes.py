"""Writes from PostgREST's InsertSpec.hs, UpdateSpec.hs and DeleteSpec.hs, and requests ErrorSpec-style.

Every write sends ``Prefer: tx=rollback`` (PostgREST's spec runs each test
in a transaction it rolls back), so the module's shared rows never change
and each case sees ``data.sql``'s rows.
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

RB = "tx=rollback"
REP = f"return=representation, {RB}"


def w(method: str, path: str, body=None, status: int = 200, prefer: str = REP, **kw) -> Case:
    extra = {"json": body} if body is not None and "content" not in kw else {}
    return Case(path, method=method, status=status, request_headers={"Prefer": prefer}, **extra, **kw)


NO_BODY = ("Content-Type", "Content-Length")

CASES = [
    # DeleteSpec
    w("DELETE", "/items?id=eq.1", status=204, prefer=RB, text="", absent=NO_BODY, headers={"Content-Range": "*/*"}),
    Case(
        "/items?id=eq.2",
        [{"id": 2}],
        method="DELETE",
        headers={"Content-Range": "*/1"},
        request_headers={"Prefer": f"return=representation, count=exact, {RB}"},
    ),
    w("DELETE", "/items?id=eq.3&select=id", status=204, prefer=RB, text="", absent=NO_BODY),
    Case(
        "/complex_items?id=eq.2&select=id,name",
        [{"id": 2, "name": "Two"}],
        method="DELETE",
        headers={"Content-Range": "*/*"},
        request_headers={"Prefer": REP},
    ),
    Case("/items?id=eq.101", [], method="DELETE", request_headers={"Prefer": REP}),
    # UpdateSpec
    Case(
        "/fake",
        {
            "code": "PGRST205",
            "details": None,
            "hint": None,
            "message": "Could not find the table 'public.fake' in the schema cache",
        },
        method="PATCH",
        status=404,
        json={"real": False},
    ),
    Case(
        "/simple_pk",
        {"message": "Empty or invalid json", "code": "PGRST102", "details": None, "hint": None},
        method="PATCH",
        status=400,
        content="}{ x = 2",
    ),
    Case(
        "/items?id=eq.1",
        [{"id": 99}],
        method="PATCH",
        content='\t \n \r { "id": 99 } \t \n \r ',
        request_headers={"Prefer": REP},
    ),
    Case(
        "/items?id=eq.2",
        method="PATCH",
        status=204,
        json={"id": 42},
        text="",
        absent=NO_BODY,
        headers={"Content-Range": "0-0/*"},
        request_headers={"Prefer": RB},
    ),
    Case("/items?id=eq.999999", [], method="PATCH", json={"id": 999999}, request_headers={"Prefer": REP}),
    Case("/items?id=eq.99999999", method="PATCH", status=204, json={"id": 42}, request_headers={"Prefer": RB}),
    Case(
        "/items?id=eq.2",
        [{"id": 2}],
        method="PATCH",
        json={"id": 2},
        headers={"Content-Range": "0-0/*"},
        request_headers={"Prefer": REP},
    ),
    Case(
        "/no_pk?b=eq.0",
        method="PATCH",
        status=204,
        json={"b": "1"},
        headers={"Content-Range": "0-1/*"},
        request_headers={"Prefer": RB},
    ),
    Case(
        "/no_pk?a=eq.1",
        [{"a": "1", "b": None}],
        method="PATCH",
        json={"b": None},
        request_headers={"Prefer": REP},
    ),
    Case(
        "/simple_pk?k=eq.xyyx&select=k",
        [{"k": "xyyx"}],
        method="PATCH",
        json={"extra": "updated"},
        request_headers={"Prefer": REP},
    ),
    Case(
        "/grandchild?id=eq.1",
        status=404,
        method="PATCH",
        json={"name": "x"},
    ),
    # InsertSpec
    Case(
        "/projects?select=id,name,clients(id,name)",
        [{"id": 6, "name": "New Project", "clients": {"id": 2, "name": "Apple"}}],
        method="POST",
        status=201,
        json={"id": 6, "name": "New Project", "client_id": 2},
        request_headers={"Prefer": REP},
    ),
    Case(
        "/child_entities?select=id,entities(id)&entities.or=(id.eq.2,id.eq.3)&entities.order=id",
        [{"id": 7, "entities": None}, {"id": 8, "entities": {"id": 2}}, {"id": 9, "entities": {"id": 3}}],
        method="POST",
        status=201,
        json=[
            {"id": 7, "name": "entity 4", "parent_id": 1},
            {"id": 8, "name": "entity 5", "parent_id": 2},
            {"id": 9, "name": "entity 6", "parent_id": 3},
        ],
        request_headers={"Prefer": REP},
    ),
    Case(
        "/items",
        method="POST",
        status=201,
        json={"id": 500},
        text="",
        request_headers={"Prefer": RB},
    ),
    # DeleteSpec: casts and embeds in a DELETE's select (the rows as they were before the delete)
    Case(
        "/complex_items?id=eq.3&select=ciId:id::text,ciName:name",
        [{"ciId": "3", "ciName": "Three"}],
        method="DELETE",
        request_headers={"Prefer": REP},
    ),
    Case(
        "/tasks?id=eq.8&select=id,name,project:projects(id)",
        [{"id": 8, "name": "Code OSX", "project": {"id": 4}}],
        method="DELETE",
        headers={"Content-Range": "*/*"},
        request_headers={"Prefer": REP},
    ),
    # AndOrParamsSpec, used with PATCH and DELETE
    Case(
        "/entities?select=id,name&or=(name.is.null,name.like.*test*)",
        [{"id": 4, "name": "updated entity"}],
        method="PATCH",
        json={"name": "updated entity"},
        request_headers={"Prefer": REP},
    ),
    Case(
        "/entities?select=id&or=(name.is.null,name.like.*test*)",
        [{"id": 4}],
        method="PATCH",
        json={"name": "updated entity"},
        request_headers={"Prefer": REP},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_write_spec(spec, case: Case) -> None:
    await check(spec, case)


async def test_duplicate_primary_key_names_postgresqls_constraint(spec) -> None:
    """InsertSpec "attempting to insert a row with the same primary key": 409, 23505, ``simple_pk_pkey`` and
    PostgreSQL's ``Key (k)=(xyyx) already exists.`` (on SQLite found after the refusal: docbase.api.duplicate_detail)."""
    response = await spec.post("/simple_pk", json={"k": "xyyx", "extra": "e1"}, headers={"Prefer": RB})
    assert response.status_code == 409, response.text
    body = response.json()
    assert (body["code"], body["message"]) == (
        "23505",
        'duplicate key value violates unique constraint "simple_pk_pkey"',
    )
    assert (body["details"], body["hint"]) == ("Key (k)=(xyyx) already exists.", None)
