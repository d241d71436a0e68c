"""The ASGI application: ``/rest/v1`` (PostgREST dialect), its OpenAPI description, ``/docs``.

``create_app`` builds everything that does not depend on a request once:
the catalog (model + SQLAlchemy tables + relationships), the driver, the
JWT secret. Other packages add their own endpoints (``/auth/v1`` from
docbase.auth) through ``routes=`` or later with ``app.router.routes.append``
- see ``mount``. Every error leaves as PostgREST's JSON shape; an unexpected
exception becomes a shaped 500 rather than a traceback. One middleware
(api.bodylimit) bounds every request body of every route, mounted or not.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from .. import dburl, settings
from ..access.decide import Denied
from ..access.row_rules import RowRules
from ..auth import jwks, keys
from ..auth.third_party_users import ThirdPartyUsers
from ..conventions import row_order
from ..conventions import rpc as conventions_rpc
from ..conventions.errors import ConventionError
from ..conventions.runtime import Conventions
from ..schema.model import Schema
from .bodylimit import BodyLimit
from .catalog import Catalog
from .db import Database, PostgresDatabase, SqliteDatabase, connect, unique_names
from .errors import ApiError
from .limits import RequestLimits
from .openapi import DOCS_HTML, openapi_document
from .replicas import PrincipalMiddleware, ReplicatedDatabase
from .request import role_of
from .requestlog import RequestLog, request_log_sink
from .rest import RestApi
from .view_access import ViewAccess

log = logging.getLogger("docbase.api")
STORAGE_PREFIX = "/storage/v1/"
REST_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def access_gate(schema: Schema, catalog: Catalog, doc: str | None) -> RowRules | ViewAccess:
    """Row-level access for the API; raises UntranslatablePolicy (SQLite) rather than serve unenforced.
    The document's views are read under their base tables' rules (api.view_access)."""
    from ..access import build_access, load_overrides
    from ..auth import hidden_columns

    model = build_access(schema, load_overrides(doc))
    rules = RowRules(schema, model, catalog.metadata, catalog.dialect, hidden_columns(schema))
    return ViewAccess(rules, catalog) if catalog.views else rules


def create_app(
    schema: Schema,
    url: str,
    *,
    secret: str | None = None,
    max_body_bytes: int | None = None,
    routes: Sequence[BaseRoute] = (),
    third_party_users: ThirdPartyUsers | None = None,
) -> Starlette:
    """The docbase HTTP app for ``schema`` over the database at ``url``.

    Args:
        schema: the model to serve.
        url: ``sqlite:///path`` or ``postgresql://...``.
        secret: JWT secret (default: ``docbase.auth.keys.jwt_secret()``).
        max_body_bytes: request body limit (default: the ``max_body_bytes`` setting).
        routes: extra routes or Mounts (e.g. ``Mount("/auth/v1", auth_app)``), served beside /rest/v1.
        third_party_users: outside tokens' sub -> the document's users row, shared with /storage/v1
            (default: made from the settings; docbase.auth.third_party_users).
    """
    doc = schema.path if schema.path != "<document>" else None
    toml = settings.load_toml(doc)
    db = connect(url, statement_timeout=int(settings.get(settings.STATEMENT_TIMEOUT, toml=toml)))
    read_urls = [u.strip() for u in str(settings.get(settings.DB_READ_URLS, toml=toml) or "").split(",") if u.strip()]
    if read_urls:
        db = replicated(db, read_urls, toml)
    exposed = tuple(s.strip() for s in str(settings.get(settings.DB_SCHEMAS, toml=toml) or "").split(",") if s.strip())
    catalog = Catalog(schema, db.dialect, exposed)
    if isinstance(db, SqliteDatabase):  # unique violations quote the constraint's name, as on PostgreSQL
        db.unique_names = unique_names(catalog.metadata)
    limit = max_body_bytes if max_body_bytes is not None else int(settings.get(settings.MAX_BODY_BYTES, toml=toml))
    limits = RequestLimits.from_settings(toml)
    conventions = Conventions(schema, db.dialect, toml)
    gate = access_gate(schema, catalog, doc)
    secret = secret or keys.jwt_secret(doc)
    jwks.install(secret, doc, toml)  # asymmetric signing keys and third-party issuers
    users = third_party_users or ThirdPartyUsers.from_settings(schema, url, toml)
    rest = RestApi(
        catalog,
        db,
        secret,
        limit,
        conventions,
        gate,
        limits=limits,
        tx_end=str(settings.get(settings.TX_END, None, toml)),
        users=users,
        heap_order_rows=row_order.threshold(toml),
    )
    specs: dict[str, bytes] = {}  # per role: each sees only what it may use

    async def openapi(request: Request) -> Response:
        role = await _caller_role(request, rest)
        if role not in specs:
            import orjson

            spec = openapi_document(
                catalog, str(request.base_url).rstrip("/"), gate, role, conventions_rpc.describe(conventions)
            )
            specs[role] = orjson.dumps(spec)
        return Response(specs[role], media_type="application/openapi+json; charset=utf-8")

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_HTML)

    realtime = _realtime(schema, url, rest, toml)
    app = Starlette(
        routes=[
            Route("/rest/v1/", openapi, methods=["GET", "HEAD"]),
            Route("/rest/v1", openapi, methods=["GET", "HEAD"]),
            Route("/rest/v1/rpc/{name:str}", rest.rpc, methods=["GET", "HEAD", "POST"]),
            Route("/rest/v1/{table:str}", rest.handle, methods=REST_METHODS),
            Route("/docs", docs, methods=["GET"]),
            *realtime.routes(),
            *routes,
        ],
        middleware=[
            # outermost: every request gets its id and its line, preflights and errors included
            Middleware(RequestLog, sink=request_log_sink(toml), secret=secret),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["*"],
                allow_headers=["*"],
                # Location and Upload-*: a browser's TUS client (storage's resumable uploads) reads them;
                # X-Total-Count and Link: auth.admin.listUsers' pagination
                expose_headers=[
                    "Content-Range",
                    "X-Total-Count",
                    "Link",
                    "Preference-Applied",
                    "Location",
                    "Upload-Offset",
                    "Upload-Length",
                    "Tus-Resumable",
                ],  # fmt: skip
            ),
            # inside CORS, so a browser can read the 413
            # /storage/v1 streams uploads to disk under its own limit (storage_max_file_bytes), checked per chunk
            Middleware(BodyLimit, max_bytes=limit, max_depth=limits.json_depth, exempt=(STORAGE_PREFIX,)),
            *([Middleware(PrincipalMiddleware)] if read_urls else []),
        ],
        exception_handlers={
            ApiError: _api_error,
            ConventionError: _convention_error,
            Denied: _denied,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=_lifespan(db, realtime.hub),
    )
    app.state.catalog = catalog
    app.state.db = db
    app.state.rest = rest
    app.state.realtime = realtime
    app.state.schema = schema
    return app


def replicated(db: Database, read_urls: list[str], toml: dict) -> ReplicatedDatabase:
    """The primary plus its read replicas; replicas only make sense behind a PostgreSQL primary."""
    if not isinstance(db, PostgresDatabase):
        raise settings.ConfigError("db_read_urls: read replicas need a PostgreSQL primary (db_url)")
    timeout = int(settings.get(settings.STATEMENT_TIMEOUT, toml=toml))
    replicas = []
    for read_url in read_urls:
        replica = connect(read_url, statement_timeout=timeout)
        if not isinstance(replica, PostgresDatabase):
            raise settings.ConfigError(f"db_read_urls: {dburl.parse(read_url).shown} is not a PostgreSQL URL")
        replicas.append(replica)
    remember = float(settings.get(settings.DB_READ_YOUR_WRITES_SECONDS, toml=toml))
    return ReplicatedDatabase(db, replicas, remember)


async def _caller_role(request: Request, rest: RestApi) -> str:
    """The role a request's keys carry; no key at all is anon (PostgREST's anonymous role)."""
    claims = await rest.hooks.claims(request.headers)
    if claims:
        return str(claims["role"])
    if not (
        request.headers.get("apikey") or request.query_params.get("apikey") or request.headers.get("authorization")
    ):
        return "anon"
    return role_of(request, rest.secret)


def _realtime(schema: Schema, url: str, rest: RestApi, toml: dict):
    """/realtime/v1 (docbase.realtime), its access checks going through this app's own REST read path."""
    from ..realtime import Realtime
    from ..realtime.channel_rules import load_rules
    from .row_reader import RowReader

    return Realtime(
        schema,
        url,
        RowReader(rest),
        rest.secret,
        rest.conventions,
        rest.db,
        poll_ms=int(settings.get(settings.REALTIME_POLL_MS, toml=toml)),
        retention_s=int(settings.get(settings.REALTIME_RETENTION_SECONDS, toml=toml)),
        max_channels=int(settings.get(settings.REALTIME_MAX_CHANNELS, toml=toml)),
        max_message_bytes=int(settings.get(settings.REALTIME_MAX_MESSAGE_BYTES, toml=toml)),
        channel_rules=load_rules(toml),
        users=rest.users,
    )


