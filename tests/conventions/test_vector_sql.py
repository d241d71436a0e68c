"""rpc/match_<table> against a NumPy brute force on the same rows, on SQLite (sqlite-vec) and PostgreSQL (exact SQL)."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from docbase.api import create_app
from docbase.auth import keys

from .helpers import migrated

SECRET = "test-secret-for-docbase-vectors-0123456"
DOC = """# Knowledge

```mermaid
erDiagram
    knowledge {
        string _id PK
        string userId
        string text
        float[] embedding "16-dim vector"
    }
```

| Table | Index | Fields | Purpose |
|---|---|---|---|
| knowledge | `by_embedding` | embedding (vector) | Similarity search |
"""
N, DIM = 300, 16


@pytest.fixture
async def client(db_url):
    schema = migrated(DOC, db_url)
    column = schema.table("knowledge").column("embedding")
    assert column.type == "vector"
    app = create_app(schema, db_url, secret=SECRET)
    key = keys.service_key(SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.headers.update({"apikey": key, "Authorization": f"Bearer {key}"})
        yield c
    await app.state.db.close()


def _data():
    rng = np.random.default_rng(7)
    return rng.normal(size=(N, DIM)).astype(np.float32), rng.normal(size=DIM).astype(np.float32)


@pytest.mark.parametrize("metric", ["cosine", "l2"])
async def test_nearest_rows_agree_with_numpy(client, metric):
    data, query = _data()
    rows = [
        {"_id": f"k{i:03d}", "userId": f"u{i % 3}", "text": f"t{i}", "embedding": data[i].tolist()} for i in range(N)
    ]
    assert (await client.post("/rest/v1/knowledge", json=rows)).status_code == 201
    r = await client.post(
        "/rest/v1/rpc/match_knowledge", json={"query_embedding": query.tolist(), "match_count": 10, "metric": metric}
    )
    assert r.status_code == 200, r.text
    got = r.json()
    d, qv = data.astype(np.float64), query.astype(np.float64)
    if metric == "cosine":
        dist = 1 - d @ qv / (np.linalg.norm(d, axis=1) * np.linalg.norm(qv))
    else:
        dist = np.linalg.norm(d - qv, axis=1)
    best = np.argsort(dist, kind="stable")[:10]
    assert [g["_id"] for g in got] == [f"k{i:03d}" for i in best]
    assert np.allclose([g["distance"] for g in got], dist[best], atol=1e-5)
    assert "embedding" not in got[0]


async def test_filters_and_threshold(client):
    data, query = _data()
    rows = [{"_id": f"k{i:03d}", "userId": f"u{i % 3}", "embedding": data[i].tolist()} for i in range(30)]
    await client.post("/rest/v1/knowledge", json=rows)
    body = {"query_embedding": query.tolist(), "match_count": 50, "filter": {"userId": "u1"}, "match_threshold": 0}
    got = (await client.post("/rest/v1/rpc/match_knowledge", json=body)).json()
    assert got and all(g["userId"] == "u1" and g["similarity"] >= 0 for g in got)


@pytest.mark.parametrize(
    "body",
    [
        {"query_embedding": [1, 2]},
        {"query_embedding": "nope"},
        {"query_embedding": [0.0] * DIM, "match_count": 0},
        {"query_embedding": [0.0] * DIM, "metric": "dot"},
        {"query_embedding": [0.0] * DIM, "filter": {"missing": 1}},
        {},
    ],
)
async def test_bad_arguments_are_400(client, body):
    r = await client.post("/rest/v1/rpc/match_knowledge", json=body)
    assert r.status_code == 400 and set(r.json()) == {"code", "message", "details", "hint"}
