"""Diagnostics print alike from every command, literally, and never stop a document that can be served."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from docbase.cli import app

runner = CliRunner()

# The bad reference sits on line 100, so its diagnostic starts `design.md:100:`, which Rich used to
# turn into an emoji; `:smile:` in the message itself must stay text too.
PADDING = "\n" * 95
DOC = (
    "# Shop\n\n```sql\n"  # lines 1-3
    "CREATE TABLE customers (id uuid PRIMARY KEY, email text);\n"  # line 4
    "```\n"  # line 5
    + PADDING  # lines 6-100 start here: 95 blank lines end at line 100
    + "```sql\n"
    "CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid REFERENCES custmers(id), note text);\n"
    "CREATE INDEX ON orders (notes);\n"
    "CREATE INDEX ON orders (:smile:);\n"
    "```\n"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "design.md"
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(ln for ln in text.split("\n") if needle in ln)) + 1


def test_the_document_lays_the_reference_on_line_102() -> None:
    assert line_of(DOC, "REFERENCES custmers(id)") == 102


def test_inspect_prints_path_line_level_literally(tmp_path: Path) -> None:
    path = write(tmp_path, DOC)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    expected = (
        f"{path}:102: warning: orders.customer_id references unknown table 'custmers'; "
        "no foreign key made; did you mean 'customers'?"
    )
    assert expected in result.stdout.split("\n")
    assert f"{path}:103: warning: index  on orders names unknown column(s) notes; skipped; did you mean 'note'?" in (
        result.stdout.split("\n")
    )
    assert "💯" not in result.output and "😄" not in result.output


def test_a_diagnostic_on_line_100_is_not_an_emoji(tmp_path: Path) -> None:
    doc = (
        "# T\n"
        + "\n" * 97
        + "```sql\nCREATE TABLE t (id uuid PRIMARY KEY, owner_id uuid REFERENCES nobody(id));\n```\n"
    )
    assert line_of(doc, "REFERENCES nobody") == 100
    path = write(tmp_path, doc)
    result = runner.invoke(app, ["inspect", str(path)])
    assert f"{path}:100: warning: t.owner_id references unknown table 'nobody'; no foreign key made" in result.stdout
    assert "💯" not in result.stdout


def test_migrate_prints_the_same_warnings_to_stderr_and_creates_the_database(tmp_path: Path) -> None:
    path = write(tmp_path, DOC)
    inspect = runner.invoke(app, ["inspect", str(path)])
    db = f"sqlite:///{tmp_path / 'shop.db'}"
    result = runner.invoke(app, ["migrate", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in inspect.stdout.split("\n") if ": warning: " in ln]
    assert len(warnings) == 3
    assert [ln for ln in result.stderr.split("\n") if ": warning: " in ln] == warnings
    assert f"{path}: 2 table(s); 0 error(s), 3 warning(s)" in result.stderr
    assert ": warning: " not in result.stdout
    assert (tmp_path / "shop.db").exists()


def test_sql_serves_the_rest_of_a_document_with_an_error(tmp_path: Path) -> None:
    doc = (
        '```sql\nCREATE TABLE "Notes" (id uuid PRIMARY KEY);\nCREATE TABLE notes (id uuid PRIMARY KEY);\n'
        "CREATE TABLE tags (id uuid PRIMARY KEY);\n```\n"
    )
    path = write(tmp_path, doc)
    assert runner.invoke(app, ["inspect", str(path)]).exit_code == 1
    result = runner.invoke(app, ["sql", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:3: error: table 'notes' differs only in case from 'Notes'" in result.stderr
    assert 'CREATE TABLE "tags"' in result.stdout


def test_a_document_without_tables_is_refused_with_its_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "# Notes\n\nNothing yet.\n")
    result = runner.invoke(app, ["migrate", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert f"{path}:1: error: no tables found: the document describes no table docbase can read" in result.stderr
