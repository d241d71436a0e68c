"""Errors from PostgREST's QuerySpec.hs, MultipleSchemaSpec.hs and AndOrParamsSpec.hs, body for body."""

from __future__ import annotations

import pytest

from .cases import Case, check, ids


def invalid_schema(name: str) -> dict:
    return {
        "message": f"Invalid schema: {name}",
        "code": "PGRST106",
        "details": None,
        "hint": "Only the following schemas are exposed: public",
    }


CASES = [
    Case(
        "/faketable",
        {
            "code": "PGRST205",
            "details": None,
            "hint": None,
            "message": "Could not find the table 'public.faketable' in the schema cache",
        },
        status=404,
    ),
    Case("/items?id=eq.1", [{"id": 1}], request_headers={"Accept-Profile": "public"}),
    Case("/items", invalid_schema("unknown"), status=406, request_headers={"Accept-Profile": "unknown"}),
    Case("/items", invalid_schema("unknown"), status=406, method="HEAD", request_headers={"Accept-Profile": "unknown"}),
    Case(
        "/items",
        invalid_schema("unknown"),
        status=406,
        method="POST",
        json={"id": 77},
        request_headers={"Content-Profile": "unknown"},
    ),
    Case(
        "/items?id=eq.1",
        invalid_schema("v1"),
        status=406,
        method="PATCH",
        json={"id": 77},
        request_headers={"Content-Profile": "v1"},
    ),
    Case("/chores?done=is.nil", status=400),
    Case("/entities?or=()", status=400),
    Case("/items?id=unknown.1", status=400),
    # PostgreSQL's own words about PostgREST's query: an embedded table is aliased <table>_<depth> ...
    Case(
        "/clients?select=id,projects(nope)",
        {"code": "42703", "details": None, "hint": None, "message": "column projects_1.nope does not exist"},
        status=400,
    ),
    Case(
        "/clients?select=id,projects(tasks(nope.sum()))",
        {"code": "42703", "details": None, "hint": None, "message": "column tasks_2.nope does not exist"},
        status=400,
    ),
    Case(  # the select list is analysed before the filters
        "/clients?select=alias:nope.count()&missing=eq.2",
        {"code": "42703", "details": None, "hint": None, "message": "column clients.nope does not exist"},
        status=400,
    ),
    Case(
        "/clients?select=nope",
        {"code": "42703", "details": None, "hint": None, "message": "column clients.nope does not exist"},
        status=400,
    ),
    # ... and two embeds under one name share PostgREST's join alias <parent>_<name>_<depth>: 42712
    Case(
        "/projects?select=clients!client(id),clients!client(name)",
        {
            "code": "42712",
            "details": None,
            "hint": None,
            "message": 'table name "projects_clients_1" specified more than once',
        },
        status=400,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_error_spec(spec, case: Case) -> None:
    if case.method == "HEAD":  # a HEAD answer carries no body: status and headers only
        case = Case(case.path, method="HEAD", status=case.status, request_headers=case.request_headers, text="")
    await check(spec, case)
