"""``docbase access DOC``: exit codes and output a user reads."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from docbase.cli import app

DOC = """# Design

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL, password_hash text);
CREATE TABLE teams (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE team_members (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer'))
);
CREATE TABLE boards (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), title text);
CREATE TABLE plans (id uuid PRIMARY KEY, name text);
```
"""

runner = CliRunner()


def write(tmp_path, toml: str | None = None):
    doc = tmp_path / "design.md"
    doc.write_text(DOC)
    if toml is not None:
        (tmp_path / "docbase.toml").write_text(toml)
    return doc


def test_table_output_names_scopes_roles_and_reasons(tmp_path):
    result = runner.invoke(app, ["access", str(write(tmp_path))], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "owner > editor > viewer" in result.output
    boards = next(line for line in result.output.splitlines() if "boards" in line and "tenant" in line)
    assert "boards.team_id -> teams" in boards


def test_json_output(tmp_path):
    result = runner.invoke(app, ["access", str(write(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    scopes = {t["name"]: t["scope"] for t in data["tables"]}
    assert scopes == {
        "users": "user",
        "teams": "tenant_root",
        "team_members": "membership",
        "boards": "tenant",
        "plans": "catalog",
    }
    users = next(t for t in data["tables"] if t["name"] == "users")
    assert users["hidden_columns"] == ["password_hash", "email"]  # teammates read users; email is private


def test_docbase_toml_override_and_its_mistakes(tmp_path):
    doc = write(tmp_path, '[access.tables.plans]\nscope = "private"\n[access.tables.boards]\nscope = "everyone"\n')
    result = runner.invoke(app, ["access", str(doc), "--json"])
    assert result.exit_code == 1
    assert "access.tables.boards.scope" in result.stderr
    data = json.loads(result.stdout)
    assert next(t for t in data["tables"] if t["name"] == "plans")["scope"] == "private"


def test_missing_document_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["access", str(tmp_path / "nope.md")])
    assert result.exit_code == 2


AUTHORITY_DOC = """# Design

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL, role text, is_verified boolean, name text);
CREATE TABLE teams (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE team_members (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer'))
);
CREATE TABLE boards (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), title text);
CREATE TABLE cards (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), board_id uuid REFERENCES boards(id));
```
"""


def test_authority_decisions_are_shown_with_their_reasons(tmp_path):
    doc = tmp_path / "design.md"
    doc.write_text(AUTHORITY_DOC)
    result = runner.invoke(app, ["access", str(doc)], env={"COLUMNS": "600"})
    assert result.exit_code == 0, result.output
    assert "Authority (written by the system alone)" in result.output
    users = next(line for line in result.output.splitlines() if line.startswith("│ users") and "profile" in line)
    assert "email: mirrors the sign-in" in users  # the reasons in full: test_authority_in_json
    authority = result.output.split("Authority (written by the system alone)")[1]
    cards = next(line for line in authority.splitlines() if line.startswith("│ cards"))
    assert "cards.board_id -> boards" in cards


def test_authority_in_json(tmp_path):
    doc = tmp_path / "design.md"
    doc.write_text(AUTHORITY_DOC)
    result = runner.invoke(app, ["access", str(doc), "--json"])
    assert result.exit_code == 0, result.output
    tables = {t["name"]: t for t in json.loads(result.stdout)["tables"]}
    assert tables["users"]["authority_columns"] == [
        {"name": "email", "reason": "mirrors the sign-in email: change it through /auth/v1/user"},
        {"name": "role", "reason": "a role assignment: only service_role grants roles"},
        {"name": "is_verified", "reason": "verification state: set when the address is confirmed (/auth/v1/verify)"},
    ]
    assert tables["users"]["authority"]["kind"] == "profile"
    assert tables["team_members"]["authority"]["kind"] == "memberships"
    assert tables["cards"]["references"] == [{"columns": ["board_id"], "ref_table": "boards", "ref_columns": ["id"]}]
    assert tables["boards"]["authority"] is None and tables["boards"]["references"] == []
