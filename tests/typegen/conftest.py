"""A small document with what client types must carry: an ENUM type, a bigserial key, a foreign key,
JSON, an array, defaults, and a set-returning function."""

from __future__ import annotations

TASKS = """# Tasks

```sql
CREATE TYPE task_status AS ENUM ('todo', 'doing', 'done');

CREATE TABLE projects (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  settings JSONB
);

CREATE TABLE tasks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  title TEXT NOT NULL,
  status task_status NOT NULL DEFAULT 'todo',
  estimate INTEGER,
  labels TEXT[],
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE FUNCTION open_tasks(p_project BIGINT, p_limit INTEGER DEFAULT 10) RETURNS SETOF tasks
LANGUAGE sql STABLE AS $$ SELECT * FROM tasks WHERE project_id = p_project AND status <> 'done' LIMIT p_limit $$;
```
"""
