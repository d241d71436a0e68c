"""``/auth/v1/admin/*`` and ``/auth/v1/invite``: the admin API over HTTP, for the service_role key only.

As GoTrue: no Bearer token is 401 ``no_authorization``; a token that does
not verify is 403 ``bad_jwt``; a valid token of any other role (anon, a
signed-in user) is 403 ``not_admin`` "User not allowed". The list answers
``{"users": [...], "aud": "authenticated"}`` with GoTrue's ``x-total-count``
and ``link`` headers (``page`` first in each link, which supabase-js reads).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import admin, keys
from .admin import bad_request
from .bearer import bearer_token
from .errors import AuthError, bad_jwt
from .service import AuthService
from .web import answer, data_field, email_field, endpoint, password_field, read_json, verify_url

ADMIN_ROLES = ("service_role",)


def require_admin(request: Request, auth: AuthService) -> dict[str, Any]:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise AuthError(401, "no_authorization", "This endpoint requires a Bearer token")
    try:
        claims = keys.verify(token, auth.secret, auth.clock())
    except keys.TokenError as exc:
        raise bad_jwt(f"invalid JWT: {exc.message}") from None
    if claims.get("role") not in ADMIN_ROLES:
        raise AuthError(403, "not_admin", "User not allowed")
    return claims


def _object(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"{name} must be a JSON object")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be true or false")
    return value


async def _attributes(request: Request, auth: AuthService, body: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The admin user attributes docbase supports, checked; phones and unknown roles are refused, not dropped."""
    if body.get("phone"):
        raise bad_request("docbase users have no phone numbers: create the user with an email")
    if body.get("role") not in (None, "", "authenticated"):
        raise bad_request("docbase users have the role authenticated; put other roles in app_metadata")
    email = email_field(body, required=False)
    if creating and email is None:
        raise AuthError(400, "validation_failed", "Cannot create a user without either an email or phone")
    password = body.get("password")
    if password is not None:
        password = await password_field(body, auth.config, email)
    ban = body.get("ban_duration")
    if ban is not None and not isinstance(ban, str):
        raise bad_request("ban_duration must be a duration such as 24h, or none")
    return {
        "email": email,
        "password": password,
        "email_confirm": _flag(body, "email_confirm"),
        "user_metadata": _object(body, "user_metadata"),
        "app_metadata": _object(body, "app_metadata"),
        "ban": None if not ban else admin.parse_duration("0" if ban == "none" else ban),
    }


def _page_number(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise AuthError(400, "validation_failed", f"Bad Pagination Parameters: {name} must be a positive integer")
    return int(raw)


def _links(request: Request, page: int, per_page: int, total: int) -> str:
    """GoTrue's Link header: ``next`` while pages remain, and ``last``; query keys sorted, so ``page`` is first."""
    pages = -(-total // per_page)
    path = request.url.path
    query = dict(request.query_params)

    def url(n: int) -> str:
        return f"<{path}?{urlencode(sorted({**query, 'page': str(n), 'per_page': str(per_page)}.items()))}>"

    header = f'{url(page + 1)}; rel="next", ' if pages > page else ""
    return header + f'{url(pages)}; rel="last"'


@endpoint()
async def list_users(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    page = max(1, _page_number(request, "page", 1))
    per_page = _page_number(request, "per_page", 50) or 50
    if per_page > admin.MAX_PER_PAGE:
        raise AuthError(
            400, "validation_failed", f"Bad Pagination Parameters: per_page is at most {admin.MAX_PER_PAGE}"
        )
    found, total = await admin.list_users(auth, page, per_page)
    headers = {"x-total-count": str(total), "link": _links(request, page, per_page, total)}
    return JSONResponse({"users": found, "aud": "authenticated"}, headers=headers)


@endpoint()
async def create_user(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    body = await read_json(request)
    return JSONResponse(await admin.create_user(auth, await _attributes(request, auth, body, creating=True)))


@endpoint()
async def get_user(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    return JSONResponse(await admin.get_user(auth, request.path_params["user_id"]))


@endpoint()
async def update_user(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    body = await read_json(request)
    attrs = await _attributes(request, auth, body, creating=False)
    return JSONResponse(await admin.update_user(auth, request.path_params["user_id"], attrs))


@endpoint()
async def delete_user(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    body = await read_json(request)
    await admin.delete_user(auth, request.path_params["user_id"], _flag(body, "should_soft_delete"))
    return JSONResponse({})


@endpoint()
async def generate_link(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    body = await read_json(request)
    kind = body.get("type")
    if kind not in admin.LINK_TYPES:
        raise bad_request("Invalid type: use one of " + ", ".join(admin.LINK_TYPES))
    email = email_field(body)
    assert email is not None
    attrs: dict[str, Any] = {"data": data_field(body)}
    if kind == "signup" and body.get("password") is not None:
        attrs["password"] = await password_field(body, auth.config, email)
    if kind.startswith("email_change"):
        attrs["new_email"] = email_field({"email": body.get("new_email")}, required=False)
    redirect = request.query_params.get("redirect_to") or body.get("redirect_to")
    result = await admin.generate_link(
        auth, kind, email, attrs, verify_url(request, auth.config), redirect if isinstance(redirect, str) else None
    )
    return JSONResponse(result)


@endpoint()
async def invite(request: Request, auth: AuthService) -> Response:
    require_admin(request, auth)
    body = await read_json(request)
    email = email_field(body)
    assert email is not None
    result = await admin.invite(
        auth, email, data_field(body) or {}, verify_url(request, auth.config), request.query_params.get("redirect_to")
    )
    return answer(*result)


ROUTES: list[BaseRoute] = [
    Route("/admin/users", list_users, methods=["GET"]),
    Route("/admin/users", create_user, methods=["POST"]),
    Route("/admin/users/{user_id}", get_user, methods=["GET"]),
    Route("/admin/users/{user_id}", update_user, methods=["PUT"]),
    Route("/admin/users/{user_id}", delete_user, methods=["DELETE"]),
    Route("/admin/generate_link", generate_link, methods=["POST"]),
    Route("/invite", invite, methods=["POST"]),
]
