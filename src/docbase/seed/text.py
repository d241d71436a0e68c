"""Text values matched to column names: emails, names, slugs, URLs, titles, bodies, external ids.

Values are built column-wise from the pools (``pools.py``) with cheap string
joins. A unique column gets the row number worked into the value (``ada.lovelace17@…``,
``blue-harbor-17``) so uniqueness holds by construction; a length limit is
respected by trimming the body, never the distinguishing suffix.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .names import has, table_kind, words
from .pools import Pools

_STATUS = ("active", "pending", "completed", "failed", "archived")
_ROLES = ("owner", "admin", "member", "viewer")
_PRIORITY = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class _Name:
    """A column's name as the rules see it: its words, the last one, and its table."""

    column: str
    table: str
    words: tuple[str, ...]

    @property
    def last(self) -> str:
        return self.words[-1] if self.words else ""

    def has(self, *vocabulary: str) -> bool:
        return has(self.words, *vocabulary)


def _any(*vocabulary: str) -> Callable[[_Name], bool]:
    """The common rule: the name has one of these words."""
    return lambda n: n.has(*vocabulary)


def _name_kind(n: _Name) -> str:
    """A bare ``name`` is a person's in ``users``, a company's in ``organizations``, words elsewhere."""
    kind = table_kind(n.table)
    if kind == "person" and len(n.words) <= 2 and not n.has("file", "display", "project", "job", "test"):
        return "name"
    if n.has("file"):
        return "file_name"
    return "company" if kind == "company" and len(n.words) == 1 else "words"


_PARAGRAPH = (
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
)

# Ordered: the first rule that matches decides, so the narrower reading of a word comes first
# (``email_verified`` is not an email; ``user_name`` is a username before it is a name).
# A kind is a string, or a function of the name for the one rule whose answer depends on the table.
_RULES: tuple[tuple[str | Callable[[_Name], str], Callable[[_Name], bool]], ...] = (
    ("email", lambda n: n.has("email", "mail") and not n.has("verified", "sent", "template", "subject", "body")),
    ("ipv4", lambda n: n.has("ip") or n.column.lower() in ("ip_address", "ipaddress")),
    ("url", _any("url", "uri", "link", "website", "href", "endpoint", "webhook", "homepage", "callback")),
    ("image", _any("image", "avatar", "logo", "photo", "picture", "icon", "thumbnail")),
    ("slug", _any("slug", "handle")),
    ("phone", _any("phone", "mobile", "tel")),
    ("hash", _any("password", "secret", "hash", "digest", "signature", "salt", "encrypted", "ciphertext")),
    ("token", _any("token")),
    ("external_id", lambda n: n.last in ("id", "ids") or n.has("sid", "arn", "ref")),
    ("first_name", lambda n: n.has("first", "given") and n.has("name")),
    ("last_name", lambda n: n.has("last", "family", "surname") and (n.has("name") or "surname" in n.words)),
    ("username", lambda n: n.has("username", "login", "nickname") or (n.has("user") and n.last == "name")),
    ("company", _any("company", "organization", "org", "employer", "vendor")),
    (_name_kind, lambda n: n.last == "name" or n.words in (("display", "name"), ("full", "name"))),
    ("title", _any("title", "subject", "headline", "label", "caption")),
    ("sentence", _any("description", "summary", "bio", "about", "excerpt", "reason", "note", "notes", "comment")),
    ("paragraph", _any(*_PARAGRAPH)),
    ("code", lambda n: n.has("script", "code", "snippet", "source", "query", "sql") and n.last not in ("id", "type")),
    (
        "file_path",
        lambda n: n.has("path", "dir", "directory", "key") and n.has("s3", "storage", "file", "object", "screenshots"),
    ),
    ("file_path", _any("path")),
    ("file_name", _any("file", "filename")),
    ("env_key", lambda n: n.words == ("key",) or n.has("variable", "env")),
    ("domain", _any("domain", "host", "hostname")),
    ("city", _any("city")),
    ("country_code", lambda n: n.has("country") and n.has("code")),
    ("country", _any("country")),
    ("address", _any("address", "street")),
    ("postcode", _any("zip", "postcode", "postal")),
    ("user_agent", _any("agent")),
    ("color", _any("color", "colour")),
    ("currency", _any("currency")),
    ("locale", _any("locale", "lang")),
    ("language", _any("language")),
    ("timezone", _any("timezone", "tz")),
    ("mime", lambda n: n.has("mime") or n.words[-2:] == ("content", "type")),
    ("version", _any("version")),
    ("cron", _any("cron", "schedule")),
    ("region", _any("region", "location", "zone", "datacenter")),
    ("duration", _any("duration", "elapsed")),
    ("status", _any("status", "state")),
    ("role", _any("role")),
    ("priority", _any("priority", "severity", "level")),
    ("job", _any("job", "occupation", "position")),
)


def text_kind(column: str, table: str) -> str:
    """The kind of text a column holds, from its name (and its table's, for ``name``): the first of
    ``_RULES`` that matches, else ``words``."""
    name = _Name(column, table, words(column))
    for kind, matches in _RULES:
        if matches(name):
            return kind if isinstance(kind, str) else kind(name)
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