def _lifespan(db, hub=None):
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if hub is not None:
            await hub.close()
        await db.close()

    return lifespan


def mount(app: Starlette, route: BaseRoute) -> None:
    """Add a route or Mount (such as ``/auth/v1``) to an app made by create_app."""
    app.router.routes.append(route)


_REFUSED_TABLE = re.compile(r'for table "?([^"\s]+)"?')
_POLICY = re.compile(r'policy "([^"]+)" for table')
_METHOD_COMMAND = {"GET": "select", "HEAD": "select", "POST": "insert", "PUT": "insert", "PATCH": "update"}


def _named_rule(request: Request, exc: ApiError) -> ApiError:
    """A 42501 naming no column gets the rule that refused, in words (docbase.access.explain), on both
    databases: PostgreSQL's own row-level security errors name only the table."""
    found = _REFUSED_TABLE.search(exc.message) if exc.code == "42501" and exc.details is None else None
    rest = getattr(request.app.state, "rest", None)
    explain = getattr(getattr(rest, "gate", None), "explain", None)
    if found is None or explain is None:
        return exc
    command = _METHOD_COMMAND.get(request.method, "delete" if request.method == "DELETE" else "")
    policy = _POLICY.search(exc.message)
    details = explain(found.group(1), command, policy.group(1) if policy else None)
    if details is None:
        return exc
    named = ApiError(exc.status, exc.code, exc.message, details, exc.hint)
    named.headers = exc.headers
    return named


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    exc = _named_rule(request, exc)
    return Response(exc.to_bytes(), exc.status, exc.headers or None, media_type="application/json; charset=utf-8")


async def _convention_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConventionError)
    return await _api_error(request, ApiError(exc.status, exc.code, exc.message, exc.details, exc.hint))


async def _denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Denied)
    return await _api_error(request, ApiError(exc.status, exc.code, exc.message, exc.details, exc.hint))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = "PGRST125" if exc.status_code == 404 else f"HTTP{exc.status_code}"
    error = ApiError(exc.status_code, code, str(exc.detail) if exc.detail else "Invalid path specified in request URL")
    return await _api_error(request, error)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    error = ApiError(500, "XX000", "Internal server error", type(exc).__name__)
    return await _api_error(request, error)
