"""console_routes: the page, its static files and the schema JSON, served in-process over ASGI."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from docbase.access import load_overrides
from docbase.auth import keys
from docbase.pipeline import build_schema
from docbase.ui import console_routes
from docbase.ui.routes import CONTENT_TYPES, static_files

DOC = """# Shop

```sql
CREATE TABLE customers (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid NOT NULL REFERENCES customers(id), total numeric);
```
"""
# An XML namespace name, never fetched: the only absolute URL the page's code may contain.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


SECRET = "console-test-secret-0123456789-abcdefgh"
SERVICE = {"apikey": keys.service_key(SECRET)}


def make_client(schema, **options) -> httpx.AsyncClient:
    app = Starlette(routes=console_routes(schema, anon_key="anon-key-for-test", secret=SECRET, **options))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")


@pytest.fixture
async def client(tmp_path: Path):
    doc = tmp_path / "shop.md"
    doc.write_text(DOC)
    schema = build_schema(DOC, str(doc))
    async with make_client(schema) as c:
        yield c


async def test_page_is_html_with_a_same_origin_only_policy(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert '<script type="module" src="console/static/js/main.js">' in r.text


async def test_every_asset_the_page_names_is_served(client):
    page = (await client.get("/")).text
    assets = re.findall(r'(?:src|href)="(console/static/[^"]+)"', page)
    assert assets, "the page should load its script and style from the package"
    for asset in assets:
        r = await client.get("/" + asset)
        assert r.status_code == 200, asset


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/static/console.css", "text/css; charset=utf-8"),
        ("/console/static/js/main.js", "text/javascript; charset=utf-8"),
        ("/console/static/js/diagram.js", "text/javascript; charset=utf-8"),
    ],
)
async def test_static_files_have_their_content_types(client, path, content_type):
    r = await client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type


async def test_every_module_import_resolves_to_a_served_file(client):
    for name, (body, _) in static_files().items():
        if not name.endswith(".js"):
            continue
        for target in re.findall(r'from\s+"\./([\w./-]+)"', body.decode()):
            r = await client.get(f"/console/static/{Path(name).parent / target}".replace("/./", "/"))
            assert r.status_code == 200, f"{name} imports {target}"


@pytest.mark.parametrize(
    "path", ["/console/static/nope.js", "/console/static/../routes.py", "/console/static/js/../../data.py"]
)
async def test_unknown_or_escaping_paths_are_404(client, path):
    r = await client.get(path)
    assert r.status_code == 404


def test_no_served_file_links_to_another_host():
    files = static_files()
    assert {"index.html", "console.css", "js/main.js"} <= set(files)
    for name, (body, _) in files.items():
        text = body.decode()
        urls = [u for u in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text) if SVG_NAMESPACE not in u]
        assert not urls, f"{name} refers to {urls}"
        assert "@import" not in text and "url(http" not in text, name


def test_only_known_content_types_are_packaged():
    for name, (_, media) in static_files().items():
        assert media in CONTENT_TYPES.values(), name


async def test_schema_json_has_what_the_console_draws(client):
    r = await client.get("/console/api/schema", headers=SERVICE)  # everything: anon sees only public tables
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert [t["name"] for t in data["tables"]] == ["customers", "orders"]
    orders = data["tables"][1]
    assert orders["section_path"] == "Shop"
    assert orders["primary_key"] == ["id"]
    assert orders["access"]["scope"]
    assert [c["name"] for c in orders["columns"]] == ["id", "customer_id", "total"]
    assert data["sections"] == [{"name": "Shop", "tables": ["customers", "orders"]}]
    assert (data["relationships"][0]["from"], data["relationships"][0]["to"]) == ("orders", "customers")
    assert data["anon_key"] == "anon-key-for-test"
    assert not re.search(r"eyJ[\w-]+\.eyJ", r.text), "no JWT (and so no service key) may be in the page's data"


async def test_document_text_is_served_for_line_links(client):
    r = await client.get("/console/api/document", headers=SERVICE)
    assert r.status_code == 200
    assert r.text.splitlines()[3].startswith("CREATE TABLE customers")


async def test_document_needs_a_key_that_may_read_it(client):
    r = await client.get("/console/api/document")
    assert (r.status_code, r.json()["code"]) == (401, "PGRST302")
    r = await client.get("/console/api/document", headers={"apikey": keys.anon_key(SECRET)})
    assert (r.status_code, r.json()["code"]) == (401, "42501")
    r = await client.get(
        "/console/api/document", headers={"apikey": keys.service_key("another-secret-0123456789-abcdefghijklmn")}
    )
    assert (r.status_code, r.json()["code"]) == (401, "PGRST301")


async def test_document_can_be_made_public(tmp_path: Path):
    doc = tmp_path / "shop.md"
    doc.write_text(DOC)
    async with make_client(build_schema(DOC, str(doc)), public_document=True) as c:
        r = await c.get("/console/api/document")
    assert (r.status_code, r.text) == (200, DOC)


async def test_document_endpoint_is_404_when_there_is_no_file():
    async with make_client(build_schema(DOC, "<document>")) as c:
        r = await c.get("/console/api/document", headers=SERVICE)
    assert r.status_code == 404


NOTES = """# Notes app

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE NOT NULL, password_hash text NOT NULL);
CREATE TABLE notes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  body text,
  webhook_secret text
);
CREATE TABLE plans (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE sync_state (id integer PRIMARY KEY, cursor text);
```
"""


def tables_and_columns(data: dict) -> dict[str, list[str]]:
    return {t["name"]: [c["name"] for c in t["columns"]] for t in data["tables"]}


async def test_schema_json_shows_each_caller_only_what_its_role_may_use(tmp_path: Path):
    doc = tmp_path / "notes.md"
    doc.write_text(NOTES)
    (tmp_path / "docbase.toml").write_text('[access.tables.plans]\nselect = "anon"\n')
    overrides = load_overrides(str(doc))
    async with make_client(build_schema(NOTES, str(doc)), overrides=overrides) as c:
        keyless = await c.get("/console/api/schema")
        anon = await c.get("/console/api/schema", headers={"apikey": keys.anon_key(SECRET)})
        user = await c.get("/console/api/schema", headers=user_token())
        service = await c.get("/console/api/schema", headers=SERVICE)
        bad = await c.get("/console/api/schema", headers={"apikey": "not-a-key"})
    assert (keyless.status_code, anon.status_code, user.status_code, service.status_code) == (200, 200, 200, 200)
    assert keyless.content == anon.content
    data = keyless.json()
    assert tables_and_columns(data) == {"plans": ["id", "name"]}
    assert (data["anon_key"], data["document"]) == ("anon-key-for-test", "notes.md")
    assert data["sections"] == [{"name": "Notes app", "tables": ["plans"]}]
    assert (data["relationships"], data["diagnostics"], data["access"]["diagnostics"]) == ([], [], [])
    for secret in ("password_hash", "webhook_secret", "sync_state", "user_id", '"users"'):
        assert secret not in keyless.text, secret
    assert tables_and_columns(user.json()) == {
        "users": ["id", "email"],
        "notes": ["id", "user_id", "body"],
        "plans": ["id", "name"],
    }
    assert "password_hash" not in user.text and "webhook_secret" not in user.text and "sync_state" not in user.text
    assert [(r["from"], r["to"]) for r in user.json()["relationships"]] == [("notes", "users")]
    assert tables_and_columns(service.json()) == {
        "users": ["id", "email", "password_hash"],
        "notes": ["id", "user_id", "body", "webhook_secret"],
        "plans": ["id", "name"],
        "sync_state": ["id", "cursor"],
    }
    assert (bad.status_code, bad.json()["code"]) == (401, "PGRST301")


def user_token() -> dict[str, str]:
    claims = {"sub": str(uuid.uuid4()), "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}
