"""``/storage/v1``: Supabase Storage's HTTP API as a list of Starlette routes.

The route table mirrors the paths storage-js and storage3 call; each handler is
wrapped so that a refusal is Storage's JSON (``{"statusCode", "error", "message"}``)
and anything unexpected is a shaped 500 logged here, never a traceback to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import settings
from ..access import build_access, load_overrides
from ..auth.db import engine_for
from ..auth.third_party_users import ThirdPartyUsers
from ..conventions.files import file_columns, files_bucket
from ..db.core import Engine
from ..schema.model import Schema
from . import names, tokens
from .buckets import BucketRoutes
from .errors import WIRE_MODES, StorageError
from .objects import ObjectRoutes
from .rules import Caller, parse_rules
from .service import Storage
from .store import open_store
from .tenancy import Tenancy
from .transfer import readable, serve, upload
from .tus import TusRoutes

log = logging.getLogger("docbase.storage")
Handler = Callable[[Request], Awaitable[Response]]


def _guard(handler: Handler, mode: str) -> Handler:
    """Refusals as Storage's JSON, with the wire status ``mode`` (``storage_error_status``) chooses."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except StorageError as exc:
            if request.method in ("POST", "PUT", "PATCH") and not exc.close:
                exc.close = await _drain(request)
            return exc.response(mode)
        except Exception:
            log.exception("storage: unexpected error on %s %s", request.method, request.url.path)
            return StorageError(500, "InternalError", "Internal server error").response(mode)

    return run


DRAIN_MAX = 1 << 20


async def _drain(request: Request) -> bool:
    """Read the rest of a refused request's body (1 MB at most), so the client, still sending, gets the answer
    rather than a reset connection; True when more was left (the connection is then closed)."""
    read = 0
    try:
        async for chunk in request.stream():
            read += len(chunk)
            if read > DRAIN_MAX:
                return True
    except (RuntimeError, ClientDisconnect):  # already read, or the client left
        pass
    return False


def store_root(doc: str | None, toml: dict) -> Path:
    """``storage_dir``, else ``<state dir>/storage`` (the project's data folder)."""
    configured = settings.get(settings.STORAGE_DIR, toml=toml)
    return Path(configured) if configured else settings.state_dir() / "storage"


def build_storage(schema: Schema, url: str | Engine, secret: str, users: Any = None) -> Storage:
    """``users``: docbase.auth.third_party_users shared with /rest/v1 (default: made from the settings)."""
    doc = schema.path if not schema.path.startswith("<") else None
    toml = settings.load_toml(doc)
    engine = engine_for(url)
    users = users or ThirdPartyUsers.from_settings(schema, engine, toml)
    model = build_access(schema, load_overrides(doc))
    return Storage(
        engine,
        open_store(store_root(doc, toml), toml),
        secret,
        parse_rules(toml),
        Tenancy(schema, model, engine.dialect.name),
        int(settings.get(settings.STORAGE_MAX_FILE_BYTES, toml=toml)),
        files_bucket(toml) if file_columns(schema, toml) else None,
        error_mode(toml),
        users,
    )


def error_mode(toml: dict) -> str:
    """``storage_error_status``, checked: a value docbase does not know stops ``serve`` in one line."""
    mode = str(settings.get(settings.STORAGE_ERROR_STATUS, toml=toml)).strip().lower()
    if mode not in WIRE_MODES:
        raise settings.ConfigError(f"storage_error_status: error: {mode!r} should be one of {', '.join(WIRE_MODES)}")
    return mode


def storage_routes(schema: Schema, url: str | Engine, secret: str, users: Any = None) -> list[Route]:
    """The routes to mount at ``/storage/v1``."""
    s = build_storage(schema, url, secret, users)
    b = BucketRoutes(s)
    o = ObjectRoutes(s)
    t = TusRoutes(s)

    def key_of(request: Request) -> tuple[str, str]:
        return names.bucket_id(request.path_params["bucket"]), names.object_key(request.path_params["path"])

    async def download(request: Request) -> Response:
        bucket_id, key = key_of(request)
        return serve(s, request, await readable(s, await s.caller(request), bucket_id, key))

    async def public(request: Request) -> Response:
        bucket_id, key = key_of(request)
        return serve(s, request, await readable(s, Caller("anon"), bucket_id, key))

    async def signed(request: Request) -> Response:
        bucket_id, key = key_of(request)
        tokens.verify(s.secret, tokens.DOWNLOAD, request.query_params.get("token"), f"{bucket_id}/{key}")
        return serve(s, request, await readable(s, Caller("service_role"), bucket_id, key))

    async def create(request: Request) -> Response:
        bucket_id, key = key_of(request)
        caller = await s.caller(request)
        upsert = request.method == "PUT" or request.headers.get("x-upsert", "").lower() == "true"
        return JSONResponse(await upload(s, request, caller, bucket_id, key, upsert))

    async def info_public(request: Request) -> Response:
        return await o.info(request, public=True)

    P = "/{bucket:str}/{path:path}"
    table: list[tuple[str, Handler, list[str]]] = [
        ("/bucket", b.list, ["GET"]),
        ("/bucket", b.create, ["POST"]),
        ("/bucket/", b.list, ["GET"]),
        ("/bucket/{id:str}/empty", b.empty, ["POST"]),
        ("/bucket/{id:str}", b.get, ["GET"]),
        ("/bucket/{id:str}", b.update, ["PUT"]),
        ("/bucket/{id:str}", b.delete, ["DELETE"]),
        ("/upload/resumable", t.options, ["OPTIONS"]),
        ("/upload/resumable", t.create, ["POST"]),
        ("/upload/resumable/", t.create, ["POST"]),
        ("/upload/resumable/{id:str}", t.options, ["OPTIONS"]),
        ("/upload/resumable/{id:str}", t.head, ["HEAD"]),
        ("/upload/resumable/{id:str}", t.patch, ["PATCH"]),
        ("/upload/resumable/{id:str}", t.delete, ["DELETE"]),
        ("/object/list/{bucket:str}", o.list, ["POST"]),
        ("/object/move", o.move, ["POST"]),
        ("/object/copy", o.copy, ["POST"]),
        ("/object/sign/{bucket:str}", o.sign_many, ["POST"]),
        ("/object/sign" + P, o.sign, ["POST"]),
        ("/object/sign" + P, signed, ["GET", "HEAD"]),
        ("/object/upload/sign" + P, o.sign_upload, ["POST"]),
        ("/object/upload/sign" + P, o.upload_signed, ["PUT"]),
        ("/object/info/public" + P, info_public, ["GET"]),
        ("/object/info/authenticated" + P, o.info, ["GET"]),
        ("/object/info" + P, o.info, ["GET"]),
        ("/object/public" + P, public, ["GET", "HEAD"]),
        ("/object/authenticated" + P, download, ["GET", "HEAD"]),
        ("/object/{bucket:str}", o.remove_many, ["DELETE"]),
        ("/object" + P, download, ["GET", "HEAD"]),
        ("/object" + P, create, ["POST", "PUT"]),
        ("/object" + P, o.remove_one, ["DELETE"]),
    ]
    # tus-js-client and Uppy act on the HTTP status itself, and Storage's TUS server sends the real one
    return [
        Route(path, _guard(handler, "http" if path.startswith("/upload/resumable") else s.error_mode), methods=methods)
        for path, handler, methods in table
    ]


__all__ = ["build_storage", "storage_routes"]
