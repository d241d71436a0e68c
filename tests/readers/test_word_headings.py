"""A column table under a heading of a few plain words (``## Список хранения``) is that table, joined with ``_``;
an FK flag with no target finds the one table whose primary key has the column's name."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import build_schema, load_schema
from docbase.readers._headings import table_name

DOC = Path(__file__).parent / "docs" / "word_headings.md"


def test_word_headings_and_targets_by_key_name() -> None:
    s = load_schema(DOC)
    assert [t.name for t in s.tables] == ["Экспонаты", "Список_хранения"]  # not "Relationship Summary"
    store = s.table("Список_хранения")
    assert store.primary_key == ("id_store",)
    assert [(fk.columns, fk.ref_table) for fk in store.foreign_keys] == [(("id_piece",), "Экспонаты")]
    assert any(d.line == 12 and "read as 'Список_хранения'" in d.message for d in s.diagnostics)
    assert any("primary key has its name" in d.message for d in s.diagnostics)


def test_a_heading_listing_the_tables_names_no_table() -> None:
    """``## 테이블 목록`` ("table list") over `name - description` items: the tables are described elsewhere;
    the list made a phantom table ``목록`` whose columns were the other tables' names."""
    for heading in ("테이블 목록", "Table list", "テーブル一覧", "表列表", "Daftar Tabel", "Tabellenliste"):
        assert table_name(heading) is None, heading
    assert table_name("## `list`") == "list"  # said explicitly, a table may still be called that
    s = build_schema(
        "## 테이블 목록\n1. users - 사용자\n2. rooms - 방\n\n```dbml\nTable users {\n  id int [pk]\n}\n"
        "Table rooms {\n  id int [pk]\n}\n```\n"
    )
    assert [t.name for t in s.tables] == ["users", "rooms"]


def test_a_heading_naming_a_part_of_the_section_looks_through_to_the_table() -> None:
    """``#### カラム定義`` ("column definitions") and ``**외래키:**`` ("foreign keys") are parts of the table above;
    they were read as tables of those names (the foreign key was skipped as on an unknown table)."""
    s = build_schema(
        "### 2.1 projects（プロジェクト）\n\n#### カラム定義\n| カラム名 | データ型 | PK |\n|---|---|---|\n"
        "| id | BIGINT | ○ |\n| owner_id | BIGINT | |\n\n### users\n\n| カラム名 | データ型 | PK |\n|---|---|---|\n"
        "| id | BIGINT | ○ |\n\n### projects\n\n**외래키:**\n- FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE\n"
    )
    assert [t.name for t in s.tables] == ["projects", "users"]
    (fk,) = s.table("projects").foreign_keys
    assert (fk.columns, fk.ref_table, fk.on_delete) == (("owner_id",), "users", "cascade")
