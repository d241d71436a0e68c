"""`docbase inspect`: exit codes and output a user relies on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from docbase.cli import app

runner = CliRunner()

DOC = """# Shop

```sql
CREATE TABLE customers (id uuid PRIMARY KEY, email text UNIQUE NOT NULL);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  status text DEFAULT 'new' CHECK (status IN ('new', 'paid'))
);
```
"""


def write(tmp_path: Path, text: str | bytes, name: str = "design.md") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_json_follows_the_contract(tmp_path: Path):
    result = runner.invoke(app, ["inspect", str(write(tmp_path, DOC)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    orders = next(t for t in data["tables"] if t["name"] == "orders")
    assert orders["primary_key"] == ["id"]
    fk = orders["foreign_keys"][0]
    assert (fk["columns"], fk["ref_table"], fk["ref_columns"], fk["on_delete"]) == (
        ["customer_id"],
        "customers",
        ["id"],
        "cascade",
    )
    status = next(c for c in orders["columns"] if c["name"] == "status")
    assert status["enum"] == ["new", "paid"] and status["type"] == "text" and status["line"] == 8


def test_summary_lists_tables(tmp_path: Path):
    result = runner.invoke(app, ["inspect", str(write(tmp_path, DOC))])
    assert result.exit_code == 0
    assert "customers" in result.output and "orders" in result.output


def test_document_without_tables_exits_1_with_a_located_error(tmp_path: Path):
    path = write(tmp_path, "# Notes\n\nNothing here yet.\n")
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: error: no tables found" in result.output


def test_binary_file_is_a_clear_error(tmp_path: Path):
    result = runner.invoke(app, ["inspect", str(write(tmp_path, b"\x00\x01\x02binary", "x.md"))])
    assert result.exit_code == 1 and "binary" in result.output


def test_strict_fails_on_warnings(tmp_path: Path):
    doc = DOC + "\n```sql\nCREATE TABLE notes (id uuid PRIMARY KEY, author_id uuid REFERENCES authors(id));\n```\n"
    path = write(tmp_path, doc)
    assert runner.invoke(app, ["inspect", str(path)]).exit_code == 0
    strict = runner.invoke(app, ["inspect", str(path), "--strict"])
    assert strict.exit_code == 1 and "unknown table 'authors'" in strict.output


def test_missing_file_is_a_usage_error(tmp_path: Path):
    assert runner.invoke(app, ["inspect", str(tmp_path / "nope.md")]).exit_code == 2


def test_format_mermaid_reads_back_to_the_same_tables(tmp_path: Path):
    out = runner.invoke(app, ["inspect", str(write(tmp_path, DOC)), "--format", "mermaid"])
    assert out.exit_code == 0 and out.output.startswith("erDiagram")
    assert 'customers ||--o{ orders : "customer_id"' in out.output


def test_the_sqlite_row_order_rule_is_listed_and_follows_docbase_toml(tmp_path: Path):
    """SQLite's size rule for unordered reads is a difference from PostgreSQL: inspect names it, with the
    threshold docbase.toml sets (docbase.conventions.row_order)."""
    doc = write(tmp_path, DOC)
    said = runner.invoke(app, ["inspect", str(doc)]).output
    assert "*: sqlite_row_order - on SQLite" in said and "at most 1,000 rows" in said
    (tmp_path / "docbase.toml").write_text("sqlite_heap_order_rows = 50\n")
    said = runner.invoke(app, ["inspect", str(doc)]).output
    assert "at most 50 rows" in said
    (tmp_path / "docbase.toml").write_text("sqlite_heap_order_rows = 0\n")
    said = runner.invoke(app, ["inspect", str(doc)]).output
    assert "on every table, whatever its size" in said
