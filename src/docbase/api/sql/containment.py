"""PostgreSQL's containment (``@>``, ``<@``, ``&&``) for SQLite, which keeps JSON and arrays as JSON text.

Registered on every SQLite connection (``docbase/api/db.py``) and called by
``conditions`` for ``cs``/``cd``/``ov`` so both databases answer alike:

- jsonb: objects contain objects key by key (recursively), arrays contain
  arrays when each right element is contained by some left element (order
  and duplicates ignored), scalars match equal scalars (``1`` equals
  ``1.0``; ``true`` is not ``1``); a top-level array also contains a bare
  scalar, as ``'["a"]' @> '"a"'`` does in PostgreSQL, but nowhere deeper.
- arrays (``text[]``, ``integer[]`` ...): set containment and overlap where
  a NULL element equals nothing.
- A NULL operand gives NULL, so the row is filtered out, as in PostgreSQL.

>>> jsonb_contains('{"a": {"b": [1, 2]}, "c": 3}', '{"a": {"b": [2]}}')
1
>>> jsonb_contains('{"a": ["x"]}', '{"a": "x"}'), jsonb_contains('["x", 1]', '"x"')
(0, 1)
>>> array_contains("[1, null]", "[null]"), array_overlaps('["a"]', '["b", "a"]')
(0, 1)
"""

from __future__ import annotations

from typing import Any

import orjson


def _load(text: str | bytes) -> Any:
    return orjson.loads(text)


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _contains(a: Any, b: Any) -> bool:
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and _contains(a[k], v) for k, v in b.items())
    if isinstance(b, list):
        if not isinstance(a, list):
            return False
        return all(any(_element(x, y) for x in a) for y in b)
    return not isinstance(a, dict | list) and _same_scalar(a, b)


def _element(x: Any, y: Any) -> bool:
    """An array element of the right side against one of the left: containers must be of the same kind."""
    if isinstance(y, dict | list):
        return type(x) is type(y) and _contains(x, y)
    return not isinstance(x, dict | list) and _same_scalar(x, y)


def jsonb_contains(left: str | None, right: str | None) -> int | None:
    """``left @> right`` on jsonb; 1, 0 or NULL."""
    if left is None or right is None:
        return None
    try:
        a, b = _load(left), _load(right)
        if isinstance(a, list) and not isinstance(b, dict | list):
            return int(any(_element(x, b) for x in a))  # PostgreSQL's raw-scalar exception, top level only
        return int(_contains(a, b))
    except (orjson.JSONDecodeError, RecursionError):
        return None


def _items(text: str) -> list[Any] | None:
    value = _load(text)
    return value if isinstance(value, list) else None


def array_contains(left: str | None, right: str | None) -> int | None:
    """``left @> right`` on one-dimensional arrays kept as JSON lists."""
    if left is None or right is None:
        return None
    a, b = _items(left), _items(right)
    if a is None or b is None:
        return None
    return int(all(y is not None and any(_same_scalar(x, y) for x in a if x is not None) for y in b))


def array_overlaps(left: str | None, right: str | None) -> int | None:
    """``left && right``: some non-NULL element in both."""
    if left is None or right is None:
        return None
    a, b = _items(left), _items(right)
    if a is None or b is None:
        return None
    return int(any(y is not None and any(_same_scalar(x, y) for x in a if x is not None) for y in b))


FUNCTIONS = {
    "docbase_jsonb_contains": jsonb_contains,
    "docbase_array_contains": array_contains,
    "docbase_array_overlaps": array_overlaps,
}

__all__ = ["FUNCTIONS", "array_contains", "array_overlaps", "jsonb_contains"]
