"""Text values matched to column names: emails, names, slugs, URLs, titles, bodies, external ids.

Values are built column-wise from the pools (``pools.py``) with cheap string
joins. A unique column gets the row number worked into the value (``ada.lovelace17@…``,
``blue-harbor-17``) so uniqueness holds by construction; a length limit is
respected by trimming the body, never the distinguishing suffix.
"""

from __future__ import annotations

import random

from .names import has, table_kind, words
from .pools import Pools

_STATUS = ("active", "pending", "completed", "failed", "archived")
_ROLES = ("owner", "admin", "member", "viewer")
_PRIORITY = ("low", "medium", "high", "critical")


def text_kind(column: str, table: str) -> str:
    """The kind of text a column holds, from its name (and its table's, for ``name``)."""
    ws = words(column)
    last = ws[-1] if ws else ""
    if has(ws, "email", "mail") and not has(ws, "verified", "sent", "template", "subject", "body"):
        return "email"
    if has(ws, "ip") or column.lower() in ("ip_address", "ipaddress"):
        return "ipv4"
    if has(ws, "url", "uri", "link", "website", "href", "endpoint", "webhook", "homepage", "callback"):
        return "url"
    if has(ws, "image", "avatar", "logo", "photo", "picture", "icon", "thumbnail"):
        return "image"
    if has(ws, "slug", "handle"):
        return "slug"
    if has(ws, "phone", "mobile", "tel"):
        return "phone"
    if has(ws, "password", "secret", "hash", "digest", "signature", "salt", "encrypted", "ciphertext"):
        return "hash"
    if has(ws, "token"):
        return "token"
    if last == "id" or last == "ids" or has(ws, "sid", "arn", "ref"):
        return "external_id"
    if has(ws, "first", "given") and has(ws, "name"):
        return "first_name"
    if has(ws, "last", "family", "surname") and (has(ws, "name") or "surname" in ws):
        return "last_name"
    if has(ws, "username", "login", "nickname") or (has(ws, "user") and last == "name"):
        return "username"
    if has(ws, "company", "organization", "org", "employer", "vendor"):
        return "company"
    if last == "name" or ws == ("display", "name") or ws == ("full", "name"):
        kind = table_kind(table)
        if kind == "person" and len(ws) <= 2 and not has(ws, "file", "display", "project", "job", "test"):
            return "name"
        if has(ws, "file"):
            return "file_name"
        return "company" if kind == "company" and len(ws) == 1 else "words"
    if has(ws, "title", "subject", "headline", "label", "caption"):
        return "title"
    if has(ws, "description", "summary", "bio", "about", "excerpt", "reason", "note", "notes", "comment"):
        return "sentence"
    if has(
        ws,
        "body",
        "content",
        "message",
        "text",
        "prompt",
        "response",
        "details",
        "log",
        "logs",
        "error",
        "answer",
        "output",
        "input",
        "markdown",
        "html",
        "transcript",
        "instructions",
    ):
        return "paragraph"
    if has(ws, "script", "code", "snippet", "source", "query", "sql") and last not in ("id", "type"):
        return "code"
    if has(ws, "path", "dir", "directory", "key") and has(ws, "s3", "storage", "file", "object", "screenshots"):
        return "file_path"
    if has(ws, "path"):
        return "file_path"
    if has(ws, "file", "filename"):
        return "file_name"
    if ws == ("key",) or has(ws, "variable", "env"):
        return "env_key"
    if has(ws, "domain", "host", "hostname"):
        return "domain"
    if has(ws, "city"):
        return "city"
    if has(ws, "country"):
        return "country_code" if has(ws, "code") else "country"
    if has(ws, "address", "street"):
        return "address"
    if has(ws, "zip", "postcode", "postal"):
        return "postcode"
    if has(ws, "agent"):
        return "user_agent"
    if has(ws, "color", "colour"):
        return "color"
    if has(ws, "currency"):
        return "currency"
    if has(ws, "locale", "lang"):
        return "locale"
    if has(ws, "language"):
        return "language"
    if has(ws, "timezone", "tz"):
        return "timezone"
    if has(ws, "mime") or ws[-2:] == ("content", "type"):
        return "mime"
    if has(ws, "version"):
        return "version"
    if has(ws, "cron", "schedule"):
        return "cron"
    if has(ws, "region", "location", "zone", "datacenter"):
        return "region"
    if has(ws, "duration", "elapsed"):
        return "duration"
    if has(ws, "status", "state"):
        return "status"
    if has(ws, "role"):
        return "role"
    if has(ws, "priority", "severity", "level"):
        return "priority"
    if has(ws, "job", "occupation", "position"):
        return "job"
    return "words"


