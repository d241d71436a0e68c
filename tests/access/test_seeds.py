"""Every table of every seed gets the scope a reader of that seed would expect, and the policies load."""

from __future__ import annotations

from pathlib import Path

import pytest

from docbase.access import build_access
from docbase.access.model import SCOPES
from docbase.pipeline import load_schema

from ..conftest import SEEDS, seed_file

BY_PREFIX = {prefix: seed_file(prefix) for prefix in ("000", "001", "002", "003", "004")}

# (seed, table) -> (scope, first hop column or owner column or None)
EXPECTED = {
    "000": {
        "users": ("user", None),
        "workspaces": ("tenant_root", None),
        "memberships": ("membership", "workspace_id"),
        "workspace_invitations": ("tenant", "workspace_id"),
        "jobs": ("tenant", "vm_workspace_id"),
        "chat_turns": ("tenant", "session_id"),
        "turn_feedbacks": ("tenant", "turn_id"),
        "environment_repositories": ("tenant", "environment_id"),
        "plans": ("catalog", None),
        "refresh_tokens": ("private", None),
        "email_verifications": ("private", None),
        "security_events": ("private", None),
        "rate_limit_tracking": ("private", None),
    },
    "001": {
        "users": ("user", None),
        "workspaces": ("tenant_root", None),
        "workspace_members": ("membership", "workspace_id"),
        "projects": ("tenant", "workspace_id"),
        "messages": ("tenant", "conversation_id"),
        "file_versions": ("tenant", "file_id"),
        "environment_variables": ("tenant", "project_id"),
        "oauth_connections": ("owned", "user_id"),
        "customers": ("owned", "user_id"),
        "invoices": ("ledger", "customer_id"),
        "subscription_plans": ("catalog", None),
        "user_sessions_extended": ("private", None),
        "api_logs": ("private", None),
        "webhook_logs": ("private", None),
        "background_jobs": ("private", None),
    },
    "002": {
        "organizations": ("tenant_root", None),
        "user_roles": ("membership", "organization_id"),
        "credit_transactions": ("ledger", "organization_id"),
        "billing_history": ("ledger", "organization_id"),
        "organization_subscriptions": ("ledger", "organization_id"),
        "permissions": ("catalog", None),
        "roles": ("catalog", None),
        "role_permissions": ("catalog", None),
        "subscription_plans": ("catalog", None),
        "credit_products": ("catalog", None),
    },
    "003": {
        "user": ("user", None),
        "organization": ("tenant_root", None),
        "member": ("membership", "organizationId"),
        "project_members": ("membership", "projectId"),
        "projects": ("tenant", "organizationId"),
        "monitor_results": ("tenant", "monitorId"),
        "status_page_component_subscriptions": ("tenant", "subscriberId"),
        "invitation": ("tenant", "organizationId"),
        "notifications": ("owned", "userId"),
        "plan_limits": ("catalog", None),
        "overage_pricing": ("catalog", None),
        "session": ("private", None),
        "account": ("private", None),
        "verification": ("private", None),
        "webhook_idempotency": ("private", None),
    },
    "004": {
        "users": ("user", None),
        "knowledge": ("owned", "userId"),
        "deployments": ("owned", "userId"),
        "pluginConfigs": ("owned", "userId"),
        "pricingPlans": ("catalog", None),
        "cmsPages": ("catalog", None),
        "navLinks": ("catalog", None),
    },
}


def _model(prefix: str):
    return build_access(load_schema(BY_PREFIX[prefix]))


@pytest.mark.parametrize(
    ("prefix", "table", "scope", "via"),
    [(p, t, s, v) for p, tables in EXPECTED.items() for t, (s, v) in tables.items()],
)
def test_seed_table_scope(prefix, table, scope, via):
    access = _model(prefix).table(table)
    assert access is not None, f"{table} missing from the model"
    assert access.scope == scope, access.reason
    if via is not None:
        assert access.path[0].columns == (via,), access.path
    assert access.reason


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_table_has_a_scope_and_a_reason_and_no_diagnostics(seed: Path):
    model = build_access(load_schema(seed))
    assert model.diagnostics == ()
    for access in model.tables:
        assert access.scope in SCOPES
        assert access.reason
        if access.scope in ("tenant", "membership"):
            assert access.path and access.path[-1].ref_table == access.tenant


def test_seed_role_orders():
    assert [r.name for r in _model("000").roots[0].roles] == ["owner", "user"]
    assert [r.name for r in _model("001").roots[0].roles] == ["owner", "admin", "member", "viewer"]
    (root,) = _model("002").roots
    assert root.role_lookup == ("roles", "id", "name")
    assert _model("004").roots == ()


def test_seed_003_tenant_reached_through_a_chain():
    access = _model("003").table("status_page_component_subscriptions")
    assert [h.ref_table for h in access.path] == ["status_page_subscribers", "status_pages", "organization"]


@pytest.mark.pg
@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_policies_load_into_postgresql(seed: Path, pg_url: str):
    """The generated roles, grants, functions and policies are valid SQL for every seed's real tables."""
    import psycopg

    from docbase.access.policies import access_sql
    from docbase.ddl import to_ddl

    schema = load_schema(seed)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(to_ddl(schema, "postgresql"))
        conn.execute(access_sql(schema, build_access(schema)))
        rls = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace"
        )
        assert rls.fetchone()[0] == len(schema.tables)
