"""Finding a column by any spelling of its name, for every rule's detector.

``nextRunAt``, ``next_run_at`` and ``NEXT_RUN_AT`` compare equal (the same
comparison docbase.conventions.base makes; rules sit below conventions, so
they cannot share that module).
"""

from __future__ import annotations

from ..schema.model import Column, Table


def norm(name: str) -> str:
    """Lower case, letters and digits only."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def column_named(table: Table, *names: str) -> Column | None:
    """The first column matching one of ``names`` (in the order given), ignoring case and separators."""
    by_norm = {norm(c.name): c for c in table.columns}
    return next((by_norm[norm(n)] for n in names if norm(n) in by_norm), None)
