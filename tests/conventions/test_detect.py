"""Which conventions a document switches on, on small documents and on the seeds, and the docbase.toml off switch."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from docbase.cli import app
from docbase.conventions import detect_all
from docbase.pipeline import build_schema, load_schema
from tests.conftest import SEEDS

DOC = """# App

```sql
CREATE TABLE integrations (id int PRIMARY KEY, api_key text, token_type text, password_hash text);
CREATE TABLE email_verifications (id int PRIMARY KEY, token text, token_hash text, expires_at timestamptz);
CREATE TABLE files (id int PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE audit_logs (id int PRIMARY KEY, user_id int, action text, details jsonb);
CREATE TABLE skills (id int PRIMARY KEY, cron_schedule text, next_run_at timestamptz);
```
"""


def _pairs(applied):
    return {(a.convention, a.table): a.columns for a in applied}


def test_a_small_document_switches_on_what_it_states():
    pairs = _pairs(detect_all(build_schema(DOC)))
    assert pairs[("secrets", "integrations")] == ("api_key",)  # token_type and password_hash are not secrets to encrypt
    assert pairs[("hashed_tokens", "email_verifications")] == ("token", "token_hash")
    assert pairs[("soft_delete", "files")] == ("deleted_at",)
    assert ("audit", "audit_logs") in pairs
    assert pairs[("schedules", "skills")] == ("cron_schedule", "next_run_at")
    assert not any(conv == "job_queue" for conv, _ in pairs)


def test_docbase_toml_switches_a_convention_off_per_table_and_everywhere():
    schema = build_schema(DOC)
    off = _pairs(detect_all(schema, {"conventions": {"files": {"soft_delete": False}}}))
    assert ("soft_delete", "files") not in off and ("secrets", "integrations") in off
    off = _pairs(detect_all(schema, {"conventions": {"secrets": False}}))
    assert not any(conv == "secrets" for conv, _ in off)


EXPECTED = {
    "000": {
        ("job_queue", "jobs"),
        ("hashed_tokens", "workspace_invitations"),
        ("secrets", "llm_provider_configs"),
        ("invitations", "workspace_invitations"),
        ("secrets", "datadog_integrations"),
        ("hashed_tokens", "email_verifications"),
        ("secrets", "aws_integrations"),
        ("secrets", "github_integrations"),
        ("secrets", "grafana_integrations"),
        ("secrets", "newrelic_integrations"),
        ("secrets", "slack_installations"),
    },
    "001": {
        ("job_queue", "background_jobs"),
        ("job_queue", "ai_jobs"),
        ("soft_delete", "files"),
        ("secrets", "environment_variables"),
        ("secrets", "api_integrations"),
        ("secrets", "oauth_connections"),
        ("provider_accounts", "oauth_connections"),
        ("file_columns", "users"),
        ("file_columns", "invoices"),
        ("file_columns", "code_analyses"),
        ("file_columns", "files"),
    },
    "002": {("file_columns", "billing_history")},
    "003": {
        ("audit", "audit_logs"),
        ("api_keys", "apikey"),
        ("invitations", "invitation"),
        ("schedules", "jobs"),
        ("secrets", "project_variables"),
        ("hashed_tokens", "apikey"),
        ("hashed_tokens", "status_page_subscribers"),
        ("secrets", "account"),
        ("provider_accounts", "account"),
        ("file_columns", "user"),
        ("file_columns", "organization"),
        ("file_columns", "runs"),
        ("file_columns", "k6_performance_runs"),
        ("file_columns", "monitor_results"),
        ("file_columns", "reports"),
        ("file_columns", "status_pages"),
    },
    "004": {
        ("vectors", "knowledge"),
        ("job_queue", "deployJobs"),
        ("schedules", "skillConfigs"),
        ("secrets", "apiKeyRegistry"),
        ("file_columns", "users"),
        ("file_columns", "media"),
    },
}


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_seeds_get_the_conventions_they_describe(seed):
    found = set(_pairs(detect_all(load_schema(seed))))
    assert found == EXPECTED[seed.stem[:3]]


def test_users_password_hash_is_left_to_auth():
    schema = build_schema("```sql\nCREATE TABLE users (id int PRIMARY KEY, email text, password_hash text);\n```")
    assert detect_all(schema) == []


def test_inspect_lists_conventions_in_summary_and_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "app.md"
    doc.write_text(DOC)
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(doc), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)["conventions"]
    assert {"convention": "soft_delete", "table": "files", "columns": ["deleted_at"]}.items() <= listed[
        [x["table"] for x in listed].index("files")
    ].items()
    result = runner.invoke(app, ["inspect", str(doc)])
    assert "conventions" in result.output and "files: soft_delete" in result.output
    (tmp_path / "docbase.toml").write_text("[conventions.files]\nsoft_delete = false\n")
    result = runner.invoke(app, ["inspect", str(doc), "--json"])
    assert "files" not in [x["table"] for x in json.loads(result.output)["conventions"]]
