"""Supabase Auth's error shape: ``{"code": <status>, "error_code": "...", "msg": "..."}``.

Clients branch on ``error_code`` (supabase-py raises ``AuthApiError`` with
``.code`` set from it; ``weak_password`` also needs ``weak_password.reasons``),
so every refusal goes through :class:`AuthError` and never leaks as a 500.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class AuthError(Exception):
    def __init__(self, status: int, error_code: str, msg: str, **extra: Any) -> None:
        super().__init__(msg)
        self.status = status
        self.error_code = error_code
        self.msg = msg
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"code": self.status, "error_code": self.error_code, "msg": self.msg, **self.extra}
        return JSONResponse(body, status_code=self.status)


def bad_json(msg: str = "Could not parse request body as JSON") -> AuthError:
    return AuthError(400, "bad_json", msg)


def validation(msg: str) -> AuthError:
    return AuthError(422, "validation_failed", msg)


def invalid_credentials() -> AuthError:
    # One message for unknown email and wrong password: the answer must not reveal which accounts exist.
    return AuthError(400, "invalid_credentials", "Invalid login credentials")


def rate_limited(msg: str = "Request rate limit reached") -> AuthError:
    return AuthError(429, "over_request_rate_limit", msg)


def bad_jwt(msg: str) -> AuthError:
    return AuthError(401, "bad_jwt", msg)
