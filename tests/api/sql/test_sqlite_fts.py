"""SQLite's full-text search agrees with PostgreSQL's, document for document: PostgreSQL itself is the oracle.

Each sentence is searched with each query, through each of PostgREST's four operators and in both
configurations SQLite supports, once by docbase.api.sql.sqlite_fts and once by a real PostgreSQL
server (``to_tsvector(...) @@ *to_tsquery(...)``); tsvector literals (with and without positions and
weights) are compared the same way.
"""

from __future__ import annotations

import pytest

from docbase.api.errors import ApiError
from docbase.api.sql import sqlite_fts
from docbase.api.sql.pg_tsvector import canonical

pytestmark = pytest.mark.pg

FUNCTIONS = {
    "fts": "to_tsquery",
    "plfts": "plainto_tsquery",
    "phfts": "phraseto_tsquery",
    "wfts": "websearch_to_tsquery",
}
SENTENCES = [
    "The fat rats and cats",
    "A fat cat sat on the mat",
    "running runners ran quickly",
    "fat-cat is a co-operative",
    "Supabase is generously open",
    "The quick brown fox jumps over the lazy dog",
    "It's 2024 and abc123 items",
]
QUERIES = [
    ("fts", "fat & cat"),
    ("fts", "fat <-> cat"),
    ("fts", "fat <2> rat"),
    ("fts", "run:*"),
    ("fts", "!cat"),
    ("fts", "cat | dog & fox"),
    ("fts", "'fat cat'"),
    ("fts", "!fat <-> cat"),
    ("fts", "co-operative"),
    ("fts", "abc123 | 2024"),
    ("plfts", "fat cats"),
    ("plfts", "the cats"),
    ("plfts", "it's generous"),
    ("phfts", "fat cat"),
    ("phfts", "fat the rats"),
    ("phfts", "jumps over lazy"),
    ("wfts", '"fat cat" or dog'),
    ("wfts", "fat -cat"),
    ("wfts", "lazy or quick fox"),
    ("wfts", "'fat' & 'cat'"),
]
VECTORS = ["fat cat", "fat:1 cat:2", "fat:1A cat:3B rat:2", "'bat' 'cat'", "fatti:1 cat:5,7"]
VECTOR_QUERIES = [
    "fat & cat",
    "fat <-> cat",
    "fat <2> cat",
    "fat:A",
    "cat:B",
    "!rat",
    "ca:*",
    "!fat <-> cat",
    "fat <-> !cat",
]


def test_every_operator_matches_postgresql():
    import psycopg

    from tests.conftest import _server_url

    cases = [(c, s, op, q) for c in ("english", "simple") for s in SENTENCES for op, q in QUERIES]
    vector_cases = [(v, q) for v in VECTORS for q in VECTOR_QUERIES]
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        expected = [
            conn.execute(
                f"SELECT to_tsvector(%s::regconfig, %s) @@ {FUNCTIONS[op]}(%s::regconfig, %s)", (c, s, c, q)
            ).fetchone()[0]
            for c, s, op, q in cases
        ]
        expected_vectors = [
            conn.execute("SELECT %s::tsvector @@ to_tsquery('english', %s)", (v, q)).fetchone()[0]
            for v, q in vector_cases
        ]
    got = [sqlite_fts.matches(s, "text", op, c, q) == 1 for c, s, op, q in cases]
    assert [case for case, e, g in zip(cases, expected, got, strict=True) if e != g] == []
    got = [sqlite_fts.matches(canonical(v), "tsvector", "fts", "english", q) == 1 for v, q in vector_cases]
    assert [case for case, e, g in zip(vector_cases, expected_vectors, got, strict=True) if e != g] == []


def test_a_malformed_query_or_unknown_language_is_postgresql_s_error():
    with pytest.raises(ApiError) as exc:
        sqlite_fts.parse_query("fts", "english", "fat cat")  # two words without an operator
    assert exc.value.code == "42601"
    with pytest.raises(ApiError) as exc:
        sqlite_fts.config_of("klingon")
    assert exc.value.code == "42704"
    with pytest.raises(ApiError) as exc:
        sqlite_fts.config_of("french")
    assert exc.value.code == "PGRST127"
