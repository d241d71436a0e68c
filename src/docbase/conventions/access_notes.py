"""What the conventions change about access, per table, in words: for ``docbase access``.

``docbase.access`` decides rows and columns from the model alone and sits
below the conventions, so it cannot say that a secret is also encrypted, that
DELETE only marks a row, or that every write leaves an audit row. This module
says it, from the same ``detect_all`` the API uses, and the CLI joins the two.
"""

from __future__ import annotations

from typing import Any

from ..schema.model import Schema
from . import api_keys, audit, hashed_tokens, invitations, job_queue, secrets, soft_delete, vectors
from .base import enabled


def access_notes(schema: Schema, toml: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Table name -> sentences about access the conventions add (tables without any are left out).

    Example:
        >>> from docbase.pipeline import build_schema
        >>> s = build_schema("```sql\\nCREATE TABLE files (id int PRIMARY KEY, is_deleted boolean);\\n```")
        >>> access_notes(s)["files"][0].split(":")[0]
        'soft delete'
    """
    from . import detect_all

    applied = detect_all(schema, toml)
    out: dict[str, list[str]] = {}

    def say(table: str, text: str) -> None:
        out.setdefault(table, []).append(text)

    trail = next((a.table for a in applied if a.convention == audit.NAME), None)
    for a in applied:
        cols = ", ".join(a.columns)
        if a.convention == secrets.NAME:
            masked = a.role("masked")
            hidden = ", ".join(c for c in a.columns if c != masked)
            if hidden:
                say(
                    a.table,
                    f"secret: {hidden} encrypted at rest, clear only to service_role, masked or hidden for others",
                )
            if masked:
                say(a.table, f"secret: {masked} holds only a masked form")
        elif a.convention == hashed_tokens.NAME:
            say(a.table, f"hashed token: {cols} stored as a hash; the plaintext is shown once, to whoever inserts it")
        elif a.convention == soft_delete.NAME:
            say(
                a.table,
                f"soft delete: DELETE marks {cols} (allowed by the delete rule); marked rows are left out of reads, "
                f"embeds and searches unless service_role asks with ?{soft_delete.QUERY_FLAG}=true",
            )
        elif a.convention == job_queue.NAME:
            say(a.table, f"job queue: rpc/claim_{a.table}, complete_{a.table}, fail_{a.table} are service_role only")
        elif a.convention == vectors.NAME:
            say(a.table, f"vector search: rpc/match_{a.table} returns only rows the caller may read")
        elif a.convention == invitations.NAME:
            say(
                a.table,
                "invitations: rpc/accept_invitation and decline_invitation answer for the invited email only; "
                "accepting re-checks the inviter's current role in the tenant (removed inviters vouch for nobody)",
            )
        elif a.convention == api_keys.NAME:
            say(
                a.table,
                f"API keys: minted only by rpc/create_api_key (for the signer; the plaintext once, its hash stored); "
                f"a request with one acts as its owner but never mints keys nor writes {a.table}; "
                "the owner lists and revokes them",
            )
    if trail is not None:
        for table in schema.tables:
            if table.name == trail:
                say(table.name, "audit trail: docbase writes a row here on every API write, as the system")
            elif enabled(toml, audit.NAME, table.name):
                say(table.name, f"audited: every insert, update and delete through the API is recorded in {trail}")
    return out
