"""Billing and metering are read by the tenant and written by the system alone (docbase.access.ledger)."""

from __future__ import annotations

import json
import uuid

import pytest

from docbase.access import build_access
from docbase.access.ledger import ledger_columns, ledger_reason
from docbase.access.policies import access_sql
from docbase.access.report import access_table

from .helpers import schema, table


def billing() -> object:
    return schema(
        table("users", "id email"),
        table("organizations", "id name credit_balance plan", credit_balance="integer"),
        table(
            "members",
            "id organization_id! user_id! role",
            {"organization_id": "organizations", "user_id": "users"},
            role="owner|admin|member|viewer",
        ),
        table("plans", "id name"),
        table(
            "credit_transactions", "id organization_id! amount", {"organization_id": "organizations"}, amount="integer"
        ),
        table("invoices", "id organization_id! total", {"organization_id": "organizations"}, total="integer"),
        table("usage_events", "id organization_id! kind", {"organization_id": "organizations"}),
        table("status_pages", "id organization_id! name", {"organization_id": "organizations"}),
        table("status_page_subscriptions", "id status_page_id! email", {"status_page_id": "status_pages"}),
        table("projects", "id organization_id! name", {"organization_id": "organizations"}),
        table("subscriptions", "id organization_id! plan_id", {"organization_id": "organizations", "plan_id": "plans"}),
        table("payments", "id user_id! amount", {"user_id": "users"}, amount="integer"),
    )


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("credit_transactions", "ledger"),
        ("invoices", "ledger"),
        ("usage_events", "ledger"),
        ("subscriptions", "ledger"),
        ("payments", "ledger"),
        ("status_page_subscriptions", "tenant"),  # a notification subscription, not billing
        ("projects", "tenant"),
        ("plans", "catalog"),
    ],
)
def test_billing_tables_are_ledgers_and_look_alikes_are_not(name, scope):
    access = build_access(billing()).table(name)
    assert access.scope == scope, access.reason


def test_a_ledger_is_read_like_its_tenant_or_owner_and_written_by_service_role_only():
    model = build_access(billing())
    tenant = model.table("credit_transactions")
    assert dict(tenant.rules) == {
        "select": "member",
        "insert": "service_role",
        "update": "service_role",
        "delete": "service_role",
    }
    assert "ledger" in tenant.reason and "service_role" in tenant.reason
    owned = model.table("payments")
    assert owned.rule("select") == "self" and owned.rule("insert") == "service_role"
    assert model.audience_names(tenant, "select") == ("owner", "admin", "member", "viewer")


def test_money_columns_of_the_tenant_root_are_named_and_explained():
    model = build_access(billing())
    root = model.table("organizations")
    assert root.ledger_columns == ("credit_balance", "plan")
    assert model.table("projects").ledger_columns == ()
    assert model.as_dict()["tables"][1]["ledger_columns"] == ["credit_balance", "plan"]
    from rich.console import Console

    console = Console(width=400, record=True)
    console.print(access_table(model))
    text = console.export_text()
    assert "ledger" in text and "only service_role sets credit_balance, plan" in text


def test_ledger_reason_needs_a_billing_word_or_a_priced_subscription():
    s = billing()
    assert ledger_reason(s, s.table("projects")) is None
    priced = table("page_subscriptions", "id plan_id", {"plan_id": "plans"})
    assert ledger_reason(s, priced) == "a subscription to plans"
    assert ledger_reason(s, table("page_subscriptions", "id page_id", {"page_id": "pages"})) is None
    assert ledger_columns(s.table("organizations"), ("id",)) == ("credit_balance", "plan")


def test_docbase_toml_can_turn_a_ledger_back_into_tenant_data():
    from docbase.access.overrides import parse_overrides

    ov = parse_overrides({"access": {"tables": {"usage_events": {"scope": "tenant"}}}})
    access = build_access(billing(), ov).table("usage_events")
    assert access.scope == "tenant" and access.rule("insert") == "writer"


DDL = """
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE organizations (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, credit_balance integer DEFAULT 0, plan text);
CREATE TABLE members (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id),
  user_id uuid NOT NULL REFERENCES users(id), role text);
CREATE TABLE plans (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);
CREATE TABLE credit_transactions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations(id), amount integer);
CREATE TABLE invoices (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id), total integer);
CREATE TABLE usage_events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id), kind text);
CREATE TABLE status_pages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id), name text);
CREATE TABLE status_page_subscriptions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), status_page_id uuid NOT NULL REFERENCES status_pages(id), email text);
CREATE TABLE projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id), name text);
CREATE TABLE subscriptions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL REFERENCES organizations(id), plan_id uuid);
CREATE TABLE payments (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users(id), amount integer);
"""


@pytest.mark.pg
def test_postgresql_lets_the_owner_read_but_not_write_money(pg_url):
    import psycopg

    s = billing()
    owner, org = str(uuid.uuid4()), str(uuid.uuid4())
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute(access_sql(s, build_access(s)))
        conn.execute("INSERT INTO users VALUES (%s, 'o@x')", (owner,))
        conn.execute("INSERT INTO organizations (id, name, credit_balance) VALUES (%s, 'A', 5)", (org,))
        conn.execute("INSERT INTO members (organization_id, user_id, role) VALUES (%s, %s, 'owner')", (org, owner))
        conn.execute("INSERT INTO credit_transactions (organization_id, amount) VALUES (%s, 5)", (org,))

        def run(sql, params=()):
            try:
                with conn.transaction():
                    conn.execute("SET LOCAL ROLE authenticated")
                    conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": owner}),))
                    cur = conn.execute(sql, params)
                    return cur.fetchall() if cur.description else cur.rowcount
            except psycopg.Error as exc:
                return exc.sqlstate

        assert run("SELECT amount FROM credit_transactions") == [(5,)]
        assert run("INSERT INTO credit_transactions (organization_id, amount) VALUES (%s, 1000)", (org,)) == "42501"
        assert run("UPDATE credit_transactions SET amount = 1000") == "42501"
        assert run("UPDATE organizations SET credit_balance = 1000000") == "42501"
        assert run("UPDATE organizations SET name = 'renamed'") == 1
        assert run("INSERT INTO organizations (name, credit_balance) VALUES ('free money', 99)") == "42501"
        assert run("SELECT credit_balance FROM organizations") == [(5,)]


def test_audit_trails_are_read_by_members_and_written_by_the_system_only():
    from docbase.pipeline import build_schema

    schema = build_schema(
        "```sql\nCREATE TABLE orgs (id uuid PRIMARY KEY);\n"
        "CREATE TABLE members (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), "
        "user_id uuid NOT NULL, role text CHECK (role IN ('owner', 'member')));\n"
        "CREATE TABLE audit_logs (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs(id), "
        "action text, details jsonb);\n```"
    )
    audit = build_access(schema).table("audit_logs")
    assert audit.scope == "ledger"
    assert "audit trail" in audit.reason
