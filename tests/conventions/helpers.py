"""Small documents and a migrated database for the conventions tests."""

from __future__ import annotations

from docbase.migrate import migrate
from docbase.pipeline import build_schema

QUEUE_DOC = """# Queue

```sql
CREATE TYPE job_status AS ENUM ('queued', 'running', 'completed', 'failed');
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payload text,
  status job_status NOT NULL DEFAULT 'queued',
  priority integer DEFAULT 0,
  retries integer DEFAULT 0,
  max_retries integer DEFAULT 3,
  backoff_until timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  error_message text,
  created_at timestamptz DEFAULT now()
);
```
"""


def migrated(doc: str, url: str):
    schema = build_schema(doc)
    assert not schema.errors, schema.errors
    migrate(schema, url)
    return schema
