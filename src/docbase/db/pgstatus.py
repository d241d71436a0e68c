"""PostgreSQL error codes -> HTTP statuses, as PostgREST maps them (its ``mapSQLtoHTTP``).

Clients branch on these statuses (supabase-js treats 4xx and 5xx apart), so a
function that writes under GET answers 405 as with PostgREST, a ``RAISE``
answers 400, and a code PostgREST does not name answers 400, not 500.
docbase differs in one place: class 54 (program limits: 54011 too many
columns, 54001 too complex, 54023 too many arguments) is what the caller's
query asked for and answers 400.

>>> pg_status("25006"), pg_status("P0001"), pg_status("42883"), pg_status("40001"), pg_status("22P02")
(405, 400, 404, 500, 400)
>>> pg_status("PT402")
402
"""

from __future__ import annotations

#: The statuses the drivers give a constraint or cast failure before asking :func:`pg_status`.
PG_STATUS = {"23505": 409, "23503": 409, "23502": 400, "23514": 400, "22P02": 400, "42501": 403, "22001": 400}

_EXACT = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "21000": 500,
    "53400": 500,
    "57P01": 503,
    "P0001": 400,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
    "42501": 403,
}
_PREFIX = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 400,
    "55": 500,
    "57": 500,
    "58": 500,
    "F0": 500,
    "HV": 500,
    "P0": 500,
    "XX": 500,
}


def pg_status(code: str, message: str = "") -> int:
    """The HTTP status for SQLSTATE ``code`` (``PTxxx`` carries its own status, as in PostgREST)."""
    if code in _EXACT:
        if code == "21000" and message.endswith("requires a WHERE clause"):
            return 400
        return _EXACT[code]
    if code.startswith("PT") and code[2:].isdigit() and 100 <= int(code[2:]) <= 599:
        return int(code[2:])
    return _PREFIX.get(code[:2], 400)
