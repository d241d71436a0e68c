"""Reading what a request asks for beyond the query string: Prefer, Range, Accept, the body, the caller's role.

Kept apart from the handlers so each rule (PostgREST's header grammar,
Supabase's key semantics) is in one place and testable alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from cachetools import TTLCache
from starlette.requests import Request

from .. import settings
from ..auth import keys
from ..auth.bearer import bearer_token
from .bodylimit import scanned, too_deep, too_deep_message, too_large_message
from .errors import ApiError, bad_body, unauthorized
from .query.ranges import offside

OBJECT = "application/vnd.pgrst.object+json"
CSV = "text/csv"
GEOJSON = "application/geo+json"  # docbase.api.geojson
DEFAULT_DEPTH = int(settings.MAX_JSON_DEPTH.default)


@dataclass(frozen=True)
class Prefer:
    """PostgREST's ``Prefer`` preferences; the first of each kind wins, as in PostgREST."""

    returning: str = "minimal"
    count: str | None = None
    resolution: str | None = None
    missing_default: bool = False
    tx: str | None = None  # commit | rollback, only where the tx_end setting allows the override
    handling: str | None = None  # strict | lenient
    max_affected: int | None = None
    invalid: tuple[str, ...] = ()
    asked_return: bool = False
    params: str | None = None  # RPC: single-object passes the whole body as one json argument

    def applied(self) -> str:
        """``Preference-Applied``: the honoured preferences in PostgREST's order."""
        parts = [
            f"resolution={self.resolution}" if self.resolution else None,
            "missing=default" if self.missing_default else None,
            f"return={self.returning}" if self.asked_return else None,
            f"count={self.count}" if self.count else None,
            f"tx={self.tx}" if self.tx else None,
            f"handling={self.handling}" if self.handling else None,
            f"max-affected={self.max_affected}"
            if self.handling == "strict" and self.max_affected is not None
            else None,
        ]
        return ", ".join(p for p in parts if p)

    def check_strict(self) -> None:
        """``handling=strict`` refuses preferences PostgREST does not know (PGRST122)."""
        if self.handling == "strict" and self.invalid:
            raise ApiError(
                400,
                "PGRST122",
                "Invalid preferences given with handling=strict",
                "Invalid preferences: " + ", ".join(self.invalid),
            )


_KNOWN = {
    "return": ("minimal", "representation", "headers-only"),
    "count": ("exact", "planned", "estimated"),
    "resolution": ("merge-duplicates", "ignore-duplicates"),
    "missing": ("default", "null"),
    "tx": ("commit", "rollback"),
    "handling": ("strict", "lenient"),
    "params": ("single-object", "multiple-objects"),
}


@lru_cache(maxsize=256)
def parse_prefer(header: str | None, default_return: str = "minimal", tx_override: bool = True) -> Prefer:
    """The ``Prefer`` header; cached (Prefer is frozen), since a client sends the same one on every request."""
    values: dict[str, str] = {}
    invalid: list[str] = []
    max_affected: int | None = None
    for part in (header or "").split(","):
        raw = part.strip()
        if not raw:
            continue
        key, eq, value = raw.partition("=")
        key, value = key.strip().lower(), value.strip().lower()
        if key == "max-affected" and eq:
            if max_affected is None and value.isascii() and value.isdigit() and len(value) < 19:
                max_affected = int(value)
            continue
        if key == "timezone" and eq:
            continue
        if eq and value in _KNOWN.get(key, ()):
            values.setdefault(key, value)  # the first one wins
        else:
            invalid.append(raw)
    returning = values.get("return", default_return)
    return Prefer(
        returning=returning,
        count=values.get("count"),
        resolution=values.get("resolution"),
        missing_default=values.get("missing") == "default",
        tx=values.get("tx") if tx_override else None,
        handling=values.get("handling"),
        max_affected=max_affected,
        invalid=tuple(invalid),
        asked_return="return" in values,
        params=values.get("params"),
    )


