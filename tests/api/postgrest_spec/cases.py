"""One ported hspec expectation: a request, and the status, headers and JSON body PostgREST answers it with.

``Case`` mirrors ``request method path headers body `shouldRespondWith`
expected { matchStatus, matchHeaders }``; ``check`` compares the JSON body
as hspec-wai's ``[json|...|]`` does (parsed values, arrays in order).
``pg_only`` names why a case cannot run on SQLite; there it is skipped
with that reason, or (``refused_on_sqlite``) must get the clear PGRST127
"needs PostgreSQL" error, never a silently different answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

ABSENT = object()


@dataclass(frozen=True)
class Case:
    path: str
    body: Any = ABSENT
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    request_headers: dict[str, str] = field(default_factory=dict)
    json: Any = ABSENT
    pg_only: str | None = None
    text: str | None = None
    content: str | None = None  # a raw request body (the spec's invalid JSON, insignificant whitespace)
    absent: tuple[str, ...] = ()  # headers the answer must not carry (matchHeaderAbsent)
    refused_on_sqlite: bool = False  # with pg_only: SQLite answers PGRST127 naming the feature

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def ids(cases: list[Case]) -> list[str]:
    return [str(c) for c in cases]


async def check(client: httpx.AsyncClient, case: Case) -> httpx.Response:
    if case.pg_only and client.dialect == "sqlite":
        if not case.refused_on_sqlite:
            pytest.skip(f"PostgreSQL only: {case.pg_only}")
        response = await client.request(case.method, case.path, headers=case.request_headers)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "PGRST127", response.text
        assert "needs PostgreSQL" in response.json()["details"], response.text
        return response
    kwargs: dict[str, Any] = {"headers": case.request_headers}
    if case.json is not ABSENT:
        kwargs["json"] = case.json
    elif case.content is not None:
        kwargs["content"] = case.content.encode()
        kwargs["headers"] = {"Content-Type": "application/json", **case.request_headers}
    path = case.path if case.path.startswith("/") else "/" + case.path
    response = await client.request(case.method, path, **kwargs)
    assert response.status_code == case.status, response.text
    for name, value in case.headers.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))
    for name in case.absent:
        assert name not in response.headers, (name, dict(response.headers))
    if case.text is not None:
        assert response.text == case.text
    if case.body is not ABSENT:
        assert response.json() == case.body
    return response
