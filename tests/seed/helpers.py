"""Small documents and database readers shared by the seed tests."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from docbase.pipeline import load_schema
from docbase.schema.model import Schema
from docbase.seed.database import engine_url

TENANT_DOC = """# Workspaces

```sql
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email varchar(40) NOT NULL UNIQUE,
  full_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE workspaces (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  owner_id uuid REFERENCES users(id)
);
CREATE TABLE memberships (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  UNIQUE (user_id, workspace_id)
);
CREATE TABLE projects (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  title varchar(12) NOT NULL,
  visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
  budget numeric(6, 2),
  is_archived boolean NOT NULL,
  UNIQUE (workspace_id, visibility)
);
CREATE TABLE files (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id),
  project_id uuid NOT NULL REFERENCES projects(id),
  created_by uuid NOT NULL REFERENCES users(id),
  path text NOT NULL,
  size_bytes bigint,
  started_at timestamptz,
  finished_at timestamptz,
  tags text[],
  meta jsonb,
  UNIQUE (project_id, path)
);
```
"""

CYCLE_DOC = """# A cycle

```sql
CREATE TABLE teams (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  captain_id uuid REFERENCES people(id)
);
CREATE TABLE people (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams(id),
  name text NOT NULL
);
CREATE TABLE plans (
  id serial PRIMARY KEY,
  tier text NOT NULL UNIQUE CHECK (tier IN ('free', 'pro'))
);
```
"""


def schema_of(tmp_path: Path, text: str, name: str = "design.md") -> Schema:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    schema = load_schema(path)
    assert not schema.errors, schema.errors
    return schema


def query(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def dump(url: str, schema: Schema) -> dict[str, list[tuple]]:
    """Every table's rows as text, sorted, to compare two databases."""
    out = {}
    for table in schema.tables:
        cols = ", ".join(f'CAST("{c.name}" AS TEXT)' for c in table.columns)
        rows = query(url, f'SELECT {cols} FROM "{table.name}"')
        out[table.name] = sorted(rows, key=repr)
    return out


def count(url: str, table: str) -> int:
    return query(url, f'SELECT count(*) FROM "{table}"')[0][0]
