"""Parse filter values (``not.in.(1,2)``) and logic trees (``or=(a.eq.1,and(b.gt.2,c.is.null))``).

Simple filters take the rest of the value verbatim after ``op.`` (so
``eq.a,b`` compares with ``a,b``); inside ``in.(...)`` and logic trees,
commas and parentheses separate terms and double quotes protect them, with
backslash escapes, as PostgREST reads them. Limits on terms and nesting
keep a hostile query from exhausting the database's expression depth.
"""

from __future__ import annotations

import re

from ..errors import bad_query
from .select import parse_field
from .syntax import FTS_OPERATORS, OPERATORS, Filter, Logic

MAX_TERMS = 500
MAX_NESTING = 12
_NESTED = re.compile(r"(and|or)\s*\(")
IS_VALUES = frozenset({"null", "not_null", "true", "false", "unknown"})


def parse_filter(column: str, value: str) -> Filter:
    """The filter ``column=value`` (value like ``not.eq.5``)."""
    return _filter(parse_field(column), value, f"{column}={value}")


def _filter(field, value: str, where: str) -> Filter:
    negate = False
    if value.startswith("not."):
        negate, value = True, value[4:]
    op, dot, rest = value.partition(".")
    if not dot:
        raise bad_query(f'"failed to parse filter ({where})"', "expecting an operator followed by '.', like eq.5")
    quantifier = language = None
    if op.endswith(")") and "(" in op and op.partition("(")[0] in FTS_OPERATORS:
        op, _, language = op[:-1].partition("(")
        if not language:
            raise bad_query(f'"failed to parse filter ({where})"', f"{op}() needs a language, like {op}(english)")
    elif op.endswith(")") and "(" in op:
        op, _, q = op[:-1].partition("(")
        if q not in ("any", "all") or op not in ("eq", "like", "ilike", "gt", "gte", "lt", "lte", "match", "imatch"):
            raise bad_query(f'"failed to parse filter ({where})"', f"unknown modifier ({q}) for {op}")
        quantifier = q
    if op not in OPERATORS:
        raise bad_query(
            f'"failed to parse filter ({where})"',
            f"unknown operator '{op}'; expected one of {', '.join(sorted(OPERATORS))}",
        )
    parsed: str | tuple[str, ...]
    if op == "in" or quantifier:
        parsed = parse_list(rest, where)
    elif op == "is":
        parsed = rest.lower()
        if parsed not in IS_VALUES:
            raise bad_query(f'"failed to parse filter ({where})"', "is. takes null, not_null, true, false or unknown")
    else:
        parsed = rest
    return Filter(field, op, parsed, negate, quantifier, language)


def parse_list(text: str, where: str) -> tuple[str, ...]:
    """``(a,"b,c",d)`` or ``{a,b}`` -> ('a', 'b,c', 'd')."""
    text = text.strip()
    if len(text) < 2 or (text[0], text[-1]) not in (("(", ")"), ("{", "}")):
        raise bad_query(f'"failed to parse filter ({where})"', "expecting a list in parentheses, like in.(1,2,3)")
    inner = text[1:-1]
    if not inner.strip():
        return ()
    parts = split_top(inner, where)
    if len(parts) > MAX_TERMS:
        raise bad_query(f"Too many values in a list (more than {MAX_TERMS})", where)
    return tuple(unquote(p) for p in parts)


def unquote(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        out, i = [], 1
        while i < len(t) - 1:
            if t[i] == "\\" and i + 1 < len(t) - 1:
                i += 1
            out.append(t[i])
            i += 1
        return "".join(out)
    return t


def split_top(text: str, where: str) -> list[str]:
    """Split at commas outside parentheses, braces and double quotes."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
            if depth < 0:
                raise bad_query(f'"failed to parse logic tree ({where})"', f"unbalanced ')' at position {i}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    if quoted or depth:
        raise bad_query(f'"failed to parse logic tree ({where})"', "unclosed quote or parenthesis")
    parts.append(text[start:])
    return parts


def parse_logic(op: str, value: str, negate: bool = False) -> Logic:
    """``or=(a.eq.1,and(b.gt.2,c.lt.3))`` -> Logic('or', ...)."""
    where = f"{'not.' if negate else ''}{op}={value}"
    counter = [0]
    return _logic(op, value, negate, where, 0, counter)


def _logic(op: str, body: str, negate: bool, where: str, depth: int, counter: list[int]) -> Logic:
    if depth > MAX_NESTING:
        raise bad_query(f"Logic tree is nested deeper than {MAX_NESTING} levels", where)
    body = body.strip()
    if len(body) < 2 or body[0] != "(" or body[-1] != ")":
        raise bad_query(
            f'"failed to parse logic tree ({where})"', "expecting terms in parentheses, like or=(a.eq.1,b.eq.2)"
        )
    children: list[Filter | Logic] = []
    for term in split_top(body[1:-1], where):
        term = term.strip()
        counter[0] += 1
        if counter[0] > MAX_TERMS:
            raise bad_query(f"Logic tree has more than {MAX_TERMS} terms", "Split the request or use in.(...)")
        neg = term.startswith("not.")
        head = term[4:] if neg else term
        nested = _NESTED.match(head)
        if nested:  # PostgREST allows blanks between the word and its parenthesis: "and ( a.eq.1 )"
            children.append(_logic(nested.group(1), head[nested.end(1) :], neg, where, depth + 1, counter))
        else:
            children.append(_term(term, where))
    if not children:
        raise bad_query(f'"failed to parse logic tree ({where})"', "empty logic tree")
    return Logic(op, tuple(children), negate)


def _term(term: str, where: str) -> Filter:
    # The column ends at the first "." outside a JSON path step.
    i = 0
    while i < len(term):
        if term.startswith("->>", i):
            i += 3
        elif term.startswith("->", i):
            i += 2
        elif term[i] == ".":
            break
        else:
            i += 1
    if i >= len(term):
        raise bad_query(f'"failed to parse logic tree ({where})"', f"term '{term}' lacks an operator, like col.eq.1")
    field = parse_field(term[:i])
    flt = _filter(field, term[i + 1 :], where)
    if isinstance(flt.value, str) and flt.op != "is":
        flt = Filter(flt.field, flt.op, unquote(flt.value), flt.negate, flt.quantifier, flt.language)
    return flt
