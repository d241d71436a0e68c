"""The HTTP floor: a bare ASGI app that answers ``/<workload>`` with a canned body (docbase's own answer).

No routing library, no database: what is left is uvicorn's HTTP handling,
which docbase cannot go below. Request bodies are drained like a real app's.
"""

from __future__ import annotations

import json
import os

with open(os.environ["BENCH_CANNED"]) as _file:
    CANNED = {f"/{name}": (status, body.encode()) for name, (status, body) in json.load(_file).items()}
HEADERS = [(b"content-type", b"application/json; charset=utf-8")]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    status, body = CANNED.get(scope["path"], (404, b'{"message":"no such workload"}'))
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})
