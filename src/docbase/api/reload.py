"""Reload a running server after the document changed: SIGHUP for ``serve``, a file watch for ``dev``.

A reload re-reads the document, prints its diagnostics, applies the safe
migrations and only then lets the server pick up the new model; a document
with errors, or a plan with destructive or refused steps, is reported and
the server keeps serving the model it had. How the new model reaches the
requests depends on the server: granian respawns its workers gracefully
(each builds the app from the document again; the old worker serves the
previous model for granian's respawn interval, 3.5 s, then finishes its
in-flight requests); uvicorn's single process swaps the app behind ``Swappable``,
so connections stay open. No request ever sees a model ahead of its tables.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from ..pipeline import load_schema
from ..schema import Schema

Echo = Callable[[str], None]


def reload_document(doc: Path, url: str, echo: Echo) -> Schema | None:
    """Read, report and migrate; the new model when the server may switch to it, else None (with why)."""
    from ..migrate import MigrateError, migrate

    echo(f"reload: reading {doc}")
    try:
        schema = load_schema(doc)
    except OSError as exc:
        echo(f"reload: error: cannot read {doc}: {exc.strerror}; still serving the previous model")
        return None
    for d in schema.diagnostics:
        if d.level != "info":
            echo(d.format(str(doc)))
    if not schema.tables or schema.errors:
        why = "describes no table" if not schema.tables else f"has {len(schema.errors)} error(s)"
        echo(f"reload: {doc} {why}; still serving the previous model")
        return None
    try:
        plan = migrate(schema, url)
    except MigrateError as exc:
        if exc.plan is not None:
            echo(exc.plan.describe(True, False))
        echo(f"reload: refused: {exc}; still serving the previous model until a reload succeeds")
        return None
    echo(f"reload: {plan.describe()}")
    return schema


class Swappable:
    """An ASGI app whose target can be replaced while it serves: a request runs on the app it started on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Reloader:
    """Runs one reload at a time off the signal handler (a migration must not run inside it)."""

    def __init__(self, doc: Path, url: str, echo: Echo, switch: Callable[[Schema], None]) -> None:
        self.doc, self.url, self.echo, self.switch = doc, url, echo, switch
        self._lock = threading.Lock()

    def __call__(self, *_: object) -> None:
        threading.Thread(target=self._run, name="docbase-reload", daemon=True).start()

    def _run(self) -> None:
        with self._lock:
            try:
                schema = reload_document(self.doc, self.url, self.echo)
                if schema is not None:
                    self.switch(schema)
                    self.echo("reload: serving the new model")
            except Exception as exc:  # a reload must never take the server down
                self.echo(
                    f"reload: error: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
                )
