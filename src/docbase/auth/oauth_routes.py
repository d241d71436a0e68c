"""``/authorize``, ``/callback`` and ``/user/identities``: the HTTP side of :mod:`.oauth` and :mod:`.identities`.

``/authorize`` and ``/callback`` are browser navigations, so they need no
apikey (as behind Supabase's gateway). Failures after the state is known go
back to the app's redirect as ``error``/``error_code``/``error_description``
(query for PKCE flows, fragment otherwise), as supabase-js reads them; a
callback whose state is unknown has no trusted place to go and answers JSON.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import identities, oauth, pkce
from .errors import AuthError
from .service import AuthService
from .web import claims_of, endpoint, verify_url


def callback_url(request: Request, svc: AuthService) -> str:
    """This mount's /callback, the redirect URI registered with each provider (host from auth_external_url)."""
    return verify_url(request, svc.config).rsplit("/verify", 1)[0] + "/callback"


def _back(target: str, values: dict[str, Any], query: bool) -> RedirectResponse:
    if query:
        return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{urlencode(values)}", status_code=302)
    return RedirectResponse(f"{target}#{urlencode(values)}", status_code=302)


@endpoint(apikey=False)
async def authorize(request: Request, auth: AuthService) -> Response:
    params = request.query_params
    provider = oauth.provider_of(auth, params.get("provider"))
    challenge = pkce.challenge_of(dict(params))
    url = await oauth.authorize_url(
        auth, provider, callback_url(request, auth), params.get("redirect_to"), challenge, params.get("scopes")
    )
    return RedirectResponse(url, status_code=302)


@endpoint(apikey=False)
async def callback(request: Request, auth: AuthService) -> Response:
    params = request.query_params
    flow = await oauth.take_state(auth, params.get("state"))
    target = flow["redirect_to"] or auth.redirect(None)
    query = flow["code_challenge_method"] != "none"
    try:
        if params.get("error"):
            raise AuthError(400, "oauth_provider_error", str(params.get("error_description") or params["error"])[:300])
        code = params.get("code")
        if not code or len(code) > 2048:
            raise AuthError(400, "bad_oauth_callback", "OAuth callback with missing authorization code")
        provider = oauth.provider_of(auth, flow["provider_type"])
        who = await oauth.person(provider, code, callback_url(request, auth), flow["nonce"])
        result = await oauth.sign_in(auth, provider, flow, who)
    except AuthError as exc:
        return _back(target, {"error": "server_error" if exc.status >= 500 else "access_denied",
                              "error_code": exc.error_code, "error_description": exc.msg}, query)  # fmt: skip
    if "code" in result:
        return _back(target, {"code": result["code"]}, True)
    fragment = {k: result[k] for k in ("access_token", "expires_at", "expires_in", "refresh_token", "token_type")}
    fragment |= {k: result[k] for k in ("provider_token", "provider_refresh_token") if result.get(k)}
    return _back(target, fragment, False)


@endpoint()
async def link_identity(request: Request, auth: AuthService) -> Response:
    """``linkIdentity``: the provider URL that, signed in there, adds that identity to the caller."""
    user, _ = await auth.current(claims_of(request, auth))
    params = request.query_params
    provider = oauth.provider_of(auth, params.get("provider"))
    url = await oauth.authorize_url(
        auth,
        provider,
        callback_url(request, auth),
        params.get("redirect_to"),
        pkce.challenge_of(dict(params)),
        params.get("scopes"),
        link_user=user["id"],
    )
    if params.get("skip_http_redirect") == "true":
        return JSONResponse({"url": url})
    return RedirectResponse(url, status_code=302)


@endpoint()
async def unlink_identity(request: Request, auth: AuthService) -> Response:
    user, _ = await auth.current(claims_of(request, auth))
    await identities.unlink(auth, user, request.path_params["identity_id"])
    return JSONResponse({})


ROUTES: list[BaseRoute] = [
    Route("/authorize", authorize, methods=["GET"]),
    Route("/callback", callback, methods=["GET"]),
    Route("/user/identities/authorize", link_identity, methods=["GET"]),
    Route("/user/identities/{identity_id}", unlink_identity, methods=["DELETE"]),
]
