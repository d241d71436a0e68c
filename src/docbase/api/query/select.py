"""Parse PostgREST's ``select`` parameter into SelectColumn / SelectStar / Embed items.

A hand-written recursive-descent parser over the string with a cursor, so
every error can say *where* it went wrong (``at position 7 near "!)"``);
whitespace outside double quotes is ignored, as supabase-js strips it anyway.
Malformed input is reported, never half-parsed.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import bad_query
from .syntax import AGGREGATES, CASTS, Embed, Field, JsonStep, SelectColumn, SelectItem, SelectStar

MAX_DEPTH = 32  # a guard on this parser's recursion; the limit users meet is max_embed_depth (api.limits)
_STOP = set(',:()!"*') | {" ", "\t", "\n", "\r"}


class Cursor:
    """A position in a parameter value, with helpers that raise PGRST100 naming the position."""

    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.pos = 0
        self.what = what

    def fail(self, expected: str) -> Exception:
        near = self.text[self.pos : self.pos + 10] or "end of input"
        return bad_query(
            f'"failed to parse {self.what} parameter ({self.text})"',
            f'unexpected "{near}" at position {self.pos}, expecting {expected}',
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, s: str) -> bool:
        self.skip_space()
        return self.text.startswith(s, self.pos)

    def take(self, s: str) -> bool:
        if self.peek(s):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str) -> None:
        if not self.take(s):
            raise self.fail(f'"{s}"')

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def name(self, stop: set[str] = _STOP) -> str:
        """An identifier: a double-quoted string or a run of characters up to a delimiter."""
        self.skip_space()
        if self.take('"'):
            out = []
            while self.pos < len(self.text) and self.text[self.pos] != '"':
                if self.text[self.pos] == "\\" and self.pos + 1 < len(self.text):
                    self.pos += 1
                out.append(self.text[self.pos])
                self.pos += 1
            self.expect('"')
            if not out:
                raise self.fail("a name")
            return "".join(out)
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in stop or self.text.startswith("->", self.pos) or self.text.startswith("::", self.pos):
                break
            if ch == "." and self.text.startswith("...", self.pos):
                break
            self.pos += 1
        if self.pos == start:
            raise self.fail("a column or relation name")
        return self.text[start : self.pos]


def json_path(cur: Cursor) -> tuple[JsonStep, ...]:
    steps: list[JsonStep] = []
    while True:
        if cur.take("->>"):
            steps.append(JsonStep(cur.name(_STOP | {"-", "."}), True))
        elif cur.take("->"):
            steps.append(JsonStep(cur.name(_STOP | {"-", "."}), False))
        else:
            return tuple(steps)


@lru_cache(maxsize=1024)
def parse_field(text: str, what: str = "filter") -> Field:
    """A column with an optional JSON path, as in filter keys and order terms.

    Cached (the result is frozen): the same few column names arrive on every request, and a
    character-by-character parse of each cost more than the rest of query parsing together.
    """
    cur = Cursor(text, what)
    name = cur.name(_STOP | {"."})
    path = json_path(cur)
    if not cur.at_end():
        raise cur.fail("end of column")
    return Field(name, path)


@lru_cache(maxsize=1024)
def parse_select(text: str) -> tuple[SelectItem, ...]:
    """``id,name:title,author:users!created_by(*),data->>k::text`` -> items; empty means ``*``.

    Cached (the items are frozen): a client sends the same few selects over and over.
    """
    cur = Cursor(text, "select")
    if cur.at_end():
        return (SelectStar(),)
    items = _items(cur, 0)
    if not cur.at_end():
        raise cur.fail('"," or end of input')
    return items


def _items(cur: Cursor, depth: int) -> tuple[SelectItem, ...]:
    if depth > MAX_DEPTH:
        raise bad_query(f"Embedding is nested deeper than {MAX_DEPTH} levels", cur.text)
    items = [_item(cur, depth)]
    while cur.take(","):
        items.append(_item(cur, depth))
    return tuple(items)


def _item(cur: Cursor, depth: int) -> SelectItem:
    if cur.take("*"):
        return SelectStar()
    spread = cur.take("...")
    first = cur.name()
    alias = None
    if not spread and cur.peek(":") and not cur.peek("::"):
        cur.expect(":")
        alias, first = first, cur.name()
    hint = None
    inner = False
    saw_bang = False
    while cur.take("!"):
        saw_bang = True
        word = cur.name()
        if word in ("inner", "left"):
            inner = word == "inner"
        elif hint is None:
            hint = word
        else:
            raise cur.fail("one hint only")
    if not spread and not saw_bang and first == "count" and cur.take("()"):
        return SelectColumn(Field("*"), alias, None, "count", _cast(cur))
    first, aggregate = _aggregate_suffix(cur, first)
    if aggregate is None and cur.take("("):
        # ``users()`` is PostgREST's empty embed: no output, there to filter (with !inner) or order by
        inner_items: tuple[SelectItem, ...] = () if cur.peek(")") else _items(cur, depth + 1)
        cur.expect(")")
        return Embed(first, inner_items, alias, hint, inner, spread)
    if spread or saw_bang:
        raise cur.fail('"(" to open the embedded resource')
    path = () if aggregate else json_path(cur)
    cast = None
    if aggregate is None and cur.take("::"):
        cast, aggregate = _aggregate_suffix(cur, cur.name())
        cast = _known_cast(cast.lower())
    if aggregate is None and cur.peek("."):
        mark = cur.pos
        cur.take(".")
        word = cur.name(_STOP | {"."})
        if word in AGGREGATES and cur.take("()"):
            aggregate = word
        else:
            cur.pos = mark
    agg_cast = _cast(cur) if aggregate else None
    return SelectColumn(Field(first, path), alias, cast, aggregate, agg_cast)


def _aggregate_suffix(cur: Cursor, name: str) -> tuple[str, str | None]:
    """``amount.sum`` followed by ``()`` -> ('amount', 'sum'); anything else is left as it is."""
    base, dot, word = name.rpartition(".")
    if dot and base and cur.peek("()"):
        if word not in AGGREGATES:
            raise cur.fail(f"an aggregate ({', '.join(sorted(AGGREGATES))}), not '{word}()'")
        cur.take("()")
        return base, word
    return name, None


def _cast(cur: Cursor) -> str | None:
    return _known_cast(cur.name().lower()) if cur.take("::") else None


def _known_cast(cast: str) -> str:
    if cast not in CASTS:
        raise bad_query(f"Unsupported cast '{cast}' in select", f"Supported casts: {', '.join(sorted(CASTS))}")
    return cast
