"""PostgreSQL's range types on SQLite: the text form, canonical values, and every range operator.

SQLite has no range types, so docbase keeps a range column as PostgreSQL's text
(``[1,4)``). For the same rows to match on both databases, two things are done
here exactly as PostgreSQL does them (``rangetypes.c``):

- values are stored canonical: discrete ranges (``int4range``, ``int8range``,
  ``daterange``) as ``[lower,upper)``, an empty range as ``empty``, so ``[1,3]``
  is stored and returned as ``[1,4)``;
- the operators PostgREST maps (``= <> < <= > >= @> <@ && << >> &< &> -|-``
  and ``IS DISTINCT FROM``) compare bounds with PostgreSQL's rules for
  inclusive and exclusive and infinite bounds, through one SQLite function,
  ``docbase_range(op, type, left, right)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

DISCRETE = {"int4range", "int8range", "daterange"}
KINDS = DISCRETE | {"numrange", "tsrange", "tstzrange"}


class BoundsOutOfOrder(ValueError):
    """``[5,1)``: PostgreSQL's 22000, not a malformed literal (22P02)."""


@dataclass(frozen=True)
class Range:
    empty: bool
    lower: Any = None  # None: unbounded (minus infinity)
    upper: Any = None  # None: unbounded (plus infinity)
    lower_inc: bool = False
    upper_inc: bool = False


def _element(kind: str, text: str) -> Any:
    if kind in ("int4range", "int8range"):
        value = int(text)
        bound = 2**31 if kind == "int4range" else 2**63
        if not -bound <= value < bound:
            raise ValueError(text)
        return value
    if kind == "numrange":
        return Decimal(text)
    if kind == "daterange":
        return date.fromisoformat(text.strip())
    moment = datetime.fromisoformat(_iso(text.strip()))
    if kind == "tstzrange":
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _iso(text: str) -> str:
    """PostgreSQL's ``2020-01-01 10:00:00+00`` as fromisoformat reads it (``+00`` -> ``+00:00``)."""
    if len(text) >= 3 and text[-3] in "+-" and text[-2:].isdigit():
        return text + ":00"
    return text


def _split(text: str) -> tuple[str, str, str, str]:
    """``[a,b)`` -> ('[', 'a', 'b', ')'); bounds may be double-quoted (with \\ and "" escapes)."""
    text = text.strip()
    if len(text) < 3 or text[0] not in "[(" or text[-1] not in ")]":
        raise ValueError(text)
    body = text[1:-1]
    parts: list[str] = []
    current, quoted, i = [], False, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current.append(body[i + 1])
            i += 2
            continue
        if ch == '"':
            if quoted and i + 1 < len(body) and body[i + 1] == '"':
                current.append('"')
                i += 2
                continue
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    if len(parts) != 2 or quoted:
        raise ValueError(text)
    return text[0], parts[0], parts[1], text[-1]


def parse(kind: str, text: str) -> Range:
    """PostgreSQL's range input, canonical for discrete types; ValueError when it is not a range of ``kind``."""
    if text.strip().lower() == "empty":
        return Range(True)
    opening, low, high, closing = _split(text)
    lower = _element(kind, low) if low.strip() else None
    upper = _element(kind, high) if high.strip() else None
    lower_inc = opening == "[" and lower is not None
    upper_inc = closing == "]" and upper is not None
    if lower is not None and upper is not None:
        if lower > upper:
            raise BoundsOutOfOrder("range lower bound must be less than or equal to range upper bound")
    if kind in DISCRETE:
        step = 1 if kind != "daterange" else timedelta(days=1)
        if lower is not None and not lower_inc:
            lower, lower_inc = lower + step, True
        if upper is not None and upper_inc:
            upper, upper_inc = upper + step, False
    if lower is not None and upper is not None:
        if lower > upper or (lower == upper and not (lower_inc and upper_inc)):
            return Range(True)  # (4,4) or int4range (4,5): nothing lies between
    return Range(False, lower, upper, lower_inc, upper_inc)


def _show(kind: str, value: Any) -> str:
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond:06d}".rstrip("0")
        return f'"{text}+00"' if kind == "tstzrange" else f'"{text}"'
    return str(value)


def text(kind: str, r: Range) -> str:
    """PostgreSQL's output: ``[1,4)``, ``(,5]``, ``empty``, ``["2020-01-01 00:00:00+00",)``."""
    if r.empty:
        return "empty"
    low = "" if r.lower is None else _show(kind, r.lower)
    high = "" if r.upper is None else _show(kind, r.upper)
    return f"{'[' if r.lower_inc else '('}{low},{high}{']' if r.upper_inc else ')'}"


