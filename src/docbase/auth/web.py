"""What every /auth/v1 endpoint shares: reading the request, checking the apikey, answering in GoTrue's shape.

Every refusal is ``{"code", "error_code", "msg"}`` with a 4xx status
(supabase-py and supabase-js read ``error_code``); input is checked here,
before any hashing or SQL, so a 10 kB password, a body that is not JSON or
a control character in an email is a clean 400/422.

The service an endpoint works with is the auth app's ``app.state.auth``
(:func:`docbase.auth.routes.auth_app`), handed to each endpoint by
:func:`endpoint`, so endpoints are plain module-level functions.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import keys, redirects, tokens
from .bearer import bearer_token
from .clientip import client_address
from .config import AuthConfig
from .errors import AuthError, bad_json, bad_jwt, is_outage, reason, unavailable, unexpected, validation
from .policy import PasswordError, check_password
from .service import AuthService, Job

log = logging.getLogger("docbase.auth")

Handler = Callable[[Request], Awaitable[Response]]
Endpoint = Callable[[Request, AuthService], Awaitable[Response]]

MAX_BODY = 64 * 1024
EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f.][^@\s\x00-\x1f\x7f]*\.[^@\s\x00-\x1f\x7f.]+$")
SCOPES = ("global", "local", "others")

Handler = Callable[[Request], Awaitable[Response]]


def _too_large() -> AuthError:
    return AuthError(413, "request_too_large", f"Request body is larger than {MAX_BODY} bytes")


async def read_body(request: Request) -> bytes:
    """The body, refused with 413 as soon as it passes MAX_BODY: a declared length is refused unread, and a
    streamed body stops being read at the chunk that crosses the limit, so no request can make auth buffer
    more than MAX_BODY plus one chunk (api.bodylimit bounds every route when the app is create_app's)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > MAX_BODY):
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request) -> dict[str, Any]:
    raw = await read_body(request)
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_json() from None
    if not isinstance(body, dict):
        raise bad_json("Request body must be a JSON object")
    return body


def email_field(body: dict[str, Any], required: bool = True) -> str | None:
    value = body.get("email")
    if value is None or value == "":
        if required:
            raise validation("An email address is required")
        return None
    if not isinstance(value, str) or len(value) > 255 or not EMAIL.match(value.strip()):
        raise AuthError(400, "validation_failed", "Unable to validate email address: invalid format")
    return value.strip().lower()


async def password_field(
    body: dict[str, Any], config: AuthConfig, email: str | None, required: bool = True
) -> str | None:
    """A new password the policy accepts; the email counts as a known word for the guessability check.

    zxcvbn takes up to ~0.3 s on a long random password, as much as bcrypt, so it runs in a worker thread too.
    """
    value = body.get("password")
    if value is None and not required:
        return None
    known = (email, email.split("@", 1)[0]) if email else ()
    try:
        return await asyncio.to_thread(check_password, value, config.password_policy, known)
    except PasswordError as exc:
        extra = {"weak_password": {"reasons": list(exc.reasons)}} if exc.reasons else {}
        raise AuthError(422, exc.code, exc.message, **extra) from None


def data_field(body: dict[str, Any]) -> dict[str, Any] | None:
    value = body.get("data")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise validation("data must be a JSON object of user metadata")
    return value


def text_param(value: Any, name: str, limit: int = 2048) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or any(ord(ch) < 32 for ch in value):
        raise validation(f"{name} is required and must be a string")
    return value


def client_ip(request: Request, config: AuthConfig) -> str:
    """The client's address: the peer, or X-Forwarded-For when the peer is a trusted proxy (:mod:`.clientip`)."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), config.proxies)


def verify_url(request: Request, config: AuthConfig) -> str:
    """The absolute URL of this mount's /verify for emailed links.

    The host comes from ``auth_external_url``, never from the request's Host
    header: a forged Host would otherwise put the victim's token in a link to
    the attacker's server. Only the mount path is taken from the request.
    Without the setting (an app built in-process, e.g. in tests) the app's
    own base URL as the ASGI server reports it is used.
    """
    mount = request.scope.get("root_path", "") or "/auth/v1"
    if config.external_url:
        return f"{config.external_url}{mount}/verify"
    return f"{request.url.scheme}://{request.url.netloc}{mount}/verify"  # the mount's /verify, from any endpoint


def redirect_target(config: AuthConfig, wanted: str | None) -> str:
    """``redirect_to`` when the allow-list allows it, else the site URL (see :mod:`.redirects`)."""
    return redirects.redirect_target(config.site_url, config.redirect_urls, wanted)


def answer(body: Any, job: Job | None) -> JSONResponse:
    """The JSON answer; ``job`` (mail) runs after it is sent, as a Starlette background task."""
    return JSONResponse(body, background=BackgroundTask(job) if job else None)


def failure(request: Request, exc: Exception) -> AuthError:
    """503 when the database is unreachable, else 500; logged without SQL, parameters or traceback locals."""
    if is_outage(exc):
        log.error("auth: database unavailable on %s %s: %s", request.method, request.url.path, reason(exc))
        return unavailable()
    log.error("auth: unexpected %s on %s %s: %s", type(exc).__name__, request.method, request.url.path, reason(exc))
    return unexpected()


def service_of(request: Request) -> AuthService:
    return request.app.state.auth


def claims_of(request: Request, service: AuthService) -> dict[str, Any]:
    """The verified claims of the caller's Bearer token (401 without one, 403 for a bad one)."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthError(401, "no_authorization", "This endpoint requires a Bearer token")
    try:
        return tokens.user_claims(token, service.secret, service.clock())
    except keys.TokenError as exc:
        raise bad_jwt(f"invalid JWT: {exc.message}") from None


def check_apikey(request: Request, secret: str) -> None:
    """Like Supabase behind its gateway: a key signed with the project's secret, as header or query parameter."""
    key = request.headers.get("apikey") or request.query_params.get("apikey")
    if not key:
        raise AuthError(401, "no_api_key", "No API key found in request")
    try:
        keys.verify(key, secret)
    except keys.TokenError:
        raise AuthError(401, "invalid_api_key", "Invalid API key") from None


def endpoint(apikey: bool = True, database: bool = True) -> Callable[[Endpoint], Handler]:
    """Wrap ``fn(request, service)`` as a Starlette endpoint: apikey checked, auth tables ready, every
    failure answered in GoTrue's shape (a database outage 503, anything unexpected 500, never a traceback)."""

    def wrap(fn: Endpoint) -> Handler:
        async def handle(request: Request) -> Response:
            service = service_of(request)
            try:
                if apikey:
                    check_apikey(request, service.secret)
                if database:
                    await service.ready()
                return await fn(request, service)
            except AuthError as exc:
                return exc.response()
            except Exception as exc:  # noqa: BLE001 - every failure answers in GoTrue's shape, never a bare 500
                return failure(request, exc).response()

        handle.__name__ = handle.__qualname__ = fn.__name__
        handle.__doc__ = fn.__doc__
        return handle

    return wrap
