"""A table described in parts: bold leads (``**Résultat**``) under a heading that names the table are parts of it,
not tables of their own; French ``Contrainte`` / ``Rôle`` headers are constraints and descriptions."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "parts_of_a_table.md"


def test_bold_leads_are_parts_of_the_heading_table() -> None:
    s = load_schema(DOC)
    assert [t.name for t in s.tables] == ["matches", "teams"]
    matches = s.table("matches")
    assert [c.name for c in matches.columns] == ["id", "stage", "team1_id", "score1"]
    assert matches.primary_key == ("id",)
    assert matches.column("stage").enum == ("poule", "quart", "finale")
    assert [(fk.columns, fk.ref_table) for fk in matches.foreign_keys] == [(("team1_id",), "teams")]
    assert matches.column("score1").nullable is True
