"""Supabase Auth's error shape: ``{"code": <status>, "error_code": "...", "msg": "..."}``.

Clients branch on ``error_code`` (supabase-py raises ``AuthApiError`` with
``.code`` set from it; ``weak_password`` also needs ``weak_password.reasons``),
so every refusal goes through :class:`AuthError` and never leaks as a 500.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc
from starlette.responses import JSONResponse

# SQLSTATE classes that mean "the database cannot be reached", not "the request was wrong":
# connection exceptions, insufficient resources, bad credentials, shutdown, database dropped.
_OUTAGE_CLASSES = ("08", "53", "28", "57P")
_OUTAGE_CODES = ("3D000",)
_SQLITE_OUTAGES = ("unable to open database", "database is locked", "disk i/o error", "database table is locked")


class AuthError(Exception):
    def __init__(
        self, status: int, error_code: str, msg: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(msg)
        self.status = status
        self.error_code = error_code
        self.msg = msg
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"code": self.status, "error_code": self.error_code, "msg": self.msg, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def bad_json(msg: str = "Could not parse request body as JSON") -> AuthError:
    return AuthError(400, "bad_json", msg)


def validation(msg: str) -> AuthError:
    return AuthError(422, "validation_failed", msg)


def invalid_credentials() -> AuthError:
    # One message for unknown email and wrong password: the answer must not reveal which accounts exist.
    return AuthError(400, "invalid_credentials", "Invalid login credentials")


def rate_limited(msg: str = "Request rate limit reached", headers: dict[str, str] | None = None) -> AuthError:
    return AuthError(429, "over_request_rate_limit", msg, headers=headers)


def bad_jwt(msg: str) -> AuthError:
    return AuthError(401, "bad_jwt", msg)


def unavailable() -> AuthError:
    """The database is down or unreachable: 503, which supabase-js/-py retry, never a 500."""
    return AuthError(503, "unexpected_failure", "The database is unavailable; try again shortly")


def unexpected() -> AuthError:
    return AuthError(500, "unexpected_failure", "Unexpected failure, please check server logs for more information")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (503) rather than that a statement failed (500).

    asyncpg raises ``ConnectionRefusedError`` unwrapped when the port is closed;
    SQLAlchemy wraps everything else, so the SQLSTATE of the driver error is read.
    """
    if isinstance(error, OSError | TimeoutError):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    code = _sqlstate(error)
    if code:
        return code.startswith(_OUTAGE_CLASSES) or code in _OUTAGE_CODES
    text = str(error.orig).lower()
    return isinstance(error, sa_exc.OperationalError) and text.startswith(_SQLITE_OUTAGES)


def _sqlstate(error: BaseException) -> str:
    seen: BaseException | None = getattr(error, "orig", None)
    while seen is not None:
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str) and code:
            return code
        seen = seen.__cause__
    return ""


def reason(error: BaseException) -> str:
    """The driver's one-line reason, for logs: never the SQL or its parameters (they may hold token hashes)."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]
