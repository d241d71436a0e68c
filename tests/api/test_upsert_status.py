"""Upserts answer as PostgREST's UpsertSpec: 201 when a row was created, 200 when all were updates."""

from __future__ import annotations

MERGE = {"Prefer": "return=representation, resolution=merge-duplicates"}


async def test_created_and_updated_rows_answer_201(blog):
    body = [{"id": 2, "name": "Bobby"}, {"id": 4, "name": "Dee"}]
    response = await blog.post("/rest/v1/users?select=id,name", json=body, headers=MERGE)
    assert response.status_code == 201
    assert response.json() == body
    assert response.headers["preference-applied"] == "resolution=merge-duplicates, return=representation"


async def test_only_updates_answer_200(blog):
    body = [{"id": 1, "name": "Annie"}, {"id": 2, "name": "Bobby"}]
    response = await blog.post("/rest/v1/users?select=id,name", json=body, headers=MERGE)
    assert response.status_code == 200
    assert response.json() == body
    rows = await blog.get("/rest/v1/users?select=name&order=id")
    assert rows.json() == [{"name": "Annie"}, {"name": "Bobby"}, {"name": "cid"}]


async def test_empty_payload_answers_200(blog):
    response = await blog.post("/rest/v1/users", json=[], headers=MERGE)
    assert response.status_code == 200 and response.json() == []


async def test_key_only_rows_come_back(blog):
    """team_members is all key: the existing rows are returned, not []."""
    body = [{"team_id": 1, "user_id": 1}, {"team_id": 2, "user_id": 1}]
    response = await blog.post("/rest/v1/team_members", json=body, headers=MERGE)
    assert response.status_code == 201
    assert sorted(response.json(), key=lambda r: (r["team_id"], r["user_id"])) == body
    response = await blog.post("/rest/v1/team_members", json=body[:1], headers=MERGE)
    assert response.status_code == 200 and response.json() == body[:1]
