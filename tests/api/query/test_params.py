"""The PostgREST query language as the official clients send it, and PGRST100 for malformed input."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from docbase.api.errors import ApiError
from docbase.api.query import Embed, Field, Filter, JsonStep, Logic, OrderTerm, SelectColumn, SelectStar, parse_query
from docbase.api.query.select import parse_select


def q(text: str):
    return parse_query(parse_qsl(text, keep_blank_values=True))


def test_select_columns_aliases_casts_and_json_paths():
    items = parse_select("id, t:title, data->a->>b::text, n:data->0")
    assert items == (
        SelectColumn(Field("id")),
        SelectColumn(Field("title"), alias="t"),
        SelectColumn(Field("data", (JsonStep("a", False), JsonStep("b", True))), cast="text"),
        SelectColumn(Field("data", (JsonStep("0", False),)), alias="n"),
    )
    assert items[2].key == "b"


def test_select_embeds_with_hint_inner_and_nesting():
    (embed,) = parse_select("author:users!created_by!inner(id,team:teams(*))")
    assert embed == Embed(
        "users",
        (SelectColumn(Field("id")), Embed("teams", (SelectStar(),), alias="team")),
        alias="author",
        hint="created_by",
        inner=True,
    )
    assert parse_select("posts()") == (Embed("posts", ()),)  # PostgREST's empty embed
    assert parse_select("...users(name)") == (Embed("users", (SelectColumn(Field("name")),), spread=True),)


def test_empty_select_means_every_column():
    assert q("select=").select == (SelectStar(),)


@pytest.mark.parametrize(
    "select",
    ["id,", "users(id", "users!(id)", "id::drop table", "a:b:c", 'name"', "users!x", "a" + "(b" * 40 + ")" * 40],
)
def test_malformed_select_is_pgrst100_with_position(select):
    with pytest.raises(ApiError) as info:
        parse_select(select)
    assert info.value.code == "PGRST100"
    assert info.value.status == 400


def test_filters_with_every_operator_form():
    query = q('age=gte.18&name=not.ilike.*jo*&id=in.(1,2,"3,4")&deleted_at=is.NULL&tags=cs.{a,b}&x=eq.a,b')
    assert query.conditions() == [
        Filter(Field("age"), "gte", "18"),
        Filter(Field("name"), "ilike", "*jo*", negate=True),
        Filter(Field("id"), "in", ("1", "2", "3,4")),
        Filter(Field("deleted_at"), "is", "null"),
        Filter(Field("tags"), "cs", "{a,b}"),
        Filter(Field("x"), "eq", "a,b"),
    ]


def test_filters_on_json_paths_and_embedded_resources():
    query = q("data->>kind=eq.a&author.name=eq.Jo&author.team.id=eq.1")
    assert query.conditions() == [Filter(Field("data", (JsonStep("kind", True),)), "eq", "a")]
    assert query.conditions(("author",)) == [Filter(Field("name"), "eq", "Jo")]
    assert query.conditions(("author", "team")) == [Filter(Field("id"), "eq", "1")]


def test_nested_logic_trees_and_negation():
    query = q('or=(a.eq.1,and(b.gt.2,c.not.in.(1,2)),not.or(d.is.null,e.eq."x,y"))&not.and=(f.eq.1,g.eq.2)')
    first, second = query.conditions()
    assert first == Logic(
        "or",
        (
            Filter(Field("a"), "eq", "1"),
            Logic("and", (Filter(Field("b"), "gt", "2"), Filter(Field("c"), "in", ("1", "2"), negate=True))),
            Logic("or", (Filter(Field("d"), "is", "null"), Filter(Field("e"), "eq", "x,y")), negate=True),
        ),
    )
    assert second.negate and second.op == "and"
    assert q("posts.or=(a.eq.1,b.eq.2)").conditions(("posts",))[0].op == "or"


def test_order_limit_offset_top_level_and_embedded():
    query = q("order=a.desc.nullslast,b,data->>k.asc&limit=5&offset=10&posts.order=id.desc&posts.limit=2")
    assert query.order[()] == (
        OrderTerm(Field("a"), True, "last"),
        OrderTerm(Field("b")),
        OrderTerm(Field("data", (JsonStep("k", True),))),
    )
    assert query.limit == {(): 5, ("posts",): 2}
    assert query.offset == {(): 10}
    assert query.order[("posts",)] == (OrderTerm(Field("id"), True),)


def test_columns_and_on_conflict():
    query = q("columns=a,b&on_conflict=email")
    assert query.columns == ("a", "b")
    assert query.on_conflict == ("email",)


@pytest.mark.parametrize(
    "text",
    [
        "age=18",
        "age=foo.18",
        "age=is.maybe",
        "id=in.1,2",
        "or=a.eq.1",
        "or=(a.eq.1,b)",
        "or=(a.eq.1",
        "order=a.sideways",
        "limit=ten",
        "offset=1e3",
        "a..b=eq.1",
        "columns=",
    ],
)
def test_malformed_query_is_pgrst100(text):
    with pytest.raises(ApiError) as info:
        q(text)
    assert info.value.code == "PGRST100"


def test_negative_limit_is_416_and_negative_offset_none():
    """PostgREST's RangeSpec: limit=-1 is PGRST103 (416); offset=-4 reads from the start."""
    with pytest.raises(ApiError) as info:
        q("limit=-1")
    assert (info.value.status, info.value.code) == (416, "PGRST103")
    assert q("offset=-4").offset == {(): 0}


def test_thousands_of_or_terms_are_refused_not_crashed():
    terms = ",".join(f"id.eq.{i}" for i in range(5000))
    with pytest.raises(ApiError) as info:
        q(f"or=({terms})")
    assert info.value.code == "PGRST100"
    assert len(q("or=(" + ",".join(f"id.eq.{i}" for i in range(100)) + ")").conditions()[0].children) == 100
