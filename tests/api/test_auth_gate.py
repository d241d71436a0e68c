"""Who may call /rest/v1: a matrix of token x method -> status. Deny by default; only service_role passes."""

from __future__ import annotations

import time

import pytest

from docbase.auth import keys

from .conftest import SECRET


def token(kind: str) -> dict[str, str]:
    future = int(time.time()) + 3600
    if kind == "none":
        return {}
    if kind == "anon":
        return {"apikey": keys.anon_key(SECRET)}
    if kind == "authenticated":
        user = keys.sign({"role": "authenticated", "sub": "u1", "exp": future}, SECRET)
        return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {user}"}
    if kind == "service":
        return {"apikey": keys.service_key(SECRET)}
    if kind == "expired":
        return {"apikey": keys.sign({"role": "service_role", "exp": int(time.time()) - 10}, SECRET)}
    if kind == "wrong-secret":
        return {"apikey": keys.service_key("another-secret-entirely-0123456789")}
    if kind == "tampered":
        head, _, sig = keys.anon_key(SECRET).split(".")
        body = keys.service_key(SECRET).split(".")[1]
        return {"apikey": f"{head}.{body}.{sig}"}
    if kind == "bad-bearer":
        return {"apikey": keys.service_key(SECRET), "Authorization": "Bearer nonsense"}
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("none", 401, "PGRST302"),
        ("anon", 401, "42501"),
        ("authenticated", 403, "42501"),
        ("expired", 401, "PGRST303"),
        ("wrong-secret", 401, "PGRST301"),
        ("tampered", 401, "PGRST301"),
        ("bad-bearer", 401, "PGRST301"),
        ("service", 200, None),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
async def test_access_matrix(blog, kind, status, code, method):
    blog.headers.pop("apikey")
    blog.headers.pop("authorization")
    body = {"name": "changed"} if method in ("POST", "PATCH") else None
    path = "/rest/v1/teams?id=eq.99" if method != "POST" else "/rest/v1/teams"
    if method == "POST":
        body = {"id": 99, "name": "new"}
    response = await blog.request(method, path, json=body, headers=token(kind))
    if code is None:
        assert response.status_code in (200, 201, 204)
    else:
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
        service = {"apikey": keys.service_key(SECRET)}
        assert (await blog.get("/rest/v1/teams?select=id&order=id", headers=service)).json() == [{"id": 1}, {"id": 2}]
