"""/auth/v1 stops reading a body at its limit: 413 before the rest of a huge body is ever read."""

from __future__ import annotations

import pytest

from docbase.auth.routes import MAX_BODY

CHUNK = 16 * 1024


class Body:
    """A 64 MB streamed (chunked) body that records how much of it the server pulled."""

    def __init__(self, chunks: int = 4096) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self):
        for _ in range(self.chunks):
            self.pulled += 1
            yield b" " * CHUNK


@pytest.mark.parametrize(
    "path", ["/auth/v1/signup", "/auth/v1/token?grant_type=password", "/auth/v1/recover", "/auth/v1/verify"]
)
async def test_a_streamed_body_past_the_limit_is_refused_after_the_limit(auth, path):
    body = Body()
    r = await auth.client.post(path, content=body.__aiter__(), headers={"content-type": "application/json"})
    assert (r.status_code, r.json()) == (
        413,
        {"code": 413, "error_code": "request_too_large", "msg": f"Request body is larger than {MAX_BODY} bytes"},
    )
    assert body.pulled == MAX_BODY // CHUNK + 1


async def test_a_declared_length_past_the_limit_is_refused_unread(auth):
    body = Body(chunks=8)
    r = await auth.client.post(
        "/auth/v1/signup",
        content=body.__aiter__(),
        headers={"content-type": "application/json", "content-length": str(300 * 1024 * 1024)},
    )
    assert (r.status_code, r.json()["error_code"]) == (413, "request_too_large")
    assert body.pulled == 0


async def test_a_body_at_the_limit_is_read(auth):
    padding = " " * (MAX_BODY - 60)
    raw = f'{{"email": "ada@example.com", "password": "correct horse"}}{padding}'.encode()[:MAX_BODY]
    r = await auth.client.post("/auth/v1/signup", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
