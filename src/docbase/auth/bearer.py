"""Reading ``Authorization: Bearer <token>``: the one parser every transport uses.

REST, the console, the replica router, the conventions and /auth/v1 each
read this header; three hand-written copies disagreed on spacing and case.
The scheme is case-insensitive (RFC 7235) and surrounding blanks are
ignored; what a caller does with a header that is present but is not a
Bearer token (401, or fall back to the apikey) stays the caller's decision.

>>> bearer_token("Bearer abc.def.ghi ")
'abc.def.ghi'
>>> bearer_token("bearer x"), bearer_token("Basic x"), bearer_token("Bearer "), bearer_token(None)
('x', None, None, None)
"""

from __future__ import annotations


def bearer_token(authorization: str | None) -> str | None:
    """The token of a Bearer ``Authorization`` header; None when the header is absent, empty or another scheme."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
