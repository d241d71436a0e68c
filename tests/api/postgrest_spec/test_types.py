"""Full-text search (QuerySpec.hs "Full text search operator", AndOrParamsSpec.hs) and range operators
(AndOrParamsSpec.hs "can handle range operators"). Range operators give the same rows on both databases
(SQLite runs PostgreSQL's range rules in docbase.api.sql.pg_range). Full-text search gives the same rows on
both databases in the simple and english configurations (docbase.api.sql.sqlite_fts); a search in another
language answers PGRST127 on SQLite, naming the feature.
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

FUN = {"text_search_vector": "'fun':5 'imposs':9 'kind':3"}
ALSO = {"text_search_vector": "'also':2 'fun':3 'possibl':8"}
FAT = {"text_search_vector": "'ate':3 'cat':2 'fat':1 'rat':4"}
FRENCH = {"text_search_vector": "'amus':5 'fair':7 'impossibl':9 'peu':4"}
GERMAN = {"text_search_vector": "'art':4 'spass':5 'unmog':7"}
FTS = "full-text search"


def ts(path: str, *rows: dict) -> Case:
    """On both databases, but for a language SQLite's search lacks (PGRST127 there)."""
    other_language = "(french)" in path or "(german)" in path
    return Case(path, list(rows), pg_only=FTS if other_language else None, refused_on_sqlite=other_language)


def ids_(*numbers: int) -> list[dict]:
    return [{"id": i} for i in numbers]


def rg(path: str, *numbers: int) -> Case:
    return Case(path, ids_(*numbers))


V = "/tsearch?select=text_search_vector&text_search_vector="
TEXT_SEARCH = [
    ts(V + "fts.impossible", FUN),
    ts(V + "fts.fun%26possible", ALSO),
    ts(V + "fts.impossible%7Cpossible", FUN, ALSO),
    ts(V + "fts.fun%26!possible", FUN),
    ts(V + "plfts.The%20Fat%20Rats", FAT),
    ts(V + "wfts.The%20Fat%20Rats", FAT),
    ts(V + "wfts.fun%20and%20possible", ALSO),
    ts(V + "wfts.impossible%20or%20possible", FUN, ALSO),
    ts(V + "wfts.fun%20and%20-possible", FUN),
    ts(V + "fts(french).amusant", FRENCH),
    ts(V + "plfts(french).amusant%20impossible", FRENCH),
    ts(V + "wfts(french).amusant%20impossible", FRENCH),
    ts(V + "not.fts.impossible%7Cfat%7Cfun", FRENCH, GERMAN),
    ts(V + "not.fts(english).impossible%7Cfat%7Cfun", FRENCH, GERMAN),
    ts(V + "not.plfts.The%20Fat%20Rats", FUN, ALSO, FRENCH, GERMAN),
    ts(V + "not.wfts(english).impossible%20or%20fat%20or%20fun", FRENCH, GERMAN),
    ts(V + "phfts.The%20Fat%20Cats", FAT),
    ts(V + "phfts(german).Art%20Spass", GERMAN),
    ts(V + "not.phfts(english).The%20Fat%20Cats", FUN, ALSO, FRENCH, GERMAN),
    ts(
        "/tsearch?select=text_search_vector&or=(text_search_vector.phfts(german).Art%20Spass, "
        "text_search_vector.phfts(french).amusant, text_search_vector.fts(english).impossible)",
        FUN,
        FRENCH,
        GERMAN,
    ),
    ts(
        "/tsearch?select=text_search_vector&or=(text_search_vector.plfts(german).Art,"
        "text_search_vector.plfts(french).amusant,text_search_vector.not.wfts(english).impossible)",
        ALSO,
        FAT,
        FRENCH,
        GERMAN,
    ),
    # text and json columns go through to_tsvector
    ts(
        "/tsearch_to_tsvector?select=text_search&text_search=fts.impossible",
        {"text_search": "It's kind of fun to do the impossible"},
        {"text_search": "C'est un peu amusant de faire l'impossible"},
    ),
    ts(
        "/tsearch_to_tsvector?select=jsonb_search&jsonb_search=fts.impossible",
        {"jsonb_search": {"text_search": "It's kind of fun to do the impossible"}},
        {"jsonb_search": {"text_search": "C'est un peu amusant de faire l'impossible"}},
    ),
    ts(
        "/tsearch_to_tsvector?and=(text_search.not.plfts(german).Art%20Spass, "
        "text_search.not.plfts(french).amusant%20impossible, text_search.not.fts(english).impossible)"
        "&select=text_search",
        {"text_search": "But also fun to do what is possible"},
        {"text_search": "Fat cats ate rats"},
    ),
    # a stop word keeps its position: "fat the ate" is fat <2> ate, "fat the cats" (fat <2> cat) is not there
    ts(V + "phfts.fat%20the%20ate", FAT),
    ts(V + "phfts.fat%20the%20cats"),
    ts(V + "fts.fat%20%3C3%3E%20rat", FAT),
    ts(V + "fts.ca:*%20%26%20!dog", FAT),
    ts(
        "/tsearch_to_tsvector?select=text_search&text_search=wfts.%22do%20the%20impossible%22%20or%20cats",
        {"text_search": "It's kind of fun to do the impossible"},
        {"text_search": "Fat cats ate rats"},
        {"text_search": "C'est un peu amusant de faire l'impossible"},  # "do" and "the" are stop words
    ),
]

RANGES = [
    rg("/ranges?range=eq.[1,3]&select=id", 1),
    rg("/ranges?range=neq.[1,3]&select=id", 2, 3, 4),
    rg("/ranges?range=lt.[1,10]&select=id", 1),
    rg("/ranges?range=gt.[8,11]&select=id", 4),
    rg("/ranges?range=lte.[1,3]&select=id", 1),
    rg("/ranges?range=gte.[2,3]&select=id", 2, 3, 4),
    rg("/ranges?range=cs.[1,2]&select=id", 1),
    rg("/ranges?range=cd.[1,6]&select=id", 1, 2),
    rg("/ranges?range=ov.[0,4]&select=id", 1, 2),
    rg("/ranges?range=sl.[9,10]&select=id", 1, 2),
    rg("/ranges?range=sr.[3,4]&select=id", 3, 4),
    rg("/ranges?range=nxr.[4,7]&select=id", 1, 2),
    rg("/ranges?range=nxl.[4,7]&select=id", 3, 4),
    rg("/ranges?range=adj.(3,10]&select=id", 1),
    rg("/ranges?range=isdistinct.[1,3]&select=id", 2, 3, 4, 5),
    rg("/ranges?or=(range.sl.[9,10],range.adj.(3,10])&select=id", 1, 2),
    Case("/ranges?range=is.null&select=id", ids_(5)),
    Case("/ranges?range=like.*1*&select=id", status=400),
    Case("/entities?id=sl.[1,2]&select=id", status=400),
]


@pytest.mark.parametrize("case", TEXT_SEARCH, ids=ids(TEXT_SEARCH))
async def test_full_text_search(spec, case: Case) -> None:
    await check(spec, case)


@pytest.mark.parametrize("case", RANGES, ids=ids(RANGES))
async def test_range_operators(spec, case: Case) -> None:
    await check(spec, case)
