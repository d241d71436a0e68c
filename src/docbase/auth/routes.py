"""``/auth/v1``: Supabase Auth's endpoints for users, as module-level Starlette endpoints.

This module only parses requests and shapes responses; :mod:`.service`
does the work, and :mod:`.web` has what every endpoint shares (input
checks, the apikey, GoTrue's error shape). The service lives on the auth
app's ``app.state.auth`` (:func:`auth_app`).

Like Supabase behind its gateway, every endpoint wants the ``apikey``
header (or query parameter) carrying a key signed with the project's
secret, except ``GET /verify`` (followed from an email) and ``GET /health``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from ..schema.model import Schema
from . import (
    admin_routes,
    identities,
    jwks,
    keys,
    levels,
    mfa_routes,
    oauth_routes,
    passwordless,
    pkce,
    reauth,
    tokens,
    users,
)
from .config import AuthConfig
from .errors import AuthError, validation
from .providers import GOTRUE_PROVIDERS
from .service import AMR_METHODS, OTP_KINDS, AuthService
from .web import (
    MAX_BODY,
    answer,
    claims_of,
    client_ip,
    data_field,
    email_field,
    endpoint,
    password_field,
    read_json,
    redirect_target,
    text_param,
    verify_url,
)

log = logging.getLogger("docbase.auth")

SCOPES = ("global", "local", "others")

__all__ = ["MAX_BODY", "ROUTES", "auth_app", "auth_routes"]


@endpoint()
async def signup(request: Request, auth: AuthService) -> Response:
    """Sign up with email and password; with neither (``signInAnonymously``), an anonymous user when enabled."""
    body = await read_json(request)
    if body.get("email") in (None, "") and body.get("password") in (None, "") and not body.get("phone"):
        session = await passwordless.sign_in_anonymously(
            auth, data_field(body) or {}, client_ip(request, auth.config), request.headers.get("user-agent")
        )
        return JSONResponse(session)
    email = email_field(body)
    password = await password_field(body, auth.config, email)
    data = data_field(body) or {}
    redirect = request.query_params.get("redirect_to")
    result = await auth.signup(
        email,
        password,
        data,
        client_ip(request, auth.config),
        request.headers.get("user-agent"),
        verify_url(request, auth.config),
        redirect,
        pkce.challenge_of(body),
    )
    return answer(*result)


@endpoint()
async def token(request: Request, auth: AuthService) -> Response:
    grant = request.query_params.get("grant_type")
    body = await read_json(request)
    if grant == "password":
        email = email_field(body)
        password = body.get("password")
        if not isinstance(password, str) or not password:
            raise validation("A password is required")
        result = await auth.sign_in(email, password, client_ip(request, auth.config), request.headers.get("user-agent"))
    elif grant == "refresh_token":
        refresh = body.get("refresh_token")
        if not isinstance(refresh, str) or not refresh or len(refresh) > 512:
            raise AuthError(400, "validation_failed", "refresh_token required")
        result = await auth.refresh(refresh)
    elif grant == "pkce":
        result = await pkce.exchange(
            auth,
            body.get("auth_code"),
            body.get("code_verifier"),
            client_ip(request, auth.config),
            request.headers.get("user-agent"),
        )
    else:
        raise AuthError(400, "unsupported_grant_type", "unsupported_grant_type")
    return JSONResponse(result)


@endpoint()
async def get_user(request: Request, auth: AuthService) -> Response:
    user, _ = await auth.current(claims_of(request, auth))
    async with auth.engine.connect() as conn:
        factors = await levels.factors(conn, auth.t, user["id"])
        linked = await identities.of_user(conn, auth, user["id"])
    body = users.to_json(user)
    if linked and "email" not in (body["app_metadata"].get("providers") or []):
        body["identities"] = []  # signed up through a provider: no email identity (GoTrue lists none)
    body["identities"] = body["identities"] + linked
    return JSONResponse(body | ({"factors": factors} if factors else {}))


@endpoint()
async def put_user(request: Request, auth: AuthService) -> Response:
    claims = claims_of(request, auth)
    body = await read_json(request)
    email = email_field(body, required=False)
    password = await password_field(body, auth.config, email, required=False)
    data = data_field(body)
    redirect = request.query_params.get("redirect_to")
    nonce = body.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise validation("nonce must be a string")
    result = await auth.update_user(
        claims, email, password, data, verify_url(request, auth.config), redirect, nonce=nonce
    )
    return answer(*result)


@endpoint()
async def reauthenticate(request: Request, auth: AuthService) -> Response:
    """Mail the signed-in user a nonce that a password change then carries (``supabase.auth.reauthenticate()``)."""
    job = await reauth.reauthenticate(auth, claims_of(request, auth))
    return answer({}, job)


@endpoint()
async def logout(request: Request, auth: AuthService) -> Response:
    scope = request.query_params.get("scope", "global")
    if scope not in SCOPES:
        raise validation("scope must be one of global, local, others")
    await auth.logout(claims_of(request, auth), scope)
    return Response(status_code=204)


@endpoint()
async def list_sessions(request: Request, auth: AuthService) -> Response:
    return JSONResponse(await auth.list_sessions(claims_of(request, auth)))


@endpoint()
async def revoke_session(request: Request, auth: AuthService) -> Response:
    await auth.revoke_session(claims_of(request, auth), request.path_params["session_id"])
    return Response(status_code=204)


@endpoint()
async def recover(request: Request, auth: AuthService) -> Response:
    body = await read_json(request)
    email = email_field(body)
    job = await auth.recover(
        email,
        client_ip(request, auth.config),
        verify_url(request, auth.config),
        request.query_params.get("redirect_to"),
        pkce.challenge_of(body),
    )
    return answer({}, job)


@endpoint()
async def verify_post(request: Request, auth: AuthService) -> Response:
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
    result = await auth.verify(
        otp_type, token_hash, client_ip(request, auth.config), request.headers.get("user-agent"), email
    )
    return JSONResponse(result)


@endpoint(apikey=False)
async def verify_get(request: Request, auth: AuthService) -> Response:
    params = request.query_params
    target = redirect_target(auth.config, params.get("redirect_to"))
    otp_type = params.get("type") or ""
    flow = str(params.get("token") or "").startswith(pkce.PREFIX)
    # PKCE answers in the query (the code is worth nothing without the client's verifier), implicit in the fragment
    joint = ("&" if "?" in target else "?") if flow else "#"
    try:
        if otp_type not in OTP_KINDS:
            raise validation("Verify requires a valid type")
        token_hash = text_param(params.get("token"), "token", 256)
        kind, method = OTP_KINDS[otp_type], AMR_METHODS[otp_type]

        async def auth_code(conn: Any, user: dict[str, Any]) -> str:
            return await pkce.issue_code(conn, auth.t, user["id"], kind, method, auth.now())

        session = await auth.verify(
            otp_type,
            token_hash,
            client_ip(request, auth.config),
            request.headers.get("user-agent"),
            finish=auth_code if flow else None,
        )
    except AuthError as exc:
        fragment = {"error": "access_denied", "error_code": exc.error_code, "error_description": exc.msg}
        return RedirectResponse(f"{target}{joint}{urlencode(fragment)}", status_code=303)
    if flow:
        return RedirectResponse(f"{target}{joint}{urlencode({'code': session})}", status_code=303)
    if "access_token" not in session:  # the first of a secure email change's two confirmations
        return RedirectResponse(f"{target}#{urlencode({'message': session['msg']})}", status_code=303)
    fragment = {
        "access_token": session["access_token"],
        "expires_at": session["expires_at"],
        "expires_in": session["expires_in"],
        "refresh_token": session["refresh_token"],
        "token_type": "bearer",
        "type": otp_type,
    }
    return RedirectResponse(f"{target}#{urlencode(fragment)}", status_code=303)


@endpoint(database=False)
async def settings(request: Request, auth: AuthService) -> Response:
    return JSONResponse(
        {
            "external": dict.fromkeys(GOTRUE_PROVIDERS, False)
            | {"email": True, "anonymous_users": auth.config.anonymous_sign_ins}
            | {p.name: True for p in auth.config.oauth},
            "disable_signup": auth.config.disable_signup,
            "mailer_autoconfirm": not auth.config.confirm_email,
            "phone_autoconfirm": False,
            "sms_provider": "",
            "saml_enabled": False,
        }
    )


@endpoint(apikey=False, database=False)
async def health(request: Request, auth: AuthService) -> Response:
    return JSONResponse({"version": "docbase", "name": "GoTrue", "description": "docbase's Supabase-compatible auth"})


@endpoint(apikey=False, database=False)
async def jwks_json(request: Request, auth: AuthService) -> Response:
    """The public keys user access tokens are signed with (none under HS256), public as Supabase serves it."""
    trust = keys.TRUSTS.get(auth.secret)
    body = trust.jwks() if trust is not None else {"keys": []}
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=600"})


@endpoint()
async def otp(request: Request, auth: AuthService) -> Response:
    """Email a one-time code and magic link (``signInWithOtp``); ``create_user`` (default true) signs up a
    new address. Answers ``{}`` whether or not the address had an account."""
    body = await read_json(request)
    if body.get("phone"):
        raise AuthError(400, "phone_provider_disabled", "Unsupported phone provider")
    email = email_field(body)
    assert email is not None
    create_user = body.get("create_user", True)
    if not isinstance(create_user, bool):
        raise validation("create_user must be true or false")
    return await _send_code(request, auth, email, create_user, data_field(body) or {}, pkce.challenge_of(body))


@endpoint()
async def magiclink(request: Request, auth: AuthService) -> Response:
    """GoTrue's older /magiclink: /otp for an email, always allowed to create the user."""
    body = await read_json(request)
    email = email_field(body)
    assert email is not None
    return await _send_code(request, auth, email, True, data_field(body) or {}, pkce.challenge_of(body))


