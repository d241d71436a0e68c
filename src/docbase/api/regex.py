"""``match``/``imatch`` on SQLite: regular expressions in linear time (RE2), so no pattern can stall a worker.

SQLite has no regex engine; docbase registers ``regexp(pattern, value)``.
Python's ``re`` backtracks: ``^(a+)+$`` against 30 a's and a '!' runs for
minutes, and SQLite runs on the event loop, so one request would stall the
whole server. RE2 (google-re2) guarantees time linear in the input and
refuses what it cannot do in linear time (backreferences, lookaround);
such a pattern, like any malformed one, is PostgreSQL's own answer to a bad
regex: 400 with code 2201B. PostgreSQL filters with its own engine.

SQLite reports an exception raised inside a function only as "user-defined
function raised exception", so :class:`Regexp` keeps the refusal for the
driver to report (api.db).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import re2

from .errors import ApiError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every refused pattern on stderr
_OPTIONS.never_capture = True  # only "does it match" is asked: no groups to track


def invalid_regex(reason: str) -> ApiError:
    """PostgreSQL's invalid_regular_expression, with the status PostgREST gives it."""
    return ApiError(400, "2201B", f"invalid regular expression: {reason}")


@lru_cache(maxsize=512)
def compiled(pattern: str) -> Callable[[str], bool]:
    """Whether a text matches ``pattern`` (compiled once: a filter runs it on every row); ApiError if refused."""
    try:
        program = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "not a valid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise invalid_regex(str(reason)) from None
    return _searcher(program)


def _searcher(program: Any) -> Callable[[str], bool]:
    """``program.search`` builds a match object with str offsets on every call (6 us); a filter needs only
    yes or no, which RE2's own Match answers in under half the time. The public call is the fallback
    should google-re2 change its internals."""
    raw = getattr(program, "_regexp", None)
    anchor = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    no_match = getattr(re2, "_NULL_SPAN", None)
    if raw is None or anchor is None or no_match is None or not hasattr(raw, "Match"):
        return lambda text: program.search(text) is not None
    match = raw.Match

    def search(text: str) -> bool:
        encoded = text.encode("utf-8", "surrogatepass")
        return match(anchor, encoded, 0, len(encoded))[0] != no_match

    return search


class Regexp:
    """SQLite's ``regexp(pattern, value)``: 1 or 0, NULL for NULL; remembers the last refused pattern."""

    def __init__(self) -> None:
        self.refused: ApiError | None = None

    def __call__(self, pattern: str | None, value: Any) -> int | None:
        if pattern is None or value is None:
            return None
        try:
            search = compiled(str(pattern))
        except ApiError as exc:
            self.refused = exc
            raise
        return 1 if search(value if isinstance(value, str) else str(value)) else 0

    def take_refusal(self) -> ApiError | None:
        """The refusal that made the last statement fail, if a pattern did (and forget it)."""
        refused, self.refused = self.refused, None
        return refused
