"""``docbase serve``: migrate (refusing destructive changes), then run the app on granian or uvicorn.

The server is the ``server`` setting. granian (the default) parses HTTP and
writes responses in Rust threads beside the Python event loop; on the
benchmark (bench/) it answered more requests per second than uvicorn, even
uvicorn with httptools and uvloop, for the same CPU per request. uvicorn
stays available (``DOCBASE_SERVER=uvicorn``) and is used when granian is not
installed.

Workers are processes, each importing ``docbase.api.serve:app_from_environment``
as an app factory; the document path and database URL travel in environment
variables so every worker builds the same app (and reads the same JWT secret
from the state dir). uvicorn with one worker serves the app built here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from .. import settings
from ..auth import jwks, keys
from ..pipeline import load_schema
from ..schema import Schema
from .app import create_app

DOC_ENV = "DOCBASE_SERVE_DOCUMENT"
FACTORY = "docbase.api.serve:app_from_environment"


class ServeError(Exception):
    """A reason not to start; ``exit_code`` follows the CLI's convention."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_app(schema: Schema, url: str, secret: str) -> Starlette:
    """The full backend: /rest/v1, /auth/v1 (when docbase.auth provides it), /storage/v1 and the console."""
    routes = []
    try:
        from ..auth.routes import auth_routes
    except ImportError:  # auth not built in this checkout
        auth_routes = None
    if auth_routes is not None:
        routes.append(Mount("/auth/v1", routes=auth_routes(schema, url, secret=secret)))
    from ..auth.third_party_users import ThirdPartyUsers
    from ..storage import storage_routes

    doc = None if schema.path.startswith("<") else schema.path
    # one matcher of outside tokens to users rows (and one cache) for /rest/v1, realtime and /storage/v1
    users = ThirdPartyUsers.from_settings(schema, url, settings.load_toml(doc))
    routes.append(Mount("/storage/v1", routes=storage_routes(schema, url, secret, users)))
    from ..access import load_overrides
    from ..ui import console_routes  # the web console at / (docbase.ui); imported late: ui is a later stage

    routes.extend(console_routes(schema, anon_key=keys.anon_key(secret), overrides=load_overrides(doc), secret=secret))
    return create_app(schema, url, secret=secret, routes=routes, third_party_users=users)


def app_from_environment() -> Starlette:
    """The app factory each uvicorn worker calls."""
    doc = os.environ[DOC_ENV]
    schema = load_schema(doc)
    url = settings.database_url(doc)
    return build_app(schema, url, keys.jwt_secret(doc))


