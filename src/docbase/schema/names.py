"""Words in identifiers: split, singularise, and compare names across notations.

Documents spell one thing many ways (``organizationId``, ``organization_id``,
``ORGANIZATIONS``, ``subscription`` for ``subscriptions``); these helpers
make the merge and the inference compare meanings rather than spellings.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable

import inflection

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(name: str) -> list[str]:
    """``organizationId`` -> ['organization', 'id']; ``LLMConfigStatus`` -> ['llm', 'config', 'status']."""
    return list(_words(name))


_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)  # the same column names are split again and again on a large document
def _words(name: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in _SEPARATORS.split(name):
        out.extend(w.lower() for w in _CAMEL.findall(part))
    return tuple(out)


def bare_words(name: str) -> tuple[str, ...]:
    """``schema.camelCase_name`` -> lower-case words with the schema prefix dropped (no singularising)."""
    return tuple(words(name.rsplit(".", 1)[-1]))


def singular_words(name: str) -> tuple[str, ...]:
    """``public.refreshTokens`` -> ('refresh', 'token'): the words every stage compares meanings by."""
    return tuple(singular(w) for w in bare_words(name))


@functools.lru_cache(maxsize=1 << 14)
def singular(word: str) -> str:
    """The English singular of one word, the same for every stage (``categories`` -> 'category').

    ``inflection`` knows the irregulars (``people`` -> 'person', ``analyses`` -> 'analysis'); the
    guards keep what it gets wrong for identifiers: short words (``has``, ``ids``), words that only
    look plural (``status``, ``bonus``, ``address``), Latin mass nouns used as table names
    (``data``, ``media``, ``metadata``), and four-letter ``-ies`` words (``ties`` is 'tie', not 'ty').
    """
    w = word.lower()
    if len(w) <= 3 or w.endswith(("ss", "us", "is", "a")):
        return w
    if len(w) == 4 and w.endswith("ies"):
        return w[:-1]
    return _singularize(w)


# inflection.singularize's own rules, compiled once: it looks each rule up in ``re``'s cache per call,
# which made singularising the largest single cost of merging a document with thousands of tables.
_UNCOUNTABLE = re.compile(r"(?i)\b(" + "|".join(sorted(inflection.UNCOUNTABLES)) + r")\Z")
_SINGULAR_RULES = tuple((re.compile(rule), replacement) for rule, replacement in inflection.SINGULARS)


def _singularize(word: str) -> str:
    """``inflection.singularize``, rule for rule."""
    if _UNCOUNTABLE.search(word):
        return word
    for rule, replacement in _SINGULAR_RULES:
        if rule.search(word):
            return rule.sub(replacement, word)
    return word


@functools.lru_cache(maxsize=1 << 16)
def key(name: str) -> str:
    """A spelling-free key: case, separators and plural of the last word ignored.

    Cached: the merge compares every table's name with the names fragments use, so the same
    few thousand names are keyed millions of times on a large document (bench/read.py)."""
    ws = words(name)
    if not ws:
        return name.lower()
    ws[-1] = singular(ws[-1])
    return "_".join(ws)


def same_name(a: str, b: str) -> bool:
    return a == b or key(a) == key(b)


def stem_of_reference(column: str) -> str | None:
    """The noun a reference column names: ``user_id`` -> 'user', ``organizationId`` -> 'organization'."""
    ws = words(column)
    if len(ws) >= 2 and ws[-1] in ("id", "uuid", "key", "fk", "ref"):
        return "_".join(ws[:-1])
    return None


def is_abbreviation(short: str, long: str) -> bool:
    """Whether ``short`` plausibly abbreviates ``long`` (``last_visited_ws_id`` vs ``last_visited_workspace_id``).

    Each word of the short name must be a prefix, an initialism or a subsequence
    of the long name's words, in order, allowing the long name extra words.
    """
    sw, lw = words(short), words(long)
    if not sw or sw == lw:
        return False
    i = 0
    for w in sw:
        while i < len(lw) and not _word_abbreviates(w, lw[i]):
            i += 1
        if i == len(lw):
            return False
        i += 1
    return True


def _word_abbreviates(w: str, full: str) -> bool:
    if w == full or full.startswith(w) or (len(w) >= 2 and _subsequence(w, full) and w[0] == full[0]):
        return True
    return False


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``; did you mean 'users'?`` for the closest known name, or '' when none is close.

    >>> did_you_mean("usres", ["users", "orders"])
    "; did you mean 'users'?"
    """
    pool = list(dict.fromkeys(candidates))
    by_lower = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean {by_lower[close[0]]!r}?" if close else ""
