"""ConventionError: a refusal a convention makes, carrying PostgREST's error shape and HTTP status.

Conventions sit below the API, so they cannot raise the API's ApiError;
the API turns this one into the same ``{"code","message","details","hint"}``
body.
"""

from __future__ import annotations

from typing import Any


class ConventionError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.hint = status, code, message, details, hint

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "details": self.details, "hint": self.hint, "message": self.message}


def bad_argument(message: str, hint: str | None = None) -> ConventionError:
    return ConventionError(400, "22023", message, None, hint)


def not_found(message: str) -> ConventionError:
    return ConventionError(404, "P0002", message)
