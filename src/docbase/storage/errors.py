"""Supabase Storage's error shape: ``{"statusCode": "404", "error": "not_found", "message": "..."}``.

Both official clients read the body, not only the status: storage3's ``exists`` wants
``statusCode == "404"`` with ``error`` ``not_found``; storage-js takes the status and
``message``. ``statusCode`` is a string, as Supabase renders it. ``code`` is the newer
error system's name (``NoSuchBucket``, ``NoSuchKey``, ``AccessDenied``, ``EntityTooLarge``...),
whose documented statuses (404 for a missing object, 403 for a refusal, 413...) go in the body's
``statusCode``. On the wire Supabase's Storage server answers every such refusal with 400 (500 for a
fault): its error handler sends ``userStatusCode``, which is 400 unless the status is 500. docbase does
the same by default (``storage_error_status = "storage"``); ``"http"`` puts the body's status on the wire.
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

# The legacy ``error`` words docbase sends, and the code Supabase Storage's newer error system names for each
# (supabase.com/docs/guides/storage/debugging/error-codes); words not listed are already such codes.
CODES = {
    "Bucket not found": "NoSuchBucket",
    "not_found": "NoSuchKey",
    "Payload too large": "EntityTooLarge",
    "invalid_mime_type": "InvalidMimeType",
    "invalid_range": "InvalidRange",
}


WIRE_MODES = ("storage", "http")


def wire_status(status: int, mode: str) -> int:
    """The HTTP status a refusal goes out with: Storage's 400 for anything below 500, or the status itself.

    401 (no or bad key) stays 401: in Supabase that refusal is the API gateway's, before Storage, as
    docbase's /rest/v1 sends it too."""
    if mode == "http" or status >= 500 or status == 401:
        return status
    return 400


class StorageError(Exception):
    """A refusal; ``response()`` is what the client gets."""

    def __init__(self, status: int, error: str, message: str, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.close = close  # the body was not read to its end: the connection cannot be reused

    @property
    def code(self) -> str:
        """Storage's newer error code (``NoSuchKey``, ``AccessDenied``...), sent beside the legacy ``error``."""
        if self.error == "Unauthorized":
            return "AccessDenied" if self.status == 403 else "InvalidJWT"
        if self.error == "Duplicate":
            return "ResourceAlreadyExists"
        return CODES.get(self.error, self.error)

    def response(self, mode: str = "http") -> Response:
        """The JSON refusal; ``mode`` is ``storage_error_status`` (``storage``: 400 on the wire)."""
        body = orjson.dumps(
            {"statusCode": str(self.status), "code": self.code, "error": self.error, "message": self.message}
        )
        headers = {"connection": "close"} if self.close else None
        return Response(body, wire_status(self.status, mode), headers=headers, media_type="application/json")


def no_bucket() -> StorageError:
    return StorageError(404, "Bucket not found", "Bucket not found")


def no_object() -> StorageError:
    return StorageError(404, "not_found", "Object not found")


def denied(message: str = "new row violates row-level security policy") -> StorageError:
    """Supabase words an RLS refusal this way; 403 for the caller that is signed in but not allowed."""
    return StorageError(403, "Unauthorized", message)


def unauthorized(message: str) -> StorageError:
    return StorageError(401, "Unauthorized", message)


def invalid(message: str) -> StorageError:
    return StorageError(400, "InvalidRequest", message)


def invalid_key(key: str) -> StorageError:
    return StorageError(400, "InvalidKey", f"Invalid key: {key[:200]!r}")


def duplicate() -> StorageError:
    return StorageError(409, "Duplicate", "The resource already exists")


def too_large(what: str, limit: int) -> StorageError:
    return StorageError(
        413, "Payload too large", f"The {what} exceeded the maximum allowed size of {limit} bytes", True
    )


def bad_mime(mime: str) -> StorageError:
    return StorageError(415, "invalid_mime_type", f"mime type {mime[:100]} is not supported")


def bad_range(size: int) -> StorageError:
    return StorageError(416, "invalid_range", f"invalid range provided (object size {size})")
