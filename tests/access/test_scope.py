"""Scope decisions on small hand-built schemas: one behaviour per test."""

from __future__ import annotations

from docbase.access.overrides import parse_overrides
from docbase.access.scope import build_access

from .helpers import saas, schema, table


def scopes(model) -> dict[str, str]:
    return {t.table: t.scope for t in model.tables}


def test_saas_tables_get_the_scope_a_reader_expects():
    model = build_access(saas())
    assert scopes(model) == {
        "users": "user",
        "workspaces": "tenant_root",
        "workspace_members": "membership",
        "projects": "tenant",
        "files": "tenant",
        "notes": "owned",
        "plans": "catalog",
        "subscriptions": "ledger",
        "refresh_tokens": "private",
        "job_runs": "private",
    }


def test_tenant_path_is_recorded_hop_by_hop_and_explained():
    files = build_access(saas()).table("files")
    assert [(h.table, h.columns, h.ref_table) for h in files.path] == [
        ("files", ("project_id",), "projects"),
        ("projects", ("workspace_id",), "workspaces"),
    ]
    assert files.tenant == "workspaces"
    assert "files.project_id -> projects" in files.reason


def test_membership_roles_come_from_the_role_enum_in_order():
    model = build_access(saas())
    (root,) = model.roots
    assert (root.table, root.membership, root.member_user, root.member_tenant) == (
        "workspaces",
        "workspace_members",
        "user_id",
        "workspace_id",
    )
    assert [r.name for r in root.roles] == ["owner", "admin", "member", "viewer"]
    assert root.names_at_least("writer") == ("owner", "admin", "member")


def test_shortest_path_wins_and_not_null_links_are_preferred():
    s = schema(
        table("users", "id"),
        table("teams", "id"),
        table("members", "id team_id user_id role", {"team_id": "teams", "user_id": "users"}),
        table("boards", "id team_id!", {"team_id": "teams"}),
        # two equally short ways to a team; the optional one must lose
        table("cards", "id board_id? other_board_id!", {"board_id": "boards", "other_board_id": "boards"}),
        # a direct link beats a chain
        table("labels", "id board_id! team_id!", {"board_id": "boards", "team_id": "teams"}),
    )
    model = build_access(s)
    assert model.table("cards").path[0].columns == ("other_board_id",)
    assert [h.ref_table for h in model.table("labels").path] == ["teams"]


def test_paths_never_run_through_the_users_table():
    s = schema(
        table("users", "id last_workspace_id", {"last_workspace_id": "workspaces"}),
        table("workspaces", "id"),
        table("memberships", "id user_id workspace_id role", {"user_id": "users", "workspace_id": "workspaces"}),
        table("drafts", "id author_id body", {"author_id": "users"}),
    )
    drafts = build_access(s).table("drafts")
    assert drafts.scope == "owned"
    assert drafts.owner_column == "author_id"


def test_optional_tenant_link_with_required_owner_is_owned():
    s = saas()
    s = schema(
        *s.tables,
        table("drafts", "id user_id! workspace_id? body", {"user_id": "users", "workspace_id": "workspaces"}),
    )
    drafts = build_access(s).table("drafts")
    assert drafts.scope == "owned"
    assert "optional" in drafts.reason


def test_owned_through_a_chain():
    s = schema(
        table("users", "id"),
        table("customers", "id user_id!", {"user_id": "users"}),
        table("orders", "id customer_id! total", {"customer_id": "customers"}),
    )
    orders = build_access(s).table("orders")
    assert orders.scope == "owned"
    assert [h.ref_table for h in orders.path] == ["customers", "users"]


def test_nested_membership_is_scoped_by_the_outer_tenant():
    s = schema(
        table("user", "id"),
        table("organization", "id"),
        table("member", "id organizationId userId role", {"organizationId": "organization", "userId": "user"}),
        table("projects", "id organizationId", {"organizationId": "organization"}),
        table("project_members", "id projectId userId role", {"projectId": "projects", "userId": "user"}),
    )
    model = build_access(s)
    assert [r.table for r in model.roots] == ["organization"]
    assert model.table("projects").scope == "tenant"
    pm = model.table("project_members")
    assert (pm.scope, pm.tenant) == ("membership", "organization")


