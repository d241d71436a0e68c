"""``select`` aggregates and ``order`` on embedded resources, as PostgREST 12 writes them."""

from __future__ import annotations

import pytest

from docbase.api.errors import ApiError
from docbase.api.query import Field, JsonStep, OrderTerm, SelectColumn
from docbase.api.query.params import parse_order
from docbase.api.query.select import parse_select


def test_count_and_column_aggregates_with_aliases_and_casts():
    assert parse_select("count()") == (SelectColumn(Field("*"), aggregate="count"),)
    assert parse_select("n:count()::text")[0].key == "n"
    (total,) = parse_select("total:amount.sum()::text")
    assert total == SelectColumn(Field("amount"), "total", None, "sum", "text")
    (summed,) = parse_select("data->>k::integer.avg()")
    assert summed == SelectColumn(Field("data", (JsonStep("k", True),)), None, "integer", "avg")
    assert summed.key == "avg"


def test_plain_columns_and_empty_embeds_are_not_aggregates():
    assert parse_select("a.b")[0] == SelectColumn(Field("a.b"))
    assert parse_select("posts()")[0].name == "posts"


def test_unknown_aggregate_is_pgrst100():
    with pytest.raises(ApiError) as err:
        parse_select("id.median()")
    assert err.value.code == "PGRST100" and "median" in err.value.details


def test_order_by_embedded_column():
    assert parse_order("author(name).desc,id") == (
        OrderTerm(Field("name"), True, None, "author"),
        OrderTerm(Field("id")),
    )
    assert parse_order("u(profile->>city).asc.nullsfirst") == (
        OrderTerm(Field("profile", (JsonStep("city", True),)), False, "first", "u"),
    )


@pytest.mark.parametrize("text", ["author(name", "a.b(c)", "a(b)desc"])
def test_malformed_related_order_is_pgrst100(text):
    with pytest.raises(ApiError) as err:
        parse_order(text)
    assert err.value.code == "PGRST100"
