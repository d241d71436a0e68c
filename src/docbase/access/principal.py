"""Who is asking: the one value every access question is put for, instead of a role string beside a claims dict.

A transport used to hand the gate a role and, sometimes, the claims; a call
that forgot the claims was judged as the bare role, so an API key's limits
and a ``require_aal2`` rule were skipped (RPC's table check did exactly
that). A ``Principal`` carries both, so the question cannot be asked with half
of who is asking. ``claims`` is None only for a question about a role as such
(which endpoints OpenAPI lists for anon), never for a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .grants import KEY_CLAIM, KEY_TENANT


@dataclass(frozen=True)
class Principal:
    """A role (anon, authenticated, service_role), with the verified JWT or API-key claims of the request."""

    role: str
    claims: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, claims: Mapping[str, Any] | None, role: str | None = None) -> Principal:
        """The principal of a request's verified ``claims`` (the role they name unless ``role`` is given).

        >>> Principal.of({"role": "authenticated", "sub": "u1"}).user
        'u1'
        >>> Principal.of(None, "anon")
        Principal(role='anon', claims=None)
        """
        chosen = role or (str(claims.get("role") or "anon") if claims else "anon")
        return cls(chosen, dict(claims) if claims else None)

    @property
    def user(self) -> Any:
        """The signed-in user's id (``sub``); None for anon and service_role."""
        return self.claims.get("sub") if self.claims and self.role == "authenticated" else None

    @property
    def api_key(self) -> Any:
        """The id of the document API key the request authenticated with, if it did."""
        return self.claims.get(KEY_CLAIM) if self.claims else None

    @property
    def key_tenant(self) -> Any:
        """The tenant an API key is scoped to (it acts inside that tenant only); None otherwise."""
        return self.claims.get(KEY_TENANT) if self.claims else None

    def bare(self) -> Principal:
        """The role alone: what the role may do whatever this request's key or session level."""
        return Principal(self.role)

    def jwt_claims(self) -> dict[str, Any]:
        """The claims PostgreSQL's policies read (``request.jwt.claims``): the request's, else the role alone."""
        return dict(self.claims) if self.claims else {"role": self.role}
