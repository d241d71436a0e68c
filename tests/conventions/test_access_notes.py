"""``docbase access`` says what the conventions change about access: secrets, soft delete, audit, RPCs."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from docbase.cli import app
from docbase.conventions import access_notes
from docbase.pipeline import build_schema

DOC = """# Files

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text);
CREATE TABLE files (id int PRIMARY KEY, owner_id uuid REFERENCES users(id), name text, deleted_at timestamptz);
CREATE TABLE integrations (id int PRIMARY KEY, owner_id uuid REFERENCES users(id), api_key text);
CREATE TABLE audit_log (id int PRIMARY KEY, user_id text, action text, changes jsonb, created_at timestamptz);
```
"""


def test_each_table_lists_the_conventions_that_change_who_sees_what():
    notes = access_notes(build_schema(DOC))
    assert any(
        n.startswith("soft delete: DELETE marks deleted_at (allowed by the delete rule)") for n in notes["files"]
    )
    assert any("api_key encrypted at rest" in n for n in notes["integrations"])
    assert any("recorded in audit_log" in n for n in notes["files"])
    assert any(n.startswith("audit trail") for n in notes["audit_log"])
    assert not any("soft delete" in n for n in notes["users"])


def test_switched_off_conventions_are_not_mentioned():
    notes = access_notes(build_schema(DOC), {"conventions": {"soft_delete": False, "audit": False}})
    assert "soft delete" not in " ".join(notes.get("files", []))
    assert "audit" not in " ".join(" ".join(v) for v in notes.values())


def test_docbase_access_prints_them_and_puts_them_in_json(tmp_path):
    doc = tmp_path / "files.md"
    doc.write_text(DOC)
    runner = CliRunner()
    shown = runner.invoke(app, ["access", str(doc)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert "integrations: secret: api_key encrypted at rest" in shown.output
    assert "files: soft delete: DELETE marks deleted_at" in shown.output
    data = json.loads(runner.invoke(app, ["access", str(doc), "--json"]).stdout)
    files = next(t for t in data["tables"] if t["name"] == "files")
    assert any(n.startswith("soft delete") for n in files["conventions"])
