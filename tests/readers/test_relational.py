"""Relational schema notation (``table(a, b, #c);`` items with ``col(type): description`` lines)."""

from __future__ import annotations

from docbase.pipeline import build_schema

DOC = """# Schéma relationnel

- nom_table(param_1, param_2 ..., param_X);

- room(id_room, label);

        id_room(int): Clé primaire de la table "room"
        label(varchar(20)): Nom de la salle

- meeting(id_meeting, held_at, room_meeting, #author_id);

        id_meeting(int): primary key
        held_at(datetime): when it takes place
        room_meeting(int): Clé étrangère de la table "room"
        ghost(int): not in the list above

- author(id, name);

        id(int): PK
"""


def test_relational_items_give_tables_keys_and_references() -> None:
    schema = build_schema(DOC, "rel.md")
    assert [t.name for t in schema.tables] == ["room", "meeting", "author"]
    room, meeting = schema.table("room"), schema.table("meeting")
    assert (room.primary_key, [(c.name, c.type) for c in room.columns]) == (
        ("id_room",),
        [("id_room", "integer"), ("label", "varchar")],
    )
    assert meeting.primary_key == ("id_meeting",)
    assert [c.name for c in meeting.columns] == ["id_meeting", "held_at", "room_meeting", "author_id"]
    assert [(fk.columns, fk.ref_table, fk.ref_columns, fk.inferred) for fk in meeting.foreign_keys] == [
        (("room_meeting",), "room", ("id_room",), False),
        (("author_id",), "author", ("id",), True),
    ]
    said = {(d.line, d.level, d.message) for d in schema.diagnostics}
    assert (3, "info", "nom_table(...) lists '...': a template of the notation, not a table") in said
    assert (15, "warning", "ghost is described but not listed in meeting(...); not read") in said
