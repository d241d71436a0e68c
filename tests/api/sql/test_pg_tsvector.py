"""SQLite keeps tsvector literals in PostgreSQL's canonical text; PostgreSQL's own output is the oracle."""

from __future__ import annotations

import random

import pytest

from docbase.api.sql.pg_tsvector import Malformed, canonical

pytestmark = pytest.mark.pg

WORDS = ["fat", "cat", "a", "rat", "sat", "on", "mat", "It's", "back\\slash", "naïve", "Über", "x y", "ab", "abc"]


def _literal(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        word = rng.choice(WORDS)
        quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
        token = quoted if (" " in word or "'" in word or "\\" in word or rng.random() < 0.4) else word
        if rng.random() < 0.4:
            token += ":" + ",".join(f"{rng.randint(1, 9)}{rng.choice(['', 'A', 'b', 'C', 'D'])}" for _ in range(3))
        parts.append(token)
    return rng.choice([" ", "  ", "\t"]).join(parts)


def test_canonical_text_matches_postgresql():
    import psycopg

    from tests.conftest import _server_url

    rng = random.Random("tsvector")
    literals = ["fat cat", "a fat cat sat on a mat and ate a fat rat", "cat:3 cat:1A", "'a' 'a':2"]
    literals += [_literal(rng) for _ in range(300)]
    values = ", ".join("(%s)" for _ in literals)
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        rows = conn.execute(f"SELECT v::tsvector::text FROM (VALUES {values}) AS t(v)", literals).fetchall()
    for literal, (expected,) in zip(literals, rows, strict=True):
        assert canonical(literal) == expected, literal


def test_a_malformed_literal_is_refused():
    for bad in ("'open", "cat:", "cat:x", "''"):
        with pytest.raises(Malformed):
            canonical(bad)


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
async def test_a_tsvector_written_through_the_api_reads_back_as_postgresql_prints_it(db, request, tmp_path):
    import httpx

    from docbase.api import create_app
    from docbase.auth import keys
    from docbase.migrate import migrate
    from docbase.pipeline import build_schema

    url = f"sqlite:///{tmp_path / 't.db'}" if db == "sqlite" else request.getfixturevalue("pg_url")
    schema = build_schema("```sql\nCREATE TABLE phrases (id int PRIMARY KEY, words tsvector);\n```")
    migrate(schema, url)
    secret = "tsvector-test-secret-0123456789abcdef01"
    service = keys.service_key(secret)
    app = create_app(schema, url, secret=secret)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": service, "Authorization": f"Bearer {service}"})
        made = await c.post(
            "/rest/v1/phrases", json={"id": 1, "words": "fat cat:2 fat"}, headers={"Prefer": "return=representation"}
        )
        assert made.status_code == 201, made.text
        assert made.json() == [{"id": 1, "words": "'cat':2 'fat'"}]
        read = await c.get("/rest/v1/phrases?select=words")
        assert read.json() == [{"words": "'cat':2 'fat'"}]
        bad = await c.post("/rest/v1/phrases", json={"id": 2, "words": "'open"})
        assert bad.status_code == 400, bad.text
