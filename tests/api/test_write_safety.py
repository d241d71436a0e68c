"""No write commits where PostgREST would roll it back: ``Prefer: tx``, singular answers, ``max-affected``.

Each case checks the answer *and* the database afterwards, read back through
the API with the service key, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.pipeline import build_schema

from .conftest import BLOG, SECRET, create_tables

OBJECT = "application/vnd.pgrst.object+json"


async def _titles(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/rest/v1/posts?select=title&order=id")
    assert response.status_code == 200
    return [r["title"] for r in response.json()]


async def test_tx_rollback_answers_but_keeps_nothing(blog):
    response = await blog.post(
        "/rest/v1/posts",
        json={"id": 9, "title": "Gone", "author_id": 1},
        headers={"Prefer": "return=representation, tx=rollback"},
    )
    assert response.status_code == 201
    assert response.json()[0]["title"] == "Gone"
    assert response.headers["preference-applied"] == "return=representation, tx=rollback"
    assert await _titles(blog) == ["Hello", "World", "Third"]

    response = await blog.patch("/rest/v1/posts?id=eq.1", json={"title": "Changed"}, headers={"Prefer": "tx=rollback"})
    assert response.status_code == 204
    response = await blog.delete("/rest/v1/comments?post_id=eq.1", headers={"Prefer": "tx=rollback"})
    assert response.status_code == 204
    assert await _titles(blog) == ["Hello", "World", "Third"]
    comments = await blog.get("/rest/v1/comments?select=id&order=id")
    assert comments.json() == [{"id": 1}, {"id": 2}, {"id": 3}]


async def test_tx_commit_is_the_default(blog):
    response = await blog.post("/rest/v1/posts", json={"id": 9, "title": "Kept", "author_id": 1})
    assert response.status_code == 201
    assert await _titles(blog) == ["Hello", "World", "Third", "Kept"]


async def test_singular_answer_that_cannot_be_given_rolls_back(blog):
    two = [{"id": 8, "title": "A", "author_id": 1}, {"id": 9, "title": "B", "author_id": 1}]
    response = await blog.post(
        "/rest/v1/posts", json=two, headers={"Accept": OBJECT, "Prefer": "return=representation"}
    )
    assert response.status_code == 406
    assert response.json()["code"] == "PGRST116"
    assert response.json()["details"] == "The result contains 2 rows"
    response = await blog.patch("/rest/v1/posts?author_id=eq.1", json={"title": "Same"}, headers={"Accept": OBJECT})
    assert response.status_code == 406 and response.json()["code"] == "PGRST116"
    response = await blog.delete("/rest/v1/comments?post_id=eq.1", headers={"Accept": OBJECT})
    assert response.status_code == 406 and response.json()["code"] == "PGRST116"
    assert await _titles(blog) == ["Hello", "World", "Third"]
    comments = await blog.get("/rest/v1/comments?select=id&order=id")
    assert comments.json() == [{"id": 1}, {"id": 2}, {"id": 3}]

    response = await blog.patch(
        "/rest/v1/posts?id=eq.2", json={"title": "One"}, headers={"Accept": OBJECT, "Prefer": "return=representation"}
    )
    assert response.status_code == 200 and response.json()["title"] == "One"
    assert await _titles(blog) == ["Hello", "One", "Third"]


async def test_max_affected_with_strict_handling(blog):
    strict = {"Prefer": "handling=strict, max-affected=1"}
    response = await blog.delete("/rest/v1/comments?post_id=eq.1", headers=strict)
    assert response.status_code == 400
    assert response.json() == {
        "code": "PGRST124",
        "details": "The query affects 2 rows",
        "hint": None,
        "message": "Query result exceeds max-affected preference constraint",
    }
    response = await blog.patch("/rest/v1/posts?author_id=eq.1", json={"title": "X"}, headers=strict)
    assert response.status_code == 400 and response.json()["code"] == "PGRST124"
    assert await _titles(blog) == ["Hello", "World", "Third"]

    response = await blog.delete("/rest/v1/comments?id=eq.3", headers=strict)
    assert response.status_code == 204
    assert response.headers["preference-applied"] == "handling=strict, max-affected=1"
    # lenient (the default) ignores the limit, as PostgREST does
    response = await blog.delete("/rest/v1/comments?post_id=eq.1", headers={"Prefer": "max-affected=1"})
    assert response.status_code == 204
    assert (await blog.get("/rest/v1/comments?select=id")).json() == []


async def test_strict_handling_refuses_unknown_preferences(blog):
    response = await blog.post(
        "/rest/v1/posts", json={"id": 9, "title": "No", "author_id": 1}, headers={"Prefer": "handling=strict, bogus"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "PGRST122"
    assert response.json()["details"] == "Invalid preferences: bogus"
    assert await _titles(blog) == ["Hello", "World", "Third"]


@pytest.mark.parametrize("tx_end", ["commit", "rollback"])
async def test_tx_end_without_override_ignores_the_preference(db_url, service_headers, monkeypatch, tx_end):
    monkeypatch.setenv("DOCBASE_TX_END", tx_end)
    schema = build_schema(BLOG, "blog.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        response = await client.post(
            "/rest/v1/users", json={"id": 1, "name": "Ann"}, headers={"Prefer": "tx=rollback, return=minimal"}
        )
        assert response.status_code == 201
        assert response.headers["preference-applied"] == "return=minimal"
        rows = (await client.get("/rest/v1/users?select=name")).json()
    await app.state.db.close()
    assert rows == ([{"name": "Ann"}] if tx_end == "commit" else [])
