"""docbase: a database design document in, a running backend out.

The public surface is small and sorted; each verb is imported on first use
so ``import docbase`` stays cheap (the web stack loads only for the API).

Example:
    >>> import docbase
    >>> schema = docbase.build_schema("```sql\\nCREATE TABLE notes (id uuid PRIMARY KEY, body text);\\n```")
    >>> [t.name for t in schema.tables]
    ['notes']
    >>> 'CREATE TABLE "notes"' in docbase.to_ddl(schema, "sqlite")
    True
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Check": "docbase.schema",
    "Column": "docbase.schema",
    "Diagnostic": "docbase.document",
    "Enum": "docbase.schema",
    "ForeignKey": "docbase.schema",
    "Index": "docbase.schema",
    "Policy": "docbase.schema",
    "Schema": "docbase.schema",
    "Table": "docbase.schema",
    "UniqueConstraint": "docbase.schema",
    "build_schema": "docbase.pipeline",
    "create_app": "docbase.api",
    "load_schema": "docbase.pipeline",
    "migrate": "docbase.migrate",
    "read_document": "docbase.readers",
    "split": "docbase.document",
    "to_ddl": "docbase.ddl",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'docbase' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