async def _send_code(
    request: Request, auth: AuthService, email: str, create_user: bool, data: dict, challenge: pkce.Challenge | None
) -> Response:
    redirect = request.query_params.get("redirect_to")
    job = await passwordless.send_code(
        auth,
        email,
        create_user,
        data,
        client_ip(request, auth.config),
        verify_url(request, auth.config),
        redirect,
        challenge,
    )
    return answer({}, job)


ROUTES: list[BaseRoute] = [
    Route("/signup", signup, methods=["POST"]),
    Route("/token", token, methods=["POST"]),
    Route("/user", get_user, methods=["GET"]),
    Route("/user", put_user, methods=["PUT"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/sessions", list_sessions, methods=["GET"]),
    Route("/sessions/{session_id}", revoke_session, methods=["DELETE"]),
    Route("/recover", recover, methods=["POST"]),
    Route("/reauthenticate", reauthenticate, methods=["GET"]),
    Route("/otp", otp, methods=["POST"]),
    Route("/magiclink", magiclink, methods=["POST"]),
    Route("/verify", verify_post, methods=["POST"]),
    Route("/verify", verify_get, methods=["GET"], name="auth_verify"),
    Route("/settings", settings, methods=["GET"]),
    Route("/health", health, methods=["GET"]),
    Route("/.well-known/jwks.json", jwks_json, methods=["GET"]),
    *admin_routes.ROUTES,
    *mfa_routes.ROUTES,
    *oauth_routes.ROUTES,
]


def auth_app(
    schema: Schema,
    engine: Any,
    config: AuthConfig | None = None,
    secret: str | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The /auth/v1 app for a document's backend, its :class:`AuthService` on ``app.state.auth``.

    Args:
        schema: the document's model (its users/profile table is kept in step).
        engine: a :class:`docbase.db.core.Engine`, or a database URL.
        config: auth settings; default read from the settings registry.
        secret: the JWT secret; default :func:`keys.jwt_secret` for the document.
        clock: seconds since the epoch, for rate limits, expiry and sign-in backoff (tests pass their own).
    """
    config = config or AuthConfig.load(None if schema.path.startswith("<") else schema.path)
    secret = secret or keys.jwt_secret(None if schema.path.startswith("<") else schema.path)
    jwks.install(secret, None if schema.path.startswith("<") else schema.path)
    if not config.external_url:
        log.warning("auth_external_url is not set: emailed links take their host from the request; set it")
    app = Starlette(routes=ROUTES)
    app.state.auth = AuthService(schema, engine, config, secret, clock)
    return app


def auth_routes(
    schema: Schema,
    engine: Any,
    config: AuthConfig | None = None,
    secret: str | None = None,
    clock: Callable[[], float] = time.time,
) -> list[BaseRoute]:
    """The /auth/v1 routes to mount with ``Mount("/auth/v1", routes=...)``: :func:`auth_app` under one mount."""
    return [Mount("", app=auth_app(schema, engine, config, secret, clock))]
