"""One request-body limit for every route, enforced while the body streams in; JSON nesting bounded.

An ASGI middleware around the whole app (/rest/v1, /auth/v1, the console,
whatever is mounted later), so no handler can buffer more than the limit
before deciding: a declared ``Content-Length`` past the limit is refused
before the app runs; a chunked body is counted as it arrives and the chunk
that crosses the limit ends the request - the rest is never read. JSON
bodies (a JSON content type, or none) are also refused when nested deeper
than ``max_json_depth``, checked when their last chunk arrives and before
any handler parses them: orjson decodes 1,024 levels but encodes only 255,
so a deep value would otherwise be accepted and then fail as a 500.

A refusal is raised out of ``receive``; whatever the app does with it (even
catching it and answering 500), the client gets the refusal, in the dialect
of the route it called: GoTrue's ``{"code", "error_code", "msg"}`` under
/auth/v1, PostgREST's ``{"code", "message", "details", "hint"}`` elsewhere.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Awaitable, Callable, MutableMapping
from itertools import accumulate, repeat
from typing import Any

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

AUTH_PREFIX = "/auth/v1"
#: The most JSON nesting docbase can ever accept: orjson cannot encode deeper than 255 levels.
DEPTH_CEILING = 250

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # a JSON string, escapes included; linear
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # opening +1, closing -1 (after subtracting 1)


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of ``raw`` nest, brackets inside strings not counting.

    Runs in C (a regex removes the strings, ``translate`` keeps the brackets, ``accumulate`` sums),
    so a megabyte costs milliseconds. Malformed JSON gets some number; the parser rejects it anyway.

    >>> json_depth(b'{"a": [1, {"b": "[[["}]}')
    3
    """
    brackets = _STRING.sub(b"", raw).translate(_STEPS, _NOT_BRACKETS)
    return max(accumulate(map(operator.sub, brackets, repeat(1))), default=0)


def too_deep(raw: bytes, limit: int) -> bool:
    """Whether ``raw`` nests deeper than ``limit``; free when it has no more opening brackets than that."""
    return raw.count(b"[") + raw.count(b"{") > limit and json_depth(raw) > limit


def scanned(content_type: str | None) -> bool:
    """Whether the middleware checks a body of this type for depth: JSON types, and bodies with no type."""
    return not content_type or "json" in content_type.lower()


def too_large_message(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes"


def too_deep_message(limit: int) -> str:
    return f"The JSON body is nested deeper than {limit} levels"


class Refused(Exception):
    """The body broke a limit; raised out of ``receive`` and answered by :class:`BodyLimit`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyLimit:
    """ASGI middleware: ``max_bytes`` per request body on every route, ``max_depth`` per JSON body."""

    def __init__(
        self, app: Callable[..., Awaitable[None]], max_bytes: int, max_depth: int, exempt: tuple[str, ...] = ()
    ) -> None:
        if not 1 <= max_depth <= DEPTH_CEILING:
            raise ValueError(f"max_json_depth must be between 1 and {DEPTH_CEILING}, not {max_depth}")
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.exempt = exempt  # path prefixes that bound their own bodies (/storage/v1: file uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exempt and scope.get("path", "").startswith(self.exempt)):
            await self.app(scope, receive, send)
            return
        length, content_type = _headers(scope)
        if length is not None and length.isascii() and length.isdigit():  # the server rejects a malformed one
            if len(length) > 18 or int(length) > self.max_bytes:
                await _answer(scope, send, Refused(413, too_large_message(self.max_bytes)))
                return
        reading = _Reading(self, receive, scanned(content_type))
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if reading.refused is not None:
                return  # the app's own answer to the refusal: the client gets the refusal instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, reading.receive, guarded_send)
        except Exception:
            if reading.refused is None:
                raise
        if reading.refused is not None and not started:
            await _answer(scope, send, reading.refused)


class _Reading:
    """One request's body as it streams: bytes counted, JSON chunks kept (by reference) for the depth check."""

    def __init__(self, limit: BodyLimit, receive: Receive, json: bool) -> None:
        self.limit, self._receive, self.json = limit, receive, json
        self.size = 0
        self.openers = 0
        self.chunks: list[bytes] = []
        self.refused: Refused | None = None

    async def receive(self) -> Message:
        if self.refused is not None:
            raise self.refused
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        body = message.get("body", b"")
        self.size += len(body)
        if self.size > self.limit.max_bytes:
            self.chunks.clear()
            self.refused = Refused(413, too_large_message(self.limit.max_bytes))
            raise self.refused
        if self.json and body:
            self.chunks.append(body)
            self.openers += body.count(b"[") + body.count(b"{")
        if self.json and not message.get("more_body", False):
            deep = self.openers > self.limit.max_depth and too_deep(b"".join(self.chunks), self.limit.max_depth)
            self.chunks.clear()
            if deep:
                self.refused = Refused(400, too_deep_message(self.limit.max_depth))
                raise self.refused
        return message


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    length = content_type = None
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            length = value.decode("latin-1").strip()
        elif name == b"content-type":
            content_type = value.decode("latin-1")
    return length, content_type


async def _answer(scope: Scope, send: Send, refused: Refused) -> None:
    if scope.get("path", "").startswith(AUTH_PREFIX):
        code = "request_too_large" if refused.status == 413 else "bad_json"
        message = refused.message
        if refused.status == 413:  # in GoTrue's words, as docbase.auth words its own (smaller) limit
            message = message.replace("The request body is larger than the limit of", "Request body is larger than")
        body: dict[str, Any] = {"code": refused.status, "error_code": code, "msg": message}
    else:
        code = "PGRST413" if refused.status == 413 else "PGRST102"
        body = {"code": code, "details": None, "hint": None, "message": refused.message}
    payload = orjson.dumps(body)
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(payload)).encode())]
    if refused.status == 413:  # the rest of the body was never read: the connection cannot be reused
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
