"""Where auth may send a browser: ``redirect_to`` checked against an allow-list, never by prefix.

A prefix check lets ``https://app.example.com.evil.com`` and
``https://app.example.com@evil.com`` through, and a recovery link that
redirects there hands the victim's session to the attacker. So a wanted URL
is parsed and its scheme, host and port are compared *exactly* with each
allowed entry (``auth_site_url`` and ``auth_redirect_urls``); anything that
does not match, or does not parse cleanly, falls back to the site URL.

The rules, decided here once for every emailed link and for ``GET /verify``:

- the site URL's origin allows any path (GoTrue also accepts any URL on the
  site's host; docbase compares scheme and port too);
- an ``auth_redirect_urls`` entry allows its own path and what lies below it
  at a ``/`` boundary (``https://a.io/auth`` allows ``/auth/cb``, not
  ``/authz``); GoTrue-style wildcards may appear in the path only: ``*``
  matches within one path segment, ``**`` across segments. A wildcard in the
  scheme or host of an entry is refused when the settings are read;
- a URL carrying user info (``user@host``), a backslash, whitespace or a
  control character, or an unparsable port never matches: browsers and
  Python's parser disagree on such URLs, and disagreement is how open
  redirects are made. Query and fragment are kept as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectSettingError(ValueError):
    """An ``auth_redirect_urls`` entry that cannot be an allow-list entry."""


@dataclass(frozen=True)
class Allowed:
    """One allow-list entry: an exact origin and a path pattern (None: any path)."""

    scheme: str
    host: str
    port: int | None
    path: re.Pattern[str] | None


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None
    path: str


def _origin(url: str) -> Origin | None:
    """The parts of ``url`` to compare, or None when it is not a URL docbase can judge safely."""
    if not url or len(url) > 2048 or any(ord(ch) < 33 or ord(ch) == 127 or ch == "\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc or "@" in parts.netloc or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    return Origin(scheme, parts.hostname, port if port is not None else DEFAULT_PORTS.get(scheme), parts.path or "/")


def _path_pattern(path: str) -> re.Pattern[str]:
    """``/a/*/b/**`` as a regex: ``*`` one segment's characters, ``**`` anything; no wildcard: the path or below."""
    stripped = path.rstrip("/")
    if "*" not in path:
        return re.compile(re.escape(stripped) + r"(?:/.*)?")
    out = []
    for piece in re.split(r"(\*\*|\*)", path):
        out.append(".*" if piece == "**" else "[^/]*" if piece == "*" else re.escape(piece))
    return re.compile("".join(out))


def parse_entry(entry: str) -> Allowed:
    """An ``auth_redirect_urls`` entry as an allow-list entry; raise RedirectSettingError when it cannot be one."""
    text = entry.strip()
    head, sep, _ = text.partition("://")
    if "*" in head or (sep and "*" in text[len(head) + 3 :].split("/", 1)[0]):
        raise RedirectSettingError(f"auth_redirect_urls: {text!r}: wildcards are allowed only in the path")
    origin = _origin(text)
    if origin is None:
        raise RedirectSettingError(f"auth_redirect_urls: {text!r} is not an absolute URL with a host")
    return Allowed(origin.scheme, origin.host, origin.port, _path_pattern(origin.path))


def site_entry(site_url: str) -> Allowed | None:
    """The site URL's origin, any path; None when the site URL itself is not a URL (nothing then matches it)."""
    origin = _origin(site_url)
    return Allowed(origin.scheme, origin.host, origin.port, None) if origin else None


@cache
def allow_list(site_url: str, redirect_urls: tuple[str, ...]) -> tuple[Allowed, ...]:
    site = site_entry(site_url)
    return ((site,) if site else ()) + tuple(parse_entry(u) for u in redirect_urls)


def is_allowed(wanted: str, entries: tuple[Allowed, ...]) -> bool:
    origin = _origin(wanted)
    if origin is None:
        return False
    for entry in entries:
        if (origin.scheme, origin.host, origin.port) != (entry.scheme, entry.host, entry.port):
            continue
        if entry.path is None or entry.path.fullmatch(origin.path):
            return True
    return False


def redirect_target(site_url: str, redirect_urls: tuple[str, ...], wanted: str | None) -> str:
    """``wanted`` when the allow-list allows it, else the site URL.

    Example:
        >>> redirect_target("https://app.example.com", (), "https://app.example.com/welcome")
        'https://app.example.com/welcome'
        >>> redirect_target("https://app.example.com", (), "https://app.example.com.evil.com/")
        'https://app.example.com'
    """
    if wanted and is_allowed(wanted, allow_list(site_url, redirect_urls)):
        return wanted
    return site_url
