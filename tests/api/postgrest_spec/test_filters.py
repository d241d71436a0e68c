"""PostgREST's Feature/Query/QuerySpec.hs ("Filtering response", "Shaping response") and AndOrParamsSpec.hs.

Each case is the spec's request with its expected status, headers and body,
served by docbase from ``schema.md`` on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

E = [{"id": i} for i in range(1, 5)]


def ents(*ids_: int) -> list[dict]:
    return [{"id": i} for i in ids_]


QUERY = [
    Case("/items?id=eq.5", [{"id": 5}], headers={"Content-Range": "0-0/*"}),
    Case(
        "/items?id=not.eq.5&order=id",
        [{"id": i} for i in range(1, 16) if i != 5],
        headers={"Content-Range": "0-13/*"},
    ),
    Case("/simple_pk?k=like.*yx&extra=not.eq.u", []),
    Case("/items?id=not.lt.14&order=id.asc", [{"id": 14}, {"id": 15}], headers={"Content-Range": "0-1/*"}),
    Case("/items?id=not.gt.2&order=id.asc", [{"id": 1}, {"id": 2}], headers={"Content-Range": "0-1/*"}),
    Case("/items?id=in.(1,3,5)", [{"id": 1}, {"id": 3}, {"id": 5}], headers={"Content-Range": "0-2/*"}),
    Case("/items?id=not.in.(2,4,6,7,8,9,10,11,12,13,14,15)", [{"id": 1}, {"id": 3}, {"id": 5}]),
    Case("/no_pk?a=not.is.null", [{"a": "1", "b": "0"}, {"a": "2", "b": "0"}]),
    Case("/no_pk?a=is.not_null", [{"a": "1", "b": "0"}, {"a": "2", "b": "0"}]),
    Case("/no_pk?a=is.null", [{"a": None, "b": None}]),
    Case("/no_pk?a=not.is.not_null", [{"a": None, "b": None}]),
    Case("/nullable_integer?a=is.null", [{"a": None}]),
    Case("/chores?done=is.true", [{"id": 1, "name": "take out the garbage", "done": True}]),
    Case("/chores?done=is.false", [{"id": 2, "name": "do the laundry", "done": False}]),
    Case("/chores?done=is.unknown", [{"id": 3, "name": "wash the dishes", "done": None}]),
    Case("/chores?done=is.NULL", [{"id": 3, "name": "wash the dishes", "done": None}]),
    Case(
        "/chores?done=is.NoT_NuLl",
        [{"id": 1, "name": "take out the garbage", "done": True}, {"id": 2, "name": "do the laundry", "done": False}],
    ),
    Case("/chores?done=is.TRUE", [{"id": 1, "name": "take out the garbage", "done": True}]),
    Case("/chores?done=is.FAlSe", [{"id": 2, "name": "do the laundry", "done": False}]),
    Case("/chores?done=is.UnKnOwN", [{"id": 3, "name": "wash the dishes", "done": None}]),
    Case("/chores?done=is.nil", status=400),
    Case("/chores?done=is.ok", status=400),
    Case("/simple_pk?k=like.*yx", [{"k": "xyyx", "extra": "u"}]),
    Case("/simple_pk?k=like.xy*", [{"k": "xyyx", "extra": "u"}]),
    Case("/simple_pk?k=like.*YY*", [{"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=not.like.*yx", [{"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=ilike.xy*&order=extra.asc", [{"k": "xyyx", "extra": "u"}, {"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=ilike.*YY*&order=extra.asc", [{"k": "xyyx", "extra": "u"}, {"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=not.ilike.xy*&order=extra.asc", []),
    Case("/simple_pk?k=match.yx$", [{"k": "xyyx", "extra": "u"}]),
    Case("/simple_pk?k=match.^xy", [{"k": "xyyx", "extra": "u"}]),
    Case("/simple_pk?k=match.YY", [{"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=not.match.yx$", [{"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=imatch.^xy&order=extra.asc", [{"k": "xyyx", "extra": "u"}, {"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=imatch..*YY.*&order=extra.asc", [{"k": "xyyx", "extra": "u"}, {"k": "xYYx", "extra": "v"}]),
    Case("/simple_pk?k=not.imatch.^xy&order=extra.asc", []),
    Case("/complex_items?select=id&arr_data=cs.{2}", [{"id": 2}, {"id": 3}]),
    Case("/complex_items?select=id&arr_data=cd.{1,2,4}", [{"id": 1}, {"id": 2}]),
    Case("/no_pk?select=a&a=isdistinct.2", [{"a": None}, {"a": "1"}]),
    Case("/no_pk?select=a&a=not.isdistinct.2", [{"a": "2"}]),
    # Shaping response with select parameter
    Case(
        "/complex_items?id=eq.3",
        [
            {
                "id": 3,
                "name": "Three",
                "settings": {"foo": {"int": 1, "bar": "baz"}},
                "arr_data": [1, 2, 3],
                "field-with_sep": 3,
            }
        ],
    ),
    Case("/complex_items?id=eq.3&select=id,field-with_sep", [{"id": 3, "field-with_sep": 3}]),
    Case("/complex_items?select=id", [{"id": 1}, {"id": 2}, {"id": 3}]),
    Case("/complex_items?id=eq.1&select=myId:id", [{"myId": 1}]),
    Case("/complex_items?select=id::text", [{"id": "1"}, {"id": "2"}, {"id": "3"}]),
    Case("/complex_items?id=eq.1&select=myId:id::text", [{"myId": "1"}]),
    Case("/complex_items?id=eq.1&select=settings", [{"settings": {"foo": {"int": 1, "bar": "baz"}}}]),
]

AND_OR = [
    Case("/entities?or=(id.eq.1,id.eq.2)&select=id", ents(1, 2)),
    Case("/entities?not.or=(id.eq.1,id.eq.2)&select=id", ents(3, 4)),
    Case("/entities?or=(id.eq.1,id.eq.2)&name=eq.entity 1&select=id", ents(1)),
    Case(
        "/entities?child_entities.or=(id.eq.1,name.eq.child entity 2)&select=id,child_entities(id)",
        [
            {"id": 1, "child_entities": ents(1, 2)},
            {"id": 2, "child_entities": []},
            {"id": 3, "child_entities": []},
            {"id": 4, "child_entities": []},
        ],
    ),
    Case("/entities?or=(and(name.eq.entity 2,id.eq.2),and(name.eq.entity 1,id.eq.1))&select=id", ents(1, 2)),
    Case("/entities?or=(not.and(name.eq.entity 2,id.eq.2),not.and(name.eq.entity 1,id.eq.1))&select=id", E),
    Case("/entities?and=(id.eq.1,name.eq.entity 1)&or=(id.eq.1,id.eq.2)&select=id", ents(1)),
    Case("/entities?or=(id.lt.2,id.gt.3)&select=id", ents(1, 4)),
    Case("/entities?or=(id.lte.2,id.gte.3)&select=id", E),
    Case("/entities?or=(name.like.*1,name.ilike.*ENTITY 2)&select=id", ents(1, 2)),
    Case("/entities?or=(id.in.(1,2),id.in.(3,4))&select=id", E),
    Case("/entities?and=(name.is.null,arr.is.null)&select=id", ents(4)),
    Case("/entities?and=(id.gte.2,arr.isdistinct.{1,2})&select=id", ents(3, 4)),
    Case("/entities?or=(arr.cs.{1,2,3},arr.cd.{1})&select=id", ents(1, 3)),
    Case("/entities?arr=eq.{1,2,3}&select=id", ents(3)),
    Case("/entities?arr=neq.{1,2}&select=id", ents(1, 3)),
    Case("/entities?arr=lt.{2,3}&select=id", ents(1, 2, 3), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=lt.{2,0}&select=id", ents(1, 2, 3), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=gt.{1,1}&select=id", ents(2, 3), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=gt.{3}&select=id", [], pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=lte.{2,1}&select=id", ents(1, 2, 3), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=lte.{1,2,3}&select=id", ents(1, 2, 3), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=lte.{1,2}&select=id", ents(1, 2), pg_only="array ordering", refused_on_sqlite=True),
    Case("/entities?arr=cs.{1,2}&select=id", ents(2, 3)),
    Case("/entities?arr=cd.{1,2,6}&select=id", ents(1, 2)),
    Case("/entities?arr=ov.{3}&select=id", ents(3)),
    Case("/entities?arr=ov.{2,3}&select=id", ents(2, 3)),
    Case("/entities?arr=isdistinct.{1,2}&select=id", ents(1, 3, 4)),
    Case("/entities?and=(arr.not.cs.{1,2,3},and(id.not.eq.2,name.not.like.*3))&select=id", ents(1)),
    Case("/entities?and=(arr.not.cd.{1},or(id.not.lt.1,id.not.gte.3))&select=id", ents(2, 3)),
    Case("/entities?and=(name.not.ilike.*ITY2,or(id.not.gt.4,id.not.lte.1))&select=id", ents(1, 2, 3)),
    Case("/entities?and=(id.not.eq.2,arr.not.isdistinct.{1,2,3})&select=id", ents(3)),
    Case("/entities?and=( and ( id.in.( 1, 2, 3 ) , id.eq.3 ) , or ( id.eq.2 , id.eq.3 ) )&select=id", ents(3)),
    Case("/entities?or=(id.eq.1)&select=id", ents(1)),
    Case("/entities?and=(id.eq.1)&select=id", ents(1)),
]


@pytest.mark.parametrize("case", QUERY, ids=ids(QUERY))
async def test_query_spec(spec, case: Case) -> None:
    await check(spec, case)


@pytest.mark.parametrize("case", AND_OR, ids=ids(AND_OR))
async def test_and_or_params_spec(spec, case: Case) -> None:
    await check(spec, case)


# JSON containment (``cs``/``cd`` are PostgreSQL's jsonb ``@>``/``<@``) over PostgREST's json_arr rows; the
# expected ids are what PostgreSQL answers, and SQLite must answer the same (nested objects, arrays, NULLs).
JSON_CONTAINMENT = [
    Case("/json_arr?data=cs.[1]&select=id", ents(1)),
    Case("/json_arr?data=cs.[[9]]&select=id", ents(3)),
    Case('/json_arr?data=cs.[{"a":"A"}]&select=id', ents(5)),
    Case('/json_arr?data=cs.[{"a":[1]}]&select=id', ents(6)),
    Case('/json_arr?data=cs.{"c":[1]}&select=id', ents(7)),
    Case('/json_arr?data=cs.{"c":[{"d":[5]}]}&select=id', ents(8)),
    Case('/json_arr?data=cs.{"c":1}&select=id', []),
    Case("/json_arr?data=cs.[]&select=id", ents(1, 2, 3, 4, 5, 6)),
    Case("/json_arr?data=cs.{}&select=id", ents(7, 8)),
    Case("/json_arr?data=cd.[1,2,3,4]&select=id", ents(1)),
    Case('/json_arr?data=cd.{"c":[1,2,3],"d":[4,5],"e":0}&select=id', ents(7)),
    Case('/json_arr?data=cd.[{"a":"A","x":1},{"b":"B"}]&select=id', ents(5)),
    Case("/json_arr?data=not.cs.[1]&select=id", ents(2, 3, 4, 5, 6, 7, 8)),
    Case("/json_arr?data=ov.[1]&select=id", status=400),
    Case("/json_arr?data=cs.[1&select=id", status=400),
    Case("/entities?arr=cd.{1,2,6}&select=id", ents(1, 2)),
    Case("/entities?arr=not.cd.{1,2,6}&select=id", ents(3)),
]


@pytest.mark.parametrize("case", JSON_CONTAINMENT, ids=ids(JSON_CONTAINMENT))
async def test_json_containment(spec, case: Case) -> None:
    await check(spec, case)
