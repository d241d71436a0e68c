"""The request log: one JSON line per request with its id and role, and never a secret in it.

Driven in-process through the full app ``serve`` builds (/rest/v1, /auth/v1,
storage, console), with ``request_log`` pointing at a file beside the document.
"""

from __future__ import annotations

import json

import httpx
import pytest

from docbase.api.requestlog import request_id
from docbase.api.serve import build_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.pipeline import load_schema

SECRET = "request-log-secret-0123456789-abcdefghij"
DOC = "# Notes\n\n```sql\nCREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);\n```\n"
PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
async def logged(tmp_path, db_url):
    doc = tmp_path / "notes.md"
    doc.write_text(DOC)
    log = tmp_path / "requests.log"
    (tmp_path / "docbase.toml").write_text(f'request_log = "{log}"\n')
    schema = load_schema(doc)
    migrate(schema, db_url)
    app = build_app(schema, db_url, SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client, log


def _lines(log):
    return [json.loads(line) for line in log.read_text().splitlines()]


async def test_one_line_per_request_with_role_status_and_id(logged):
    client, log = logged
    service, anon = keys.service_key(SECRET), keys.anon_key(SECRET)
    r1 = await client.post("/rest/v1/notes", json={"id": 1, "body": "x"}, headers={"apikey": service})
    r2 = await client.get("/rest/v1/notes", headers={"apikey": anon, "X-Request-Id": "trace-42.a:b"})
    r3 = await client.get("/rest/v1/nope")
    r4 = await client.get("/rest/v1/notes", headers={"X-Request-Id": "spaces are not sane"})
    lines = _lines(log)
    assert [(x["method"], x["path"], x["status"], x["role"]) for x in lines] == [
        ("POST", "/rest/v1/notes", r1.status_code, "service_role"),
        ("GET", "/rest/v1/notes", r2.status_code, "anon"),
        ("GET", "/rest/v1/nope", r3.status_code, "anon"),
        ("GET", "/rest/v1/notes", r4.status_code, "anon"),
    ]
    assert r1.status_code == 201 and r3.status_code == 401  # no key at all: PostgREST answers 401
    assert r2.headers["x-request-id"] == "trace-42.a:b" == lines[1]["request_id"]
    assert r4.headers["x-request-id"] != "spaces are not sane" and len(r4.headers["x-request-id"]) == 32
    assert [r.headers["x-request-id"] for r in (r1, r3, r4)] == [lines[i]["request_id"] for i in (0, 2, 3)]
    assert all(set(x) == {"time", "request_id", "role", "method", "path", "status", "ms"} for x in lines)
    assert all(isinstance(x["ms"], float | int) and x["time"].endswith("Z") for x in lines)


async def test_no_key_token_or_password_reaches_the_log(logged):
    client, log = logged
    service = keys.service_key(SECRET)
    await client.get("/rest/v1/notes", headers={"apikey": service, "Authorization": f"Bearer {service}"})
    await client.get(f"/rest/v1/notes?apikey={service}&body=eq.{PASSWORD}")
    await client.post("/auth/v1/signup", json={"email": "ada@example.com", "password": PASSWORD})
    await client.post(
        "/auth/v1/token?grant_type=password",
        json={"email": "ada@example.com", "password": PASSWORD},
        headers={"apikey": keys.anon_key(SECRET)},
    )
    forged = service[:-4] + "AAAA"
    await client.get("/rest/v1/notes", headers={"apikey": forged})
    text = log.read_text()
    lines = _lines(log)
    assert len(lines) == 5
    assert lines[4]["role"] == "invalid" and lines[4]["status"] == 401
    for secret in (service, PASSWORD, forged, keys.anon_key(SECRET), service.split(".")[1], "apikey"):
        assert secret not in text


def test_request_ids_are_kept_only_when_sane():
    assert request_id("abc-DEF_1.2:3") == "abc-DEF_1.2:3"
    for bad in ("", "a" * 129, "x\ny", "<script>", None):
        fresh = request_id(bad)
        assert fresh != bad and len(fresh) == 32


def test_stderr_sink_and_an_unwritable_file(capsys, tmp_path):
    from docbase.api.requestlog import request_log_sink
    from docbase.settings import ConfigError

    assert request_log_sink({}) is None  # off unless asked for
    sink = request_log_sink({"request_log": "stderr"})
    assert sink is not None
    sink.write({"path": "/rest/v1/x", "status": 200})
    assert json.loads(capsys.readouterr().err) == {"path": "/rest/v1/x", "status": 200}
    with pytest.raises(ConfigError, match="request_log: error: cannot append to"):
        request_log_sink({"request_log": str(tmp_path / "no" / "such" / "dir.log")})
