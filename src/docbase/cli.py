"""The ``docbase`` command: thin over the packages; parses flags, prints, sets exit codes.

Exit codes: 0 ok, 1 document (or database) errors, 2 usage errors.
Each command lives in a small function here; the work is done by the
package named in its docstring.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from .schema import Schema, load_schema

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Turn a database design document into a running backend.")
console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _schema(doc: Path, strict_errors: bool = True) -> Schema:
    """Read a document for a command; print its diagnostics; stop on errors."""
    if not doc.exists():
        fail(f"{doc}: no such file", 2)
    schema = load_schema(doc)
    if strict_errors and schema.errors:
        for d in schema.diagnostics:
            if d.level == "error":
                err_console.print(d.format(str(doc)), highlight=False, markup=False)
        raise typer.Exit(1)
    return schema


def main() -> None:
    app()
