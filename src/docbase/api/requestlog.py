"""One structured line per request, and an ``X-Request-Id`` on every response.

The line is JSON (``time``, ``request_id``, ``role``, ``method``, ``path``,
``status``, ``ms``) so a log pipeline parses it without a grammar. It holds
the path only: query strings carry ``?apikey=`` and filter values, bodies
carry passwords, headers carry keys and tokens, so none of them is ever
read into the line. The role is the one the handler acted as (set on
``request.state`` by /rest/v1); elsewhere it is read from the request's key,
``anon`` without one and ``invalid`` for a key that does not verify.

A client's ``X-Request-Id`` is kept when it is sane (1-128 characters of
letters, digits and ``.-_:``), so a trace crosses services; anything else is
replaced by a fresh id rather than echoed into logs and headers.
"""

from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
HEADER = b"x-request-id"


def request_id(given: str | None) -> str:
    """The client's id when sane, else a new one.

    >>> request_id("abc-123"), len(request_id("bad id\\n"))
    ('abc-123', 32)
    """
    if given and _SANE.fullmatch(given):
        return given
    return uuid.uuid4().hex


class Sink:
    """Where lines go: stderr, or a file opened for appending (one write per line, so lines never interleave)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._stream: TextIO = sys.stderr if target == "stderr" else open(Path(target), "a", buffering=1)  # noqa: SIM115

    def write(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record).decode() + "\n"
        with self._lock:
            self._stream.write(line)
            self._stream.flush()


class RequestLog:
    """ASGI middleware: the id on the way in and out, the line once the response has started and ended."""

    def __init__(self, app: ASGIApp, sink: Sink | None, secret: str) -> None:
        self.app, self.sink, self.secret = app, sink, secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == HEADER), None)
        rid = request_id(given)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.sink is not None:
                self.sink.write(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                        "request_id": rid,
                        "role": self._role(scope),
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                )

    def _role(self, scope: Scope) -> str:
        state = scope.get("state") or {}
        role = state.get("role") or (state.get("claims") or {}).get("role")
        if role:
            return str(role)
        request = Request(scope)
        if not (
            request.headers.get("apikey") or request.query_params.get("apikey") or request.headers.get("authorization")
        ):
            return "anon"
        from .request import role_of

        try:
            return role_of(request, self.secret)
        except Exception:  # an expired or forged key: the line says so, the key stays out of it
            return "invalid"


def request_log_sink(toml: dict[str, Any]) -> Sink | None:
    """The ``request_log`` setting as a sink; a file that cannot be opened is a one-line ConfigError."""
    from .. import settings

    target = str(settings.get(settings.REQUEST_LOG, toml=toml) or "off").strip()
    if target in ("off", ""):
        return None
    try:
        return Sink(target)
    except OSError as exc:
        raise settings.ConfigError(f"request_log: error: cannot append to {target}: {exc.strerror}") from None
