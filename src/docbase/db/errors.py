"""The one error type of the database layer: PostgreSQL's SQLSTATE with the HTTP status PostgREST gives it.

The body is ``{"code", "message", "details", "hint"}`` exactly as PostgREST
sends it; the API answers with these as they are (``docbase.api.errors``
names the same class ``ApiError`` and adds PostgREST's own codes), and
auth and storage read ``code`` (``23505`` a duplicate, ``23503`` a missing
reference) whichever database refused.
"""

from __future__ import annotations

from typing import Any

import orjson


class DbError(Exception):
    """An error with an HTTP status and PostgREST's error body (and any headers it answers with)."""

    headers: dict[str, str] = {}  # noqa: RUF012 -- read-only default; instances assign their own dict

    def __init__(self, status: int, code: str, message: str, details: Any = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "details": self.details, "hint": self.hint, "message": self.message}

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.body())


def unavailable(details: str | None = None) -> DbError:
    """The database cannot be reached or is busy (PostgREST's PGRST001, 503)."""
    return DbError(503, "PGRST001", "Database client error. Retrying the connection.", details)