def text_values(
    kind: str, n: int, rng: random.Random, pools: Pools, unique: bool, length: int | None, column: str
) -> list[str]:
    values = _base(kind, n, rng, pools, unique, column)
    if length:
        values = [_fit(v, length, i if unique else None) for i, v in enumerate(values)]
    return values


def _base(kind: str, n: int, rng: random.Random, pools: Pools, unique: bool, column: str) -> list[str]:
    draw = pools.draw
    if kind == "email":
        firsts, lasts, domains = draw("first_name", n, rng), draw("last_name", n, rng), draw("domain", n, rng)
        tags = range(1, n + 1) if unique else rng.choices(range(1, 100), k=n)
        return [f"{f}.{la}{t}@{d}".lower() for f, la, t, d in zip(firsts, lasts, tags, domains, strict=True)]
    if kind == "slug":
        a, b = draw("word", n, rng), draw("word", n, rng)
        if unique:
            return [f"{x}-{y}-{i + 1}" for i, (x, y) in enumerate(zip(a, b, strict=True))]
        return [f"{x}-{y}" for x, y in zip(a, b, strict=True)]
    if kind == "image":
        return [
            f"https://{d}/images/{w}.png" for d, w in zip(draw("domain", n, rng), draw("word", n, rng), strict=True)
        ]
    if kind == "external_id":
        prefix = "".join(w[0] for w in words(column)[:-1])[:4] or "id"
        return [f"{prefix}_{rng.getrandbits(64):016x}" for _ in range(n)]
    if kind == "hash":
        return [f"{rng.getrandbits(256):064x}" for _ in range(n)]
    if kind == "token":
        return [f"{rng.getrandbits(160):040x}" for _ in range(n)]
    if kind == "env_key":
        return [w.upper() + "_" + v.upper() for w, v in zip(draw("word", n, rng), draw("word", n, rng), strict=True)]
    if kind == "duration":
        return [f"{rng.randint(1, 600)}.{rng.randint(0, 9)}s" for _ in range(n)]
    if kind == "status":
        return rng.choices(_STATUS, k=n)
    if kind == "role":
        return rng.choices(_ROLES, k=n)
    if kind == "priority":
        return rng.choices(_PRIORITY, k=n)
    if kind == "ipv4":
        return draw("ipv4", n, rng)
    if kind in (
        "first_name",
        "last_name",
        "name",
        "username",
        "company",
        "title",
        "sentence",
        "paragraph",
        "url",
        "file_name",
        "file_path",
        "phone",
        "domain",
        "city",
        "country",
        "country_code",
        "address",
        "postcode",
        "user_agent",
        "color",
        "currency",
        "locale",
        "language",
        "timezone",
        "mime",
        "version",
        "cron",
        "region",
        "job",
        "code",
        "words",
    ):
        values = draw(kind, n, rng)
        if unique:
            sep = "" if kind in ("username",) else " "
            if kind in ("url", "domain", "file_name", "file_path"):
                return [
                    f"{v.rsplit('.', 1)[0] if kind == 'domain' else v}{'/' if kind == 'url' else '-'}{i + 1}"
                    + (".com" if kind == "domain" else "")
                    for i, v in enumerate(values)
                ]
            return [f"{v}{sep}{i + 1}" for i, v in enumerate(values)]
        return values
    return draw("words", n, rng)


def _fit(value: str, length: int, index: int | None) -> str:
    """Trim to ``length`` characters, keeping a unique value's row-number suffix."""
    if len(value) <= length:
        return value
    if index is None:
        return value[:length]
    suffix = str(index + 1)
    if len(suffix) >= length:
        return suffix[-length:]
    return value[: length - len(suffix)] + suffix
