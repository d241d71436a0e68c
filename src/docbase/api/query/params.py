"""Query-string parameters -> Query: which keys are reserved words and which are filters.

Reserved: ``select order limit offset columns on_conflict or and not.or
not.and``, each also after an embed path (``author.order=``,
``posts.limit=``, ``posts.or=``). Every other key is a filter on a column,
``rel.col`` filtering an embedded resource.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from ..errors import bad_query
from .filters import parse_filter, parse_logic
from .ranges import negative_limit
from .select import parse_field, parse_select
from .syntax import OrderTerm, Query


def parse_query(params: Iterable[tuple[str, str]]) -> Query:
    """Parse the (key, value) pairs of a request's query string."""
    query = Query()
    for key, value in params:
        if key in ("select", "columns", "on_conflict"):
            if key == "select":
                query.select = parse_select(value)
            else:
                names = tuple(n.strip().strip('"') for n in value.split(",") if n.strip())
                if not names:
                    raise bad_query(f"'{key}' needs at least one column name")
                setattr(query, key, names)
            continue
        path, word = _split_key(key)
        if word in ("or", "and"):
            negate = bool(path) and path[-1] == "not"
            if negate:
                path = path[:-1]
            query.where.setdefault(path, []).append(parse_logic(word, value, negate))
        elif word == "order":
            query.order[path] = parse_order(value)
        elif word in ("limit", "offset"):
            number = _integer(value, word)
            if number < 0 and word == "limit":
                raise negative_limit()
            # a negative offset is no offset, as in PostgREST
            (query.limit if word == "limit" else query.offset)[path] = max(number, 0)
        else:
            query.where.setdefault(path, []).append(parse_filter(word, value))
    return query


def _split_key(key: str) -> tuple[tuple[str, ...], str]:
    """``a.b.col->x`` -> (('a', 'b'), 'col->x'): dots before the first JSON arrow separate embeds."""
    head, arrow, tail = key.partition("->")
    parts = head.split(".")
    if any(not p for p in parts):
        raise bad_query(f'"failed to parse filter ({key})"', "empty name between dots")
    return tuple(parts[:-1]), parts[-1] + arrow + tail


def _integer(value: str, word: str) -> int:
    try:
        number = int(value) if len(value) <= 20 else None
    except ValueError:
        number = None
    if number is None or not -(2**63) <= number < 2**63:
        raise bad_query(f'"failed to parse {word} parameter ({value})"', f"{word} must be a 64-bit integer")
    return number


@lru_cache(maxsize=1024)
def parse_order(value: str) -> tuple[OrderTerm, ...]:
    """``a.desc.nullslast,b`` -> order terms (cached: frozen terms, and clients repeat their orders)."""
    terms = []
    for raw in value.split(","):
        raw = raw.strip()
        if not raw:
            raise bad_query(f'"failed to parse order ({value})"', "empty order term")
        relation = None
        head, paren, rest = raw.partition("(")
        if paren:  # author(name).desc: a column of a to-one embedded resource (PostgREST 11+)
            inside, close, mods = rest.partition(")")
            if not close or not head or "." in head or (mods and not mods.startswith(".")):
                raise bad_query(f'"failed to parse order ({value})"', "expecting rel(column), like author(name).desc")
            relation, raw = head.strip(), inside.strip() + mods
        pieces = _split_order_term(raw)
        field = parse_field(pieces[0], "order")
        desc, nulls = False, None
        for word in pieces[1:]:
            if word in ("asc", "desc"):
                desc = word == "desc"
            elif word in ("nullsfirst", "nullslast"):
                nulls = word[5:]
            else:
                raise bad_query(
                    f'"failed to parse order ({value})"',
                    f"unknown modifier '{word}'; use asc, desc, nullsfirst, nullslast",
                )
        terms.append(OrderTerm(field, desc, nulls, relation))
    return tuple(terms)


def _split_order_term(raw: str) -> list[str]:
    head, arrow, tail = raw.partition("->")
    if not arrow:
        return raw.split(".")
    # Modifiers follow the JSON path: data->a->>b.desc
    path_part, dot, mods = tail.partition(".")
    return [head + arrow + path_part] + (mods.split(".") if dot else [])
