"""``Accept: application/vnd.pgrst.plan``: PostgreSQL's EXPLAIN of the read instead of its rows.

As PostgREST: ``+json`` or ``+text`` (plain ``vnd.pgrst.plan`` is text),
``for="..."`` naming the media type planned for, and ``options=`` any of
``analyze verbose settings buffers wal`` joined by ``|``. Only those words
reach the EXPLAIN; anything else is PGRST107. SQLite has no comparable
plan, so there it is PGRST127 naming the feature.

>>> p = parse_plan('application/vnd.pgrst.plan+json; options=analyze|buffers')
>>> p.explain("SELECT 1")
'EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) SELECT 1'
>>> p.media_type
'application/vnd.pgrst.plan+json; for="application/json"; options=analyze|buffers; charset=utf-8'
>>> parse_plan("application/json") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ApiError

MEDIA = "application/vnd.pgrst.plan"
OPTIONS = ("analyze", "verbose", "settings", "buffers", "wal")


@dataclass(frozen=True)
class Plan:
    format: str  # "json" | "text"
    target: str
    options: tuple[str, ...]

    def explain(self, sql: str) -> str:
        words = [f"FORMAT {self.format.upper()}", *(o.upper() for o in self.options)]
        return f"EXPLAIN ({', '.join(words)}) {sql}"

    @property
    def media_type(self) -> str:
        parts = [f"{MEDIA}+{self.format}", f'for="{self.target}"']
        if self.options:
            parts.append("options=" + "|".join(self.options))
        return "; ".join([*parts, "charset=utf-8"])


def parse_plan(accept: str | None) -> Plan | None:
    """The plan the Accept header asks for, or None when it asks for rows."""
    if not accept or MEDIA not in accept:
        return None
    for candidate in accept.split(","):
        kind, *params = (p.strip() for p in candidate.split(";"))
        if not kind.startswith(MEDIA):
            continue
        suffix = kind[len(MEDIA) :]
        if suffix not in ("", "+json", "+text"):
            break
        target, options = "application/json", ()
        for param in params:
            key, _, value = param.partition("=")
            if key == "for":
                target = value.strip('"')
            elif key == "options":
                options = tuple(o for o in value.split("|") if o)  # postgrest-js sends `options=;`
        if target not in ("application/json", "text/csv", "application/vnd.pgrst.object+json") or any(
            o not in OPTIONS for o in options
        ):
            break
        return Plan("json" if suffix == "+json" else "text", target, options)
    raise ApiError(406, "PGRST107", "None of these media types are available: " + accept, None, None)


__all__ = ["MEDIA", "OPTIONS", "Plan", "parse_plan"]
