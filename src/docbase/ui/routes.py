"""The console's routes: the page at ``/``, its static files, and the schema JSON it draws from.

Static files are served from a fixed list read from the package at start-up
(no path from the URL ever reaches the file system) with content types
stated here rather than guessed from the host's ``mimetypes`` table, which
differs between machines. The page is sent with a Content-Security-Policy
that allows only this origin, so nothing can be fetched from the internet
at run time even by mistake.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..access import AccessOverrides
from ..schema.model import Schema
from .data import console_data

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
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
    schema: Schema, *, anon_key: str | None = None, overrides: AccessOverrides | None = None
) -> list[BaseRoute]:
    """Routes serving the web console for ``schema``; add them to ``create_app(..., routes=...)``.

    Args:
        schema: the model the console explores and edits.
        anon_key: the public anon key the sign-in form sends to /auth/v1 (never the service key).
        overrides: access overrides from ``docbase.toml``, so scopes match ``docbase access``.

    Returns:
        ``GET /`` (the page), ``GET /console/static/<file>`` and ``GET /console/api/schema``.
    """
    files = static_files()
    schema_bytes = orjson.dumps(console_data(schema, overrides, anon_key))

    async def page(request: Request) -> Response:
        body, media = files["index.html"]
        return Response(body, media_type=media, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})

    async def static(request: Request) -> Response:
        found = files.get(request.path_params["path"])
        if found is None:
            raise HTTPException(404, f"no console file {request.path_params['path']!r}")
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})

    async def schema_json(request: Request) -> Response:
        return Response(schema_bytes, media_type="application/json", headers={"Cache-Control": "no-cache"})

    async def document(request: Request) -> Response:
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


def _document_text(schema: Schema) -> str | None:
    """The document as it is now on disk (read per request: the page shows what the author sees)."""
    if schema.path.startswith("<"):
        return None
    try:
        return Path(schema.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
