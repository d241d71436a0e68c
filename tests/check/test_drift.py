"""``docbase check``: migrate, change the database by hand, and every change is reported at its document line.

Run on both databases; PostgreSQL adds policies and row level security.
The CLI is driven in-process (Typer's runner) on exit code and output.
"""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from docbase.cli import app

DOC = """# Tasks

```sql
CREATE TABLE projects (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE tasks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id BIGINT NOT NULL REFERENCES projects(id),
  title TEXT NOT NULL,
  estimate INTEGER
);
CREATE INDEX tasks_title_idx ON tasks (title);
```
"""


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def _sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def _migrated(tmp_path, url):
    doc = tmp_path / "design.md"
    doc.write_text(DOC)
    assert _run("migrate", str(doc), "--db", url).exit_code == 0
    return doc


def test_in_step_exits_0(tmp_path, db_url):
    doc = _migrated(tmp_path, db_url)
    result = _run("check", str(doc), "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "matches" in result.output


def test_hand_changes_are_drift_at_their_lines(tmp_path, db_url):
    doc = _migrated(tmp_path, db_url)
    _sql(
        db_url,
        "ALTER TABLE tasks DROP COLUMN estimate",
        "DROP INDEX tasks_title_idx",
        "ALTER TABLE projects ADD COLUMN color text",
        "CREATE TABLE scratch (id integer PRIMARY KEY)",
    )
    result = _run("check", str(doc), "--db", db_url)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{doc}:9: error: column tasks.estimate missing in the database" in lines
    assert f"{doc}:11: error: index tasks_title_idx on tasks missing in the database" in lines
    assert f"{doc}:4: error: column projects.color in the database is not in the document" in lines
    assert f"{doc}: error: table scratch in the database is not in the document" in lines
    assert len(lines) == 4, lines


def test_types_and_nullability_on_postgresql(tmp_path, pg_url):
    doc = _migrated(tmp_path, pg_url)
    _sql(
        pg_url,
        "ALTER TABLE tasks ALTER COLUMN title DROP NOT NULL",
        "ALTER TABLE projects ALTER COLUMN name TYPE integer USING 0",
        "ALTER TABLE tasks DROP CONSTRAINT tasks_project_id_fkey",
    )
    lines = _run("check", str(doc), "--db", pg_url).stdout.splitlines()
    assert f"{doc}:8: error: column tasks.title allows NULL in the database; the document says NOT NULL" in lines
    assert f"{doc}:4: error: column projects.name is integer in the database; the document says text" in lines
    assert f"{doc}:5: error: foreign key on tasks (project_id) missing in the database" in lines


def test_policies_and_row_security_on_postgresql(tmp_path, pg_url):
    doc = _migrated(tmp_path, pg_url)
    _sql(
        pg_url,
        'DROP POLICY "docbase select" ON projects',
        'ALTER POLICY "docbase select" ON tasks USING (false)',
        "CREATE POLICY sneaky ON tasks FOR DELETE TO anon USING (true)",
        "ALTER TABLE projects DISABLE ROW LEVEL SECURITY",
    )
    result = _run("check", str(doc), "--db", pg_url)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f'{doc}:4: error: policy "docbase select" on projects missing in the database' in lines
    assert f"{doc}:4: error: row level security is off on projects in the database" in lines
    assert (
        f'{doc}:5: error: policy "docbase select" on tasks differs: USING is false in the database, true in the document'
        in lines
    )
    assert f'{doc}:5: error: policy "sneaky" on tasks in the database is not in the document' in lines
    assert len(lines) == 4, lines
    # the check applied nothing: the hand changes are still there, and a second check says the same
    assert _run("check", str(doc), "--db", pg_url).stdout.splitlines() == lines


def test_an_empty_database_is_drift(tmp_path, db_url):
    doc = tmp_path / "design.md"
    doc.write_text(DOC)
    _sql(db_url, "CREATE TABLE unrelated (id integer)")
    result = _run("check", str(doc), "--db", db_url)
    assert result.exit_code == 1
    assert "none of the document's tables is in the database" in result.stdout