def parse_range(header: str | None) -> tuple[int | None, int | None]:
    """``Range: 0-9`` -> (limit 10, offset 0); ``5-`` -> (None, 5); anything else is ignored, as PostgREST does."""
    if not header:
        return None, None
    text = header.strip()
    if "=" in text:
        text = text.split("=", 1)[1]
    first, dash, last = text.partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not _digits(first):
        return None, None
    # Compare lengths before int(): Python refuses to convert more than 4,300 digits (a ValueError, a 500)
    if len(first) > 19 or int(first) >= 2**63 or _digits(last) and (len(last) > 19 or int(last) >= 2**63):
        raise ApiError(416, "PGRST103", "Requested range not satisfiable", "Range bounds must fit in 64 bits")
    start = int(first)
    if _digits(last):
        end = int(last)
        if end < start:
            raise offside()
        return end - start + 1, start
    return None, start


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts '²' and other characters ``int`` refuses."""
    return text.isascii() and text.isdigit()


def accept(request: Request) -> str:
    header = request.headers.get("accept", "")
    if OBJECT in header:
        return OBJECT
    if CSV in header:
        return CSV
    if GEOJSON in header:
        return GEOJSON
    return "application/json"


def role_of(request: Request, secret: str) -> str:
    """The role of the verified token: Bearer if given, else the apikey; 401 for anything untrustworthy."""
    apikey = request.headers.get("apikey") or request.query_params.get("apikey")
    authorization = request.headers.get("authorization")
    bearer = bearer_token(authorization)
    if authorization and bearer is None:
        raise unauthorized("PGRST301", "Authorization header must be 'Bearer <token>'")
    if bearer is None and apikey is None:
        raise unauthorized(
            "PGRST302", "No API key found in request", "No `apikey` request header or url param was found."
        )
    claims: dict[str, Any] = {}
    for token in (apikey, bearer):
        if token is None:
            continue
        claims = _verified(token, secret)
    request.state.claims = claims  # row-level access needs the user (sub), not only the role
    return str(claims["role"])


async def linked_claims(users: Any, claims: dict[str, Any] | None) -> dict[str, Any] | None:
    """``claims`` as docbase.auth.third_party_users resolves them (an outside token's sub -> the document's
    users row); 403 when that row does not exist and may not be made, as GoTrue refuses a vanished user."""
    if users is None or not claims:
        return claims
    from ..auth.third_party_users import Unlinked

    try:
        return await users.claims(claims)
    except Unlinked as exc:
        raise ApiError(403, "28000", exc.message, exc.detail) from None


#: Verified tokens by (token, secret): clients send the same key on every request. An entry lives at most
#: VERIFIED_TTL seconds and never past the token's own ``exp`` (checked on every hit).
VERIFIED_TTL = 300
_VERIFIED: TTLCache[tuple[str, str], dict[str, Any]] = TTLCache(maxsize=4096, ttl=VERIFIED_TTL)


def _verified(token: str, secret: str) -> dict[str, Any]:
    """Verify a token, remembering good ones (:data:`_VERIFIED`) until they expire."""
    cached = _VERIFIED.get((token, secret))
    if cached is not None and cached["exp"] > time.time():
        return cached
    try:
        claims = keys.verify(token, secret)
    except keys.TokenError as exc:
        _VERIFIED.pop((token, secret), None)
        code = {"expired": "PGRST303", "missing": "PGRST302"}.get(exc.reason, "PGRST301")
        raise unauthorized(code, exc.message) from None
    _VERIFIED[(token, secret)] = claims
    return claims


async def read_body(request: Request, limit: int, max_depth: int = DEFAULT_DEPTH) -> Any:
    """The JSON body (object or array of objects); 413 past ``limit`` bytes; 400 for anything else.

    ``api.bodylimit`` has already refused an oversized body as it streamed, and a JSON-typed one nested
    deeper than ``max_depth``; a body labelled otherwise (``text/plain``) is depth-checked here.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not scanned(request.headers.get("content-type")) and too_deep(raw, max_depth):
        raise bad_body(too_deep_message(max_depth))
    try:
        raw.decode("utf-8")
        data = orjson.loads(raw)
    except (UnicodeDecodeError, orjson.JSONDecodeError):
        raise bad_body("Empty or invalid json", None) from None  # PostgREST 12: details null
    if isinstance(data, dict):
        return data
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return data
    raise bad_body("The body must be a JSON object or an array of objects")


def too_large(limit: int) -> ApiError:
    return ApiError(413, "PGRST413", too_large_message(limit))


#: The schemas /rest/v1 serves (PostgREST's db-schemas). docbase keeps the document's tables in one.
EXPOSED_SCHEMAS = ("public",)


def check_profile(request: Request, exposed: tuple[str, ...] = EXPOSED_SCHEMAS) -> str:
    """The schema a request names (``Accept-Profile`` to read, ``Content-Profile`` to write), else PGRST106.

    PostgREST answers 406 for a schema it does not expose instead of reading
    another one; docbase did read ``public`` whatever the header said.
    """
    header = "accept-profile" if request.method in ("GET", "HEAD") else "content-profile"
    name = request.headers.get(header)
    if name is None or name in exposed:
        return name or exposed[0]
    raise ApiError(
        406,
        "PGRST106",
        f"Invalid schema: {name}",
        None,
        f"Only the following schemas are exposed: {', '.join(exposed)}",
    )
