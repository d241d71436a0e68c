"""A column table under a heading of a few plain words (``## Список хранения``) is that table, joined with ``_``;
an FK flag with no target finds the one table whose primary key has the column's name."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "word_headings.md"


def test_word_headings_and_targets_by_key_name() -> None:
    s = load_schema(DOC)
    assert [t.name for t in s.tables] == ["Экспонаты", "Список_хранения"]  # not "Relationship Summary"
    store = s.table("Список_хранения")
    assert store.primary_key == ("id_store",)
    assert [(fk.columns, fk.ref_table) for fk in store.foreign_keys] == [(("id_piece",), "Экспонаты")]
    assert any(d.line == 12 and "read as 'Список_хранения'" in d.message for d in s.diagnostics)
    assert any("primary key has its name" in d.message for d in s.diagnostics)