def run(
    schema: Schema,
    doc: Path,
    db: str | None,
    host: str,
    port: int,
    workers: int,
    echo: Callable[[str], None] = print,
    watch: bool = False,
) -> None:
    """Migrate, build, serve; SIGHUP (and with ``watch``, saving the document) reloads (docbase.api.reload)."""
    import signal
    import sys

    import uvicorn

    from ..migrate import MigrateError, migrate
    from .reload import Reloader, Swappable

    url = settings.database_url(doc, db)
    server = server_name(str(doc))
    try:
        secret = keys.jwt_secret(doc)
        jwks.load_trust(doc)  # a bad jwt_signing_alg stops here; the key pair is made before workers start
    except ValueError as exc:
        raise ServeError(str(exc), 2) from None
    _default_external_url(doc, host, port)
    try:
        plan = migrate(schema, url)
    except MigrateError as exc:
        hint = f"; run `docbase migrate {doc} --dry-run` to see every step" if exc.plan is not None else ""
        raise ServeError(f"migration refused: {exc}{hint}") from None
    from ..access.row_rules import UntranslatablePolicy

    try:  # fail closed: a document policy SQLite cannot enforce stops serve, naming it
        app = build_app(schema, url, secret)
    except UntranslatablePolicy as exc:
        raise ServeError(f"{exc}; SQLite cannot enforce it (serve on PostgreSQL, or rewrite the policy)") from None
    applied = len(plan.changes)
    echo(f"database: {_safe(url)} ({applied} change(s) applied)" if applied else f"database: {_safe(url)} (up to date)")
    echo(f"serving:  http://{host}:{port}/rest/v1/  (docs: http://{host}:{port}/docs, console: http://{host}:{port}/)")
    echo(f"anon key:         {keys.anon_key(secret)}")
    # never the service key: this output lands in logs, and that key bypasses every access rule
    echo(f"service_role key: run `docbase keys {doc}` to print it (keep it secret)")
    os.environ[DOC_ENV] = str(Path(doc).resolve())
    os.environ[settings.DB_URL.env] = url

    def note(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if watch:
        _watch(Path(doc), note)
    if server == "granian":
        from granian import Granian

        class Reloading(Granian):  # type: ignore[misc, valid-type]
            """granian respawns its workers on SIGHUP; migrate first, and respawn only when that succeeded."""

            def signal_handler_reload(self, *args: object, **kwargs: object) -> None:
                reloader()

        granian_server = Reloading(FACTORY, factory=True, address=host, port=port, interface="asgi", workers=workers,
                                   loop=event_loop(), log_level="warning", log_access=False)  # fmt: skip
        reloader = Reloader(Path(doc), url, note, lambda _: Granian.signal_handler_reload(granian_server))
        granian_server.serve()
    elif workers > 1:
        _uvicorn_workers(Path(doc), url, host, port, workers, note)
    else:
        holder = Swappable(app)

        def switch(new: Schema) -> None:
            holder.app = build_app(new, url, secret)

        signal.signal(signal.SIGHUP, Reloader(Path(doc), url, note, switch))
        uvicorn.run(holder, host=host, port=port, log_level="warning")


def _uvicorn_workers(doc: Path, url: str, host: str, port: int, workers: int, note: Callable[[str], None]) -> None:
    """uvicorn's supervisor restarts its workers on SIGHUP; migrate first, and restart only when that succeeded."""
    import signal

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from .reload import Reloader

    class Reloading(Multiprocess):
        approved = False

        def handle_hup(self) -> None:  # runs in the supervisor's loop, never inside the signal handler
            if self.approved:
                self.approved = False
                super().handle_hup()
            else:
                reloader()

    def approve(_: object) -> None:
        supervisor.approved = True
        os.kill(os.getpid(), signal.SIGHUP)  # back through the supervisor's own queue

    config = Config(FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning")
    supervisor = Reloading(config, sockets=[config.bind_socket()])
    reloader = Reloader(doc, url, note, approve)
    supervisor.run()


def _watch(doc: Path, note: Callable[[str], None]) -> None:
    """``docbase dev``: a save of the document (or its docbase.toml) reloads as SIGHUP does.

    The folder is watched, not the file: editors save by writing a new file and
    renaming it over the old one, which a watch on the old file would miss.
    """
    import signal
    import threading

    import watchfiles

    names = {doc.name, "docbase.toml"}
    folder = doc.resolve().parent

    def loop() -> None:
        for _ in watchfiles.watch(folder, watch_filter=lambda _c, path: Path(path).name in names, debounce=300):
            os.kill(os.getpid(), signal.SIGHUP)

    threading.Thread(target=loop, name="docbase-watch", daemon=True).start()
    note(f"watching {doc} for changes (save to reload; destructive changes wait for docbase migrate)")


def server_name(doc: str | None = None) -> str:
    """``granian`` or ``uvicorn``: the setting, falling back to uvicorn when granian is not installed."""
    wanted = str(settings.get(settings.SERVER, toml=settings.load_toml(doc))).strip().lower()
    if wanted not in ("granian", "uvicorn"):
        raise ServeError(f"unknown server {wanted!r}; use granian or uvicorn", 2)
    if wanted == "granian":
        try:
            import granian  # noqa: F401
        except ImportError:
            return "uvicorn"
    return wanted


def event_loop() -> str:
    """uvloop where installed (granian's fastest loop), else asyncio."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


def _default_external_url(doc: Path, host: str, port: int) -> None:
    """Emailed auth links point at the address served unless ``auth_external_url`` says otherwise (never Host)."""
    if settings.get(settings.AUTH_EXTERNAL_URL, toml=settings.load_toml(doc)):
        return
    name = "localhost" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    os.environ[settings.AUTH_EXTERNAL_URL.env] = f"http://{name}:{port}"
