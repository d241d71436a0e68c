"""Which rows a read answers with and its status: PostgREST's Range header, ``limit``/``offset`` and counts.

PostgREST intersects the ``Range`` header with ``offset``/``limit`` (the
header never widens what the query asks for), treats a negative ``offset``
as none, refuses a negative ``limit`` with 416, and judges the status from
the first row shown and the count (``rangeStatus``): 416 when the offset
lies past the counted rows, 206 when fewer rows than counted are shown,
else 200.

>>> window((2, 0), 3, None)
(2, None)
>>> window((None, 5), 10, 2)
(7, 5)
>>> status(3, 2, 15), status(0, 15, 15), status(0, 0, 0), status(0, 2, None)
(206, 200, 200, 200)
"""

from __future__ import annotations

from ..errors import ApiError

UNSATISFIABLE = "Requested range not satisfiable"


def negative_limit() -> ApiError:
    return ApiError(416, "PGRST103", UNSATISFIABLE, "Limit should be greater than or equal to zero.")


def offside() -> ApiError:
    return ApiError(
        416,
        "PGRST103",
        UNSATISFIABLE,
        "The lower boundary must be lower than or equal to the upper boundary in the Range header.",
    )


def window(
    header: tuple[int | None, int | None], limit: int | None, offset: int | None
) -> tuple[int | None, int | None]:
    """(limit, offset) of the Range header's rows intersected with the query's ``limit``/``offset``."""
    h_limit, h_offset = header
    lo = max(h_offset or 0, offset or 0)
    ends = []
    if h_limit is not None:
        ends.append((h_offset or 0) + h_limit)
    if limit is not None:
        ends.append((offset or 0) + limit)
    end = min(ends) if ends else None
    return (None if end is None else max(end - lo, 0)), (lo or None)


def status(offset: int, shown: int, total: int | None) -> int:
    """PostgREST's ``rangeStatus``; a 416 names the offset and the count (Content-Range ``*/total``)."""
    if total is None:
        return 200
    if offset > total:
        err = ApiError(
            416, "PGRST103", UNSATISFIABLE, f"An offset of {offset} was requested, but there are only {total} rows."
        )
        err.headers = {"Content-Range": f"*/{total}"}
        raise err
    return 206 if shown < total else 200


__all__ = ["negative_limit", "offside", "status", "window"]
