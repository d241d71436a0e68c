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
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_error_spec(spec, case: Case) -> None:
    if case.method == "HEAD":  # a HEAD answer carries no body: status and headers only
        case = Case(case.path, method="HEAD", status=case.status, request_headers=case.request_headers, text="")
    await check(spec, case)
