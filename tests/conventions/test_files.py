"""File columns are recognised from names and comments, in any spelling, and only those; toml switches them off."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from docbase.cli import app
from docbase.conventions.files import file_columns, files_bucket
from docbase.pipeline import build_schema

SNAKE = """```sql
CREATE TABLE organizations (id uuid PRIMARY KEY, name text, logo text, website_url text);
CREATE TABLE profiles (id uuid PRIMARY KEY, avatar_url text, bio text, repository_url text);
CREATE TABLE files (id uuid PRIMARY KEY, storage_path text, storage_id uuid);
CREATE TABLE versions (id uuid PRIMARY KEY, file_id uuid REFERENCES files(id), invoice_pdf_url text);
CREATE TABLE uploads (id uuid PRIMARY KEY, location text); -- nothing says file here
```
"""

CAMEL = """```sql
CREATE TABLE "runs" ("id" uuid PRIMARY KEY, "reportS3Url" text, "screenshotsS3Path" text, "deployUrl" text);
CREATE TABLE "statusPages" ("id" uuid PRIMARY KEY, "faviconLogo" varchar(255), "heroCover" text, "supportUrl" text);
```

## media

| column | type | notes |
|---|---|---|
| _id | text | primary key |
| storageRef | text | Convex file storage ref |
| driveLink | text | Google Drive backup URL |
"""


def _found(doc: str, toml=None) -> set[tuple[str, str, str]]:
    return {(f.table, f.column, f.kind) for f in file_columns(build_schema(doc), toml)}


def test_snake_case_file_columns_and_not_links_or_foreign_keys():
    assert _found(SNAKE) == {
        ("organizations", "logo", "url"),
        ("profiles", "avatar_url", "url"),
        ("files", "storage_path", "path"),
        ("files", "storage_id", "id"),
        ("versions", "invoice_pdf_url", "url"),
    }


def test_camel_case_s3_names_and_a_comment_that_says_storage():
    assert _found(CAMEL) == {
        ("runs", "reportS3Url", "url"),
        ("runs", "screenshotsS3Path", "path"),
        ("statusPages", "faviconLogo", "url"),
        ("statusPages", "heroCover", "url"),
        ("media", "storageRef", "path"),
    }


def test_docbase_toml_switches_file_columns_off_per_table_or_everywhere():
    assert ("organizations", "logo", "url") not in _found(
        SNAKE, {"conventions": {"organizations": {"file_columns": False}}}
    )
    assert ("profiles", "avatar_url", "url") in _found(
        SNAKE, {"conventions": {"organizations": {"file_columns": False}}}
    )
    assert _found(SNAKE, {"conventions": {"file_columns": False}}) == set()
    assert files_bucket({"storage": {"files_bucket": "media"}}) == "media"
    assert files_bucket(None) == "files"


def test_inspect_lists_file_columns_and_what_deleting_a_tenant_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "app.md"
    doc.write_text(
        SNAKE
        + "\n```sql\nCREATE TABLE members (id uuid PRIMARY KEY, organization_id uuid REFERENCES organizations(id),"
        " user_id uuid REFERENCES auth.users(id), role text CHECK (role IN ('owner', 'member')));\n```\n"
    )
    result = CliRunner().invoke(app, ["inspect", str(doc)])
    assert result.exit_code == 0, result.output
    assert "profiles: file_columns - avatar_url (URL) holds stored files" in result.output
    assert f"{doc}:2: note: storage: deleting an organizations row removes its stored files" in result.output
    listed = json.loads(CliRunner().invoke(app, ["inspect", str(doc), "--json"]).output)["conventions"]
    assert {"convention": "file_columns", "table": "files", "columns": ["storage_path", "storage_id"]}.items() <= next(
        c for c in listed if c["convention"] == "file_columns" and c["table"] == "files"
    ).items()
    (tmp_path / "docbase.toml").write_text('[storage]\non_tenant_delete = "keep"\n')
    kept = CliRunner().invoke(app, ["inspect", str(doc)])
    assert "deleting an organizations row keeps its stored files" in kept.output
