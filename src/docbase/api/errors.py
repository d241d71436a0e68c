"""PostgREST-shaped errors: every failure the API reports is one of these, never a traceback.

The body is ``{"code", "message", "details", "hint"}`` exactly as PostgREST
sends it, so the official clients surface the same ``code`` to their users.
The constructors below are the codes docbase uses, each with PostgREST's
HTTP status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The database's refusals are the API's answers: one error type, made by the database layer.
from ..db.errors import DbError as ApiError
from ..db.errors import unavailable as unavailable


def bad_query(message: str, details: str | None = None) -> ApiError:
    """PGRST100: the query string cannot be parsed."""
    return ApiError(400, "PGRST100", message, details)


def bad_body(message: str, details: str | None = None) -> ApiError:
    """PGRST102: the request body is not valid JSON of the right shape."""
    return ApiError(400, "PGRST102", message, details)


def unknown_table(name: str) -> ApiError:
    qualified = name if "." in name else f"public.{name}"
    return ApiError(404, "PGRST205", f"Could not find the table '{qualified}' in the schema cache")


def unknown_column(column: str, table: str) -> ApiError:
    return ApiError(400, "PGRST204", f"Could not find the '{column}' column of '{table}' in the schema cache")


def no_relationship(parent: str, child: str, hint: str | None = None, schema: str = "public") -> ApiError:
    return ApiError(
        400,
        "PGRST200",
        f"Could not find a relationship between '{parent}' and '{child}' in the schema cache",
        f"Searched for a foreign key relationship between '{parent}' and '{child}'"
        + (f" using the hint '{hint}'" if hint else "")
        + f" in the schema '{schema}', but no matches were found.",
    )


def ambiguous_relationship(parent: str, child: str, candidates: Sequence[Any]) -> ApiError:
    """PGRST201 as PostgREST 12 words it: ``details`` is a list of objects, the hint lists ``child!hint`` choices."""
    choices = ", ".join(f"'{child}!{rel.hint}'" for rel in candidates)
    return ApiError(
        300,
        "PGRST201",
        f"Could not embed because more than one relationship was found for '{parent}' and '{child}'",
        [rel.detail(parent) for rel in candidates],
        f"Try changing '{child}' to one of the following: {choices}. Find the desired relationship in the 'details' key.",
    )


def invalid_value(type_name: str, value: object) -> ApiError:
    return ApiError(400, "22P02", f'invalid input syntax for type {type_name}: "{value}"')


def not_one_row(count: int) -> ApiError:
    return ApiError(
        406,
        "PGRST116",
        "JSON object requested, multiple (or no) rows returned",
        f"The result contains {count} rows",
    )


def unauthorized(code: str, message: str, hint: str | None = None) -> ApiError:
    return ApiError(401, code, message, None, hint)


def permission_denied(table: str, status: int) -> ApiError:
    return ApiError(status, "42501", f"permission denied for table {table}")


def postgresql_only_feature(feature: str, why: str) -> ApiError:
    """PostgREST's "Feature not implemented" (PGRST127), for what only a PostgreSQL database can answer."""
    return ApiError(
        400,
        "PGRST127",
        "Feature not implemented",
        f"{feature} needs PostgreSQL: {why}",
        "Serve this document on PostgreSQL (--db postgresql://...) to use it.",
    )
