"""The console's routes: the page at ``/``, its static files, and the schema JSON it draws from.

Static files are served from a fixed list read from the package at start-up
(no path from the URL ever reaches the file system) with content types
stated here rather than guessed from the host's ``mimetypes`` table, which
differs between machines. The page is sent with a Content-Security-Policy
that allows only this origin, so nothing can be fetched from the internet
at run time even by mistake.

The schema JSON is scoped to the caller (ui.scope): without sign-in it lists
only what anon may use, so hidden columns and private tables stay private.

The design document itself (``/console/api/document``, for the line links)
is served only to a signed-in user or the service_role key, as the rest of
a backend's data is: it may describe what the API hides. The
``console_public_document`` setting opens it to everyone.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import settings
from ..access import AccessOverrides, build_access
from ..auth import keys
from ..auth.bearer import bearer_token
from ..schema.model import Schema
from .data import console_data
from .scope import scoped, visible

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC_PREFIX = "/console/static"
SCHEMA_PATH = "/console/api/schema"
DOCUMENT_PATH = "/console/api/document"


def static_files() -> dict[str, tuple[bytes, str]]:
    """Every file under ``ui/static`` as ``relative path -> (bytes, content type)``."""
    found: dict[str, tuple[bytes, str]] = {}

    def walk(node, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
                continue
            suffix = "." + child.name.rsplit(".", 1)[-1] if "." in child.name else ""
            if suffix in CONTENT_TYPES:
                found[name] = (child.read_bytes(), CONTENT_TYPES[suffix])

    walk(resources.files("docbase.ui").joinpath("static"), "")
    return found


def console_routes(
    schema: Schema,
    *,
    anon_key: str | None = None,
    overrides: AccessOverrides | None = None,
    secret: str | None = None,
    public_document: bool | None = None,
) -> list[BaseRoute]:
    """Routes serving the web console for ``schema``; add them to ``create_app(..., routes=...)``.

    Args:
        schema: the model the console explores and edits.
        anon_key: the public anon key the sign-in form sends to /auth/v1 (never the service key).
        overrides: access overrides from ``docbase.toml``, so scopes match ``docbase access``.
        secret: the JWT secret that signs the keys and sessions allowed to read the document
            (without it, only a public document is served).
        public_document: serve the document without sign-in (default: the ``console_public_document`` setting).

    Returns:
        ``GET /`` (the page), ``GET /console/static/<file>`` and ``GET /console/api/schema``.
    """
    files = static_files()
    doc = None if schema.path.startswith("<") else schema.path
    toml = settings.load_toml(doc)
    if public_document is None:
        public_document = bool(settings.get(settings.CONSOLE_PUBLIC_DOCUMENT, toml=toml))
    data = console_data(schema, overrides, anon_key, toml)
    model = build_access(schema, overrides)
    schema_bytes = {
        "service_role": orjson.dumps(data),
        **{role: orjson.dumps(scoped(data, visible(schema, model, role))) for role in ("anon", "authenticated")},
    }

    async def page(request: Request) -> Response:
        body, media = files["index.html"]
        return Response(body, media_type=media, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["path"])
        if found is None:
            raise HTTPException(404, f"no console file {request.path_params['path']!r}")
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})

    async def schema_json(request: Request) -> Response:
        role = _role(request, secret)
        if isinstance(role, Response):
            return role
        body = schema_bytes.get(role or "anon", schema_bytes["anon"])
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})

    async def document(request: Request) -> Response:
        if not public_document:
            refused = _refusal(request, secret)
            if refused is not None:
                return refused
        text = _document_text(schema)
        if text is None:
            raise HTTPException(404, "the document this schema was read from is not available")
        return Response(text, media_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"})

    return [
        Route("/", page, methods=["GET", "HEAD"]),
        Route(STATIC_PREFIX + "/{path:path}", static, methods=["GET", "HEAD"]),
        Route(SCHEMA_PATH, schema_json, methods=["GET", "HEAD"]),
        Route(DOCUMENT_PATH, document, methods=["GET", "HEAD"]),
    ]


def _role(request: Request, secret: str | None) -> str | Response | None:
    """The caller's role from the bearer token or apikey (None without either); PostgREST's 401 for a bad one."""
    token = bearer_token(request.headers.get("authorization")) or request.headers.get("apikey", "").strip()
    if not token:
        return None
    try:
        return keys.verify(token, secret)["role"] if secret else "anon"
    except keys.TokenError as exc:
        return _unauthorized("PGRST301", exc.message)


def _refusal(request: Request, secret: str | None) -> Response | None:
    """None when the request carries a signed-in user's token or the service key; else PostgREST's 401."""
    role = _role(request, secret)
    if isinstance(role, Response):
        return role
    if role is None:
        return _unauthorized("PGRST302", "No API key found in request", "Sign in to see the design document.")
    if role in ("authenticated", "service_role"):
        return None
    return _unauthorized("42501", "permission denied for the design document", "Sign in to see it.")


def _unauthorized(code: str, message: str, hint: str | None = None) -> Response:
    body = {"code": code, "details": None, "hint": hint, "message": message}
    return Response(orjson.dumps(body), 401, media_type="application/json", headers={"WWW-Authenticate": "Bearer"})


def _document_text(schema: Schema) -> str | None:
    """The document as it is now on disk (read per request: the page shows what the author sees)."""
    if schema.path.startswith("<"):
        return None
    try:
        return Path(schema.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
