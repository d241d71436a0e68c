"""Aggregates in ``select`` (PostgREST 12) and ordering by a to-one embed's column: same answers on both databases."""

from __future__ import annotations

import pytest

from .test_rest_read import get


async def test_embedded_count_as_supabase_js_asks_for_it(blog):
    rows = await get(blog, "/rest/v1/posts?select=id,comments(count)&order=id")
    assert rows == [
        {"id": 1, "comments": [{"count": 2}]},
        {"id": 2, "comments": [{"count": 1}]},
        {"id": 3, "comments": [{"count": 0}]},
    ]
    rows = await get(blog, "/rest/v1/posts?select=id,n:comments(c:count())&order=id&id=eq.1")
    assert rows == [{"id": 1, "n": [{"c": 2}]}]


async def test_top_level_count_with_alias_cast_and_filters(blog):
    assert await get(blog, "/rest/v1/comments?select=count()") == [{"count": 3}]
    assert await get(blog, "/rest/v1/comments?select=count") == [{"count": 3}]
    assert await get(blog, "/rest/v1/comments?select=n:count()::text&post_id=eq.1") == [{"n": "2"}]
    assert await get(blog, "/rest/v1/comments?select=count()&post_id=eq.99") == [{"count": 0}]


async def test_count_groups_by_the_other_selected_columns(blog):
    rows = await get(blog, "/rest/v1/posts?select=c:count(),author_id&order=author_id.desc")
    assert rows == [{"c": 1, "author_id": 2}, {"c": 2, "author_id": 1}]


async def test_sum_avg_min_max(blog):
    rows = await get(blog, "/rest/v1/posts?select=score.sum(),score.avg(),score.min(),score.max(),id.count()")
    assert rows == [{"sum": 4.5, "avg": 2.25, "min": 1.5, "max": 3, "count": 3}]
    rows = await get(blog, "/rest/v1/posts?select=author_id,total:score.sum(),top:id.max()&order=author_id")
    assert rows == [{"author_id": 1, "total": 4.5, "top": 2}, {"author_id": 2, "total": None, "top": 3}]
    rows = await get(blog, "/rest/v1/users?select=name,posts!author_id(score.sum())&order=id")
    assert rows == [
        {"name": "Ann", "posts": [{"sum": 4.5}]},
        {"name": "Bob", "posts": [{"sum": None}]},
        {"name": "cid", "posts": [{"sum": None}]},
    ]


async def test_aggregate_of_a_json_path_and_grouping_with_an_embed(blog):
    assert await get(blog, "/rest/v1/users?select=profile->>n::integer.sum()") == [{"sum": 3}]
    rows = await get(blog, "/rest/v1/posts?select=author_id,total:id.count(),users!author_id(name)&order=author_id")
    assert rows == [
        {"author_id": 1, "total": 2, "users": {"name": "Ann"}},
        {"author_id": 2, "total": 1, "users": {"name": "Bob"}},
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("select=title.sum()", "42883"),  # sum of text
        ("select=author_id,id.count()&order=title", "42803"),  # order by a column not grouped
        ("select=nope.max()", "42703"),
        ("select=id.median()", "PGRST100"),
    ],
)
async def test_bad_aggregates_are_400(blog, query, code):
    body = await get(blog, f"/rest/v1/posts?{query}", 400)
    assert body["code"] == code


async def test_order_by_a_to_one_embedded_column(blog):
    rows = await get(blog, "/rest/v1/posts?select=id,author:users!author_id(name)&order=author(name).desc,id")
    assert [r["id"] for r in rows] == [3, 1, 2]
    rows = await get(blog, "/rest/v1/posts?select=id,editor:users!editor_id(name)&order=editor(name).asc.nullsfirst")
    assert [r["id"] for r in rows] == [2, 3, 1]
    rows = await get(blog, "/rest/v1/posts?select=id,users!author_id(profile)&order=users(profile->>city).desc,id")
    assert [r["id"] for r in rows] == [3, 1, 2]


async def test_order_by_a_json_path(blog):
    rows = await get(blog, "/rest/v1/users?select=id&order=profile->>city.desc.nullslast")
    assert [r["id"] for r in rows] == [2, 1, 3]
    rows = await get(blog, "/rest/v1/users?select=id&order=profile->n.desc.nullslast")
    assert [r["id"] for r in rows] == [2, 1, 3]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("select=id&order=users(name)", "PGRST108"),  # not embedded in this request
        ("select=id,comments(id)&order=comments(id)", "PGRST118"),  # to-many
        ("select=id,users!author_id(name)&order=users(nope)", "42703"),
    ],
)
async def test_bad_related_orders_are_400(blog, query, code):
    body = await get(blog, f"/rest/v1/posts?{query}", 400)
    assert body["code"] == code
