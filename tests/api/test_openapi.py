"""GET /rest/v1/ describes every table from the model (OpenAPI 3.1); /docs renders it without a CDN."""

from __future__ import annotations

import httpx

from docbase.api import create_app
from docbase.auth import keys
from docbase.pipeline import build_schema

DOC = """
```sql
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE people (
  id uuid PRIMARY KEY,
  name varchar(40) NOT NULL,
  feeling mood,
  score numeric
);
COMMENT ON COLUMN people.name IS 'What they are called';
```
"""


async def client_for(tmp_path):
    """A client with the service key: the spec describes what the caller's role may use (test_bounds.py)."""
    schema = build_schema(DOC, "people.md")
    app = create_app(schema, f"sqlite:///{tmp_path / 'o.db'}", secret="s" * 40)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", headers={"apikey": keys.service_key("s" * 40)}
    )


async def test_spec_describes_tables_columns_and_methods(tmp_path):
    async with await client_for(tmp_path) as client:
        response = await client.get("/rest/v1/")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    people = spec["components"]["schemas"]["people"]
    assert people["properties"]["id"]["format"] == "uuid"
    assert people["properties"]["name"]["type"] == "string"
    assert people["properties"]["name"]["maxLength"] == 40
    assert people["properties"]["feeling"]["enum"] == ["happy", "sad"]
    assert people["properties"]["score"]["type"] == ["number", "null"]
    assert "name" in people["required"]
    ops = spec["paths"]["/rest/v1/people"]
    assert set(ops) == {"get", "post", "patch", "delete"}
    assert {"select", "order", "limit", "name"} <= {p["name"] for p in ops["get"]["parameters"]}


async def test_docs_page_is_self_contained(tmp_path):
    async with await client_for(tmp_path) as client:
        response = await client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/rest/v1/" in response.text
    assert "https://" not in response.text and "http://" not in response.text


async def test_unknown_path_is_a_shaped_404(tmp_path):
    async with await client_for(tmp_path) as client:
        response = await client.get("/nowhere")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "details", "hint"}