def from_driver(value: Any) -> str:
    """asyncpg's ``Range`` (rows a write returns on PostgreSQL) as PostgreSQL's text, as a read gives it."""
    if value.isempty:
        return "empty"
    sample = value.lower if value.lower is not None else value.upper
    kind = "tstzrange" if isinstance(sample, datetime) and sample.tzinfo else "tsrange"
    r = Range(False, value.lower, value.upper, value.lower_inc, value.upper_inc)
    if isinstance(sample, datetime) and sample.tzinfo:
        r = Range(False, *(x.astimezone(UTC) if x else x for x in (value.lower, value.upper)), r.lower_inc, r.upper_inc)
    return text(kind, r)


def canonical(kind: str, value: str) -> str:
    return text(kind, parse(kind, value))


def _cmp_bounds(v1: Any, inc1: bool, lower1: bool, v2: Any, inc2: bool, lower2: bool) -> int:
    """PostgreSQL's range_cmp_bounds: order two bounds (each a lower or an upper one)."""
    inf1, inf2 = v1 is None, v2 is None
    if inf1 and inf2:
        if lower1 == lower2:
            return 0
        return -1 if lower1 else 1
    if inf1:
        return -1 if lower1 else 1
    if inf2:
        return 1 if lower2 else -1
    if v1 != v2:
        return -1 if v1 < v2 else 1
    if not inc1 and not inc2:
        if lower1 == lower2:
            return 0
        return 1 if lower1 else -1
    if not inc1:
        return 1 if lower1 else -1
    if not inc2:
        return -1 if lower2 else 1
    return 0


def _lo(r: Range) -> tuple[Any, bool, bool]:
    return r.lower, r.lower_inc, True


def _hi(r: Range) -> tuple[Any, bool, bool]:
    return r.upper, r.upper_inc, False


def compare(a: Range, b: Range) -> int:
    if a.empty or b.empty:
        return (0 if b.empty else -1) if a.empty else 1
    return _cmp_bounds(*_lo(a), *_lo(b)) or _cmp_bounds(*_hi(a), *_hi(b))


def contains(a: Range, b: Range) -> bool:
    if b.empty:
        return True
    if a.empty:
        return False
    return _cmp_bounds(*_lo(a), *_lo(b)) <= 0 and _cmp_bounds(*_hi(a), *_hi(b)) >= 0


def before(a: Range, b: Range) -> bool:
    return not (a.empty or b.empty) and _cmp_bounds(*_hi(a), *_lo(b)) < 0


def overlaps(a: Range, b: Range) -> bool:
    if a.empty or b.empty:
        return False
    if _cmp_bounds(*_lo(a), *_lo(b)) >= 0 and _cmp_bounds(*_lo(a), *_hi(b)) <= 0:
        return True
    return _cmp_bounds(*_lo(b), *_lo(a)) >= 0 and _cmp_bounds(*_lo(b), *_hi(a)) <= 0


def _touch(upper: Range, lower: Range) -> bool:
    """The upper bound of one meets the lower bound of the other with nothing between (PostgreSQL's adjacency)."""
    if upper.upper is None or lower.lower is None or upper.upper != lower.lower:
        return False
    return upper.upper_inc != lower.lower_inc


def adjacent(a: Range, b: Range) -> bool:
    return not (a.empty or b.empty) and (_touch(a, b) or _touch(b, a))


OPS = {
    "eq": lambda a, b: compare(a, b) == 0,
    "neq": lambda a, b: compare(a, b) != 0,
    "lt": lambda a, b: compare(a, b) < 0,
    "lte": lambda a, b: compare(a, b) <= 0,
    "gt": lambda a, b: compare(a, b) > 0,
    "gte": lambda a, b: compare(a, b) >= 0,
    "isdistinct": lambda a, b: compare(a, b) != 0,
    "cs": contains,
    "cd": lambda a, b: contains(b, a),
    "ov": overlaps,
    "sl": before,
    "sr": lambda a, b: before(b, a),
    "nxr": lambda a, b: not (a.empty or b.empty) and _cmp_bounds(*_hi(a), *_hi(b)) <= 0,
    "nxl": lambda a, b: not (a.empty or b.empty) and _cmp_bounds(*_lo(a), *_lo(b)) >= 0,
    "adj": adjacent,
}


def sqlite_function(op: str, kind: str, left: str | None, right: str | None) -> int | None:
    """``docbase_range(op, type, stored, value)`` for SQLite: 1, 0, or NULL as PostgreSQL's operator gives."""
    if op == "isdistinct" and (left is None or right is None):
        return int((left is None) != (right is None))
    if left is None or right is None:
        return None
    try:
        return int(OPS[op](parse(kind, left), parse(kind, right)))
    except (ValueError, ArithmeticError, KeyError):
        return None  # a stored value written before docbase kept ranges canonical, or not a range: no match
