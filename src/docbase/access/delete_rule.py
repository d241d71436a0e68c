"""PostgreSQL: the condition under which the current role may delete a row, as the database holds it.

A soft delete runs as an UPDATE, so the database would judge it by the
update policy; the mark must be judged by the *delete* rule instead. The
table's DELETE policies are read from ``pg_policies`` (document-written ones
count exactly as PostgreSQL holds them: permissive ones ORed, restrictive
ones ANDed, none at all denying), after checking the caller holds the DELETE
privilege. Run inside the caller's transaction (role and claims set).
"""

from __future__ import annotations

from .decide import Transaction, denied_table

_POLICIES = (
    "SELECT permissive, qual FROM pg_policies WHERE schemaname = current_schema() AND tablename = $1 "
    "AND cmd IN ('DELETE', 'ALL') AND roles && ARRAY[current_user, 'public']::name[]"
)
_TABLE = (
    "SELECT c.relrowsecurity, has_table_privilege(current_user, c.oid, 'DELETE') "
    "FROM pg_class c WHERE c.oid = to_regclass($1)"
)


async def delete_condition(tx: Transaction, table: str, role: str) -> str:
    """The SQL condition (on ``table``'s own columns) under which the current role may delete a row.

    Raises 401/403 42501 when the role lacks the DELETE privilege on the table at all.
    """
    found = await tx.rows(_TABLE, [_ident(table)])
    if not found or not found[0][1]:
        raise denied_table(table, role)
    if not found[0][0]:  # no row-level security on this table: the privilege is the whole rule
        return "true"
    permissive, restrictive = [], []
    for is_permissive, qual in await tx.rows(_POLICIES, [table]):
        expr = f"({qual})" if qual else "false"  # a DELETE policy without USING admits no row
        (permissive if is_permissive == "PERMISSIVE" else restrictive).append(expr)
    if not permissive:
        return "false"
    return " AND ".join([f"({' OR '.join(permissive)})", *restrictive])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
