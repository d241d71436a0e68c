"""``/auth/v1``: Supabase Auth's endpoints over HTTP, as a list of Starlette routes.

This module only parses requests and shapes responses; :mod:`.service`
does the work. Every refusal is ``{"code", "error_code", "msg"}`` with a
4xx status (supabase-py and supabase-js read ``error_code``); input is
checked here, before any hashing or SQL, so a 10 kB password, a body that
is not JSON or a control character in an email is a clean 400/422.

Like Supabase behind its gateway, every endpoint wants the ``apikey``
header (or query parameter) carrying a key signed with the project's
secret, except ``GET /verify`` (followed from an email) and ``GET /health``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..schema.model import Schema
from . import keys, redirects, tokens, users
from .clientip import client_address
from .config import AuthConfig
from .errors import AuthError, bad_json, bad_jwt, is_outage, reason, unavailable, unexpected, validation
from .policy import PasswordError, check_password
from .service import OTP_KINDS, AuthService, Job

log = logging.getLogger("docbase.auth")

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
    base = str(request.url.replace(query="", fragment="")).rsplit("/", 1)[0]
    return base + "/verify"


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


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def auth_routes(
    schema: Schema,
    engine: Any,
    config: AuthConfig | None = None,
    secret: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Route]:
    """The /auth/v1 routes for a document's backend; mount them with ``Mount("/auth/v1", routes=...)``.

    Args:
        schema: the document's model (its users/profile table is kept in step).
        engine: an ``AsyncEngine`` or a database URL.
        config: auth settings; default read from the settings registry.
        secret: the JWT secret; default :func:`keys.jwt_secret` for the document.
        clock: seconds since the epoch, for rate limits and sign-in backoff (tests pass their own).
    """
    config = config or AuthConfig.load(None if schema.path.startswith("<") else schema.path)
    secret = secret or keys.jwt_secret(None if schema.path.startswith("<") else schema.path)
    service = AuthService(schema, engine, config, secret, clock)
    if not config.external_url:
        log.warning("auth_external_url is not set: emailed links take their host from the request; set it")

    def claims_of(request: Request) -> dict[str, Any]:
        token = bearer(request)
        if token is None:
            raise AuthError(401, "no_authorization", "This endpoint requires a Bearer token")
        try:
            return tokens.user_claims(token, secret, service.clock())
        except keys.TokenError as exc:
            raise bad_jwt(f"invalid JWT: {exc.message}") from None

    def endpoint(fn: Handler, apikey: bool = True, database: bool = True) -> Handler:
        async def handle(request: Request) -> Response:
            try:
                if apikey:
                    key = request.headers.get("apikey") or request.query_params.get("apikey")
                    if not key:
                        raise AuthError(401, "no_api_key", "No API key found in request")
                    try:
                        keys.verify(key, secret)
                    except keys.TokenError:
                        raise AuthError(401, "invalid_api_key", "Invalid API key") from None
                if database:
                    await service.ready()
                return await fn(request)
            except AuthError as exc:
                return exc.response()
            except Exception as exc:  # noqa: BLE001 - every failure answers in GoTrue's shape, never a bare 500
                return failure(request, exc).response()

        return handle

    async def signup(request: Request) -> Response:
        body = await read_json(request)
        email = email_field(body)
        password = await password_field(body, config, email)
        data = data_field(body) or {}
        redirect = request.query_params.get("redirect_to")
        result = await service.signup(
            email,
            password,
            data,
            client_ip(request, config),
            request.headers.get("user-agent"),
            verify_url(request, config),
            redirect,
        )
        return answer(*result)

    async def token(request: Request) -> Response:
        grant = request.query_params.get("grant_type")
        body = await read_json(request)
        if grant == "password":
            email = email_field(body)
            password = body.get("password")
            if not isinstance(password, str) or not password:
                raise validation("A password is required")
            result = await service.sign_in(
                email, password, client_ip(request, config), request.headers.get("user-agent")
            )
        elif grant == "refresh_token":
            refresh = body.get("refresh_token")
            if not isinstance(refresh, str) or not refresh or len(refresh) > 512:
                raise AuthError(400, "validation_failed", "refresh_token required")
            result = await service.refresh(refresh)
        else:
            raise AuthError(400, "unsupported_grant_type", "unsupported_grant_type")
        return JSONResponse(result)

    async def get_user(request: Request) -> Response:
        user, _ = await service.current(claims_of(request))
        return JSONResponse(users.to_json(user))

    async def put_user(request: Request) -> Response:
        claims = claims_of(request)
        body = await read_json(request)
        email = email_field(body, required=False)
        password = await password_field(body, config, email, required=False)
        data = data_field(body)
        redirect = request.query_params.get("redirect_to")
        result = await service.update_user(claims, email, password, data, verify_url(request, config), redirect)
        return answer(*result)

    async def logout(request: Request) -> Response:
        scope = request.query_params.get("scope", "global")
        if scope not in SCOPES:
            raise validation("scope must be one of global, local, others")
        await service.logout(claims_of(request), scope)
        return Response(status_code=204)

    async def list_sessions(request: Request) -> Response:
        return JSONResponse(await service.list_sessions(claims_of(request)))

    async def revoke_session(request: Request) -> Response:
        await service.revoke_session(claims_of(request), request.path_params["session_id"])
        return Response(status_code=204)

    async def recover(request: Request) -> Response:
        body = await read_json(request)
        email = email_field(body)
        job = await service.recover(
            email, client_ip(request, config), verify_url(request, config), request.query_params.get("redirect_to")
        )
        return answer({}, job)

    async def verify_post(request: Request) -> Response:
        body = await read_json(request)
        otp_type = body.get("type")
        if otp_type not in OTP_KINDS:
            raise validation("Verify requires a valid type: " + ", ".join(OTP_KINDS))
        email = None
        if body.get("token_hash") is not None:
            token_hash = text_param(body.get("token_hash"), "token_hash", 256)
        else:
            email = email_field(body)
            token_hash = tokens.otp_hash(email, text_param(body.get("token"), "token", 256))
        result = await service.verify(
            otp_type, token_hash, client_ip(request, config), request.headers.get("user-agent"), email
        )
        return JSONResponse(result)

    async def verify_get(request: Request) -> Response:
        params = request.query_params
        target = redirect_target(config, params.get("redirect_to"))
        otp_type = params.get("type") or ""
        try:
            if otp_type not in OTP_KINDS:
                raise validation("Verify requires a valid type")
            token_hash = text_param(params.get("token"), "token", 256)
            session = await service.verify(
                otp_type, token_hash, client_ip(request, config), request.headers.get("user-agent")
            )
        except AuthError as exc:
            fragment = {"error": "access_denied", "error_code": exc.error_code, "error_description": exc.msg}
            return RedirectResponse(f"{target}#{urlencode(fragment)}", status_code=303)
        fragment = {
            "access_token": session["access_token"],
            "expires_at": session["expires_at"],
            "expires_in": session["expires_in"],
            "refresh_token": session["refresh_token"],
            "token_type": "bearer",
            "type": otp_type,
        }
        return RedirectResponse(f"{target}#{urlencode(fragment)}", status_code=303)

    async def settings(request: Request) -> Response:
        return JSONResponse(
            {
                "external": {"email": True, "phone": False, "anonymous_users": False},
                "disable_signup": config.disable_signup,
                "mailer_autoconfirm": not config.confirm_email,
                "phone_autoconfirm": False,
                "sms_provider": "",
                "saml_enabled": False,
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse(
            {"version": "docbase", "name": "GoTrue", "description": "docbase's Supabase-compatible auth"}
        )

    return [
        Route("/signup", endpoint(signup), methods=["POST"]),
        Route("/token", endpoint(token), methods=["POST"]),
        Route("/user", endpoint(get_user), methods=["GET"]),
        Route("/user", endpoint(put_user), methods=["PUT"]),
        Route("/logout", endpoint(logout), methods=["POST"]),
        Route("/sessions", endpoint(list_sessions), methods=["GET"]),
        Route("/sessions/{session_id}", endpoint(revoke_session), methods=["DELETE"]),
        Route("/recover", endpoint(recover), methods=["POST"]),
        Route("/verify", endpoint(verify_post), methods=["POST"]),
        Route("/verify", endpoint(verify_get, apikey=False), methods=["GET"], name="auth_verify"),
        Route("/settings", endpoint(settings, database=False), methods=["GET"]),
        Route("/health", endpoint(health, apikey=False, database=False), methods=["GET"]),
    ]
