"""Which bucket ids and object names are acceptable, checked before any SQL or file access.

Object names never reach the filesystem (blobs are stored under generated ids, see
:mod:`.store`), so a ``../`` cannot escape the store; names are still refused when they
could not round-trip through a URL path or would confuse a prefix listing: empty or
``.``/``..`` segments, a leading ``/``, control characters (NUL included), backslashes,
more than 1024 bytes in all or 255 in one segment.
"""

from __future__ import annotations

import re

from .errors import StorageError, invalid_key

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def bucket_id(value: object) -> str:
    """A bucket id: 1-100 of letters, digits, ``_ . -``, starting with a letter or digit (never ``..``)."""
    if not isinstance(value, str) or not BUCKET.match(value) or ".." in value:
        shown = value[:100] if isinstance(value, str) else type(value).__name__
        raise StorageError(400, "Invalid Input", f"Bucket name invalid: {shown!r}")
    return value


def object_key(value: object) -> str:
    """An object name inside a bucket (``folder/file.png``), or a 400 naming what is wrong with it."""
    if not isinstance(value, str) or not value:
        raise invalid_key(str(value or ""))
    if len(value.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES or _CONTROL.search(value):
        raise invalid_key(value)
    if value.startswith("/"):
        raise invalid_key(value)
    for segment in value.split("/"):
        if segment in ("", ".", "..") or len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise invalid_key(value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_key(value) from None
    return value


def prefix(value: object) -> str:
    """A listing prefix: like a key, but may be empty and may end with ``/``."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise StorageError(400, "InvalidRequest", "prefix must be a string")
    trimmed = value.strip("/")
    if not trimmed:
        return ""
    object_key(trimmed)
    return trimmed + "/"


def first_segment(key: str) -> str | None:
    """The folder an object sits in at the top (``<tenant id>`` of ``<tenant id>/logo.png``); None at the root."""
    head, sep, _ = key.partition("/")
    return head if sep else None
