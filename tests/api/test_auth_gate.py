"""Who may call /rest/v1: a matrix of token x method -> status. Deny by default: bad or missing keys and anon
get 401, service_role passes; what a signed-in user may do is row-level access (tests/api/test_access_*.py)."""

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


async def test_a_signed_in_stranger_sees_and_changes_nothing_and_cannot_write_users(blog):
    """PostgREST's answers under row-level security: empty reads, writes that touch no row, 42501 without a grant."""
    stranger = token("authenticated")
    got = await blog.get("/rest/v1/teams", headers=stranger)
    assert (got.status_code, got.json()) == (200, [])
    patched = await blog.patch("/rest/v1/teams?id=eq.1", json={"name": "x"}, headers=stranger)
    assert patched.status_code == 204
    deleted = await blog.delete("/rest/v1/teams?id=eq.1", headers=stranger)
    assert deleted.status_code == 204
    denied = await blog.post("/rest/v1/users", json={"id": 9, "name": "x"}, headers=stranger)
    assert (denied.status_code, denied.json()["code"]) == (403, "42501")
    service = {"apikey": keys.service_key(SECRET)}
    assert (await blog.get("/rest/v1/teams?select=name&id=eq.1", headers=service)).json() == [{"name": "red"}]