def test_roles_without_an_enum_fall_back_to_the_default_vocabulary():
    s = schema(
        table("user", "id"),
        table("organization", "id"),
        table("member", "id organizationId userId role", {"organizationId": "organization", "userId": "user"}),
    )
    (root,) = build_access(s).roots
    names = [r.name for r in root.roles]
    assert names.index("org_owner") < names.index("org_admin") < names.index("project_admin")
    assert names.index("project_admin") < names.index("project_editor") < names.index("project_viewer")
    assert names.index("owner") < names.index("admin") < names.index("member") < names.index("viewer")
    assert root.roles_source == "defaults"


def test_role_held_as_a_row_of_a_roles_table():
    s = schema(
        table("organizations", "id name"),
        table("roles", "id name"),
        table(
            "user_roles",
            "id user_id! role_id! organization_id",
            {"user_id": "auth.users", "role_id": "roles", "organization_id": "organizations"},
        ),
    )
    model = build_access(s)
    (root,) = model.roots
    assert root.table == "organizations"
    assert root.role_lookup == ("roles", "id", "name")
    assert model.table("roles").scope == "catalog"
    assert model.users_table is None


def test_invitations_are_tenant_rows_not_memberships():
    s = saas()
    s = schema(
        *s.tables,
        table(
            "workspace_invitations",
            "id workspace_id inviter_id role token",
            {"workspace_id": "workspaces", "inviter_id": "users"},
        ),
    )
    inv = build_access(s).table("workspace_invitations")
    assert inv.scope == "tenant"
    assert inv.creator_columns == ("inviter_id",)
    assert "token" in inv.hidden_columns


def test_private_wins_over_a_tenant_path():
    s = saas()
    s = schema(*s.tables, table("rate_limit_tracking", "id workspace_id count", {"workspace_id": "workspaces"}))
    assert build_access(s).table("rate_limit_tracking").scope == "private"


def test_secret_columns_are_hidden_and_descriptions_of_them_are_not():
    s = schema(
        table("users", "id"),
        table(
            "integrations",
            "id user_id api_key token_type tokens_used config_encrypted is_secret",
            {"user_id": "users"},
            is_secret="boolean",
            tokens_used="integer",
        ),
    )
    assert build_access(s).table("integrations").hidden_columns == ("api_key", "config_encrypted")


def test_creator_columns_default_to_the_signed_in_user():
    model = build_access(saas())
    assert model.table("files").creator_columns == ("created_by",)
    assert model.table("workspaces").creator_columns == ("owner_id",)
    assert model.table("notes").creator_columns == ("user_id",)


def test_rules_follow_the_scope():
    model = build_access(saas())
    assert model.audience_names(model.table("projects"), "select") == ("owner", "admin", "member", "viewer")
    assert model.audience_names(model.table("projects"), "insert") == ("owner", "admin", "member")
    assert model.audience_names(model.table("workspaces"), "delete") == ("owner",)
    assert model.audience_names(model.table("workspace_members"), "update") == ("owner",)
    assert model.audience_names(model.table("plans"), "select") == ("authenticated",)
    assert model.audience_names(model.table("plans"), "insert") == ("service_role",)
    assert model.audience_names(model.table("refresh_tokens"), "select") == ("service_role",)
    assert model.audience_names(model.table("notes"), "delete") == ("self",)


def test_overrides_change_scope_rules_and_roles():
    ov = parse_overrides(
        {
            "access": {
                "roles": ["owner", "maintainer", "viewer"],
                "tables": {"job_runs": {"scope": "catalog", "select": "anon"}, "plans": {"hidden": ["price_cents"]}},
            }
        }
    )
    model = build_access(saas(), ov)
    assert model.table("job_runs").scope == "catalog"
    assert "docbase.toml" in model.table("job_runs").reason
    assert model.table("job_runs").rule("select") == "anon"
    assert model.table("plans").hidden_columns == ("price_cents",)
    assert [(r.name, r.level) for r in model.roots[0].roles] == [
        ("owner", "owner"),
        ("maintainer", "admin"),
        ("viewer", "reader"),
    ]


def test_tenant_root_override_naming_no_membership_target_is_reported():
    ov = parse_overrides({"access": {"tenant_root": "plans"}})
    model = build_access(saas(), ov)
    assert any("tenant_root" in d.message for d in model.diagnostics)
    assert model.table("workspaces").scope == "tenant_root"


def test_every_table_is_scoped_even_with_no_users_and_no_tenants():
    model = build_access(schema(table("pages", "id title"), table("events", "id kind")))
    assert scopes(model) == {"pages": "catalog", "events": "private"}
