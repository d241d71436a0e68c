"""Signed URL tokens: a JWT naming exactly one ``bucket/object`` and an expiry.

They are signed with a key derived from the project's JWT secret (HMAC of a fixed
label), never the secret itself: a signed-URL token must not verify as an API key or
a session anywhere else in docbase, and an API key must not open a signed URL. A
download token names the object it was made for and nothing else; an upload token
also carries who made it (the new object's owner) and whether it may overwrite.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import jwt

from .errors import StorageError

DOWNLOAD = "storage-download"
UPLOAD = "storage-upload"
MAX_EXPIRY = 10 * 365 * 24 * 3600  # seconds; more is refused rather than silently shortened
UPLOAD_EXPIRY = 2 * 3600  # Supabase's signed upload URLs last two hours


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"docbase storage signed url", hashlib.sha256).digest()


def expiry(value: Any) -> int:
    """``expiresIn`` as the clients send it (a number, or a string of digits), 1..MAX_EXPIRY seconds."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.isascii() or not text.isdigit() or len(text) > 12 or not 1 <= int(text) <= MAX_EXPIRY:
        raise StorageError(400, "InvalidRequest", f"expiresIn must be a whole number of seconds, 1 to {MAX_EXPIRY}")
    return int(text)


def sign(secret: str, kind: str, url: str, seconds: int, **extra: Any) -> str:
    now = int(time.time())
    return jwt.encode({"typ": kind, "url": url, "iat": now, "exp": now + seconds, **extra}, _key(secret), "HS256")


def verify(secret: str, kind: str, token: str | None, url: str) -> dict[str, Any]:
    """The claims of a token made for ``url``; 400 (as Supabase answers) for a missing, bad or expired one."""
    if not token:
        raise StorageError(400, "InvalidJWT", "Missing token")
    try:
        claims = jwt.decode(token, _key(secret), algorithms=["HS256"], options={"require": ["exp", "url"]})
    except jwt.ExpiredSignatureError:
        raise StorageError(400, "InvalidJWT", "jwt expired") from None
    except jwt.InvalidTokenError:
        raise StorageError(400, "InvalidJWT", "Invalid signature") from None
    if claims.get("typ") != kind or claims.get("url") != url:
        raise StorageError(400, "InvalidSignature", "The signature does not match this object")
    return claims
