"""Default rules as data: who may SELECT/INSERT/UPDATE/DELETE, per scope.

Audiences: ``authenticated`` (any signed-in user), ``member`` (any role in
the row's tenant), ``writer``/``admin``/``owner`` (that role level or above),
``self`` (the row's owner is the signed-in user), ``service_role`` (nobody
else). service_role always may; anon may nothing unless overridden.
Viewers only read; only owners delete a tenant or change roles.
"""

from __future__ import annotations

from types import MappingProxyType

_SERVICE = {"select": "service_role", "insert": "service_role", "update": "service_role", "delete": "service_role"}

DEFAULT_RULES = MappingProxyType(
    {
        "user": {"select": "self", "insert": "service_role", "update": "self", "delete": "service_role"},
        # Any signed-in user may create a tenant; they become its owner.
        "tenant_root": {"select": "member", "insert": "authenticated", "update": "admin", "delete": "owner"},
        "membership": {"select": "member", "insert": "owner", "update": "owner", "delete": "owner"},
        "tenant": {"select": "member", "insert": "writer", "update": "writer", "delete": "writer"},
        "owned": {"select": "self", "insert": "self", "update": "self", "delete": "self"},
        # Billing and metering: read like the tenant's rows, written by the system alone (ledger.py).
        "ledger": {**_SERVICE, "select": "member"},
        "catalog": {**_SERVICE, "select": "authenticated"},
        "private": dict(_SERVICE),
    }
)


def rules_for(scope: str, overrides: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    merged = dict(DEFAULT_RULES.get(scope, _SERVICE))
    merged.update(overrides or {})
    return tuple(sorted(merged.items()))
