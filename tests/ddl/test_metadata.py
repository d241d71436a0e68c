"""build_metadata: the model becomes SQLAlchemy tables a user's database can be built from."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from docbase.ddl.metadata import build, build_metadata
from docbase.schema.model import (
    Column,
    Enum,
    ForeignKey,
    Index,
    IndexColumn,
    Schema,
    Table,
    UniqueConstraint,
)

USERS = Table(
    "user",
    (
        Column("id", "uuid"),
        Column("email", "varchar", length=255, nullable=False),
        Column("workspace_id", "uuid"),
        Column("role", "enum", enum=("owner", "member"), enum_name="role_t"),
        Column("tags", "array", item_type="text"),
        Column("deleted_at", "timestamptz"),
    ),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("workspace_id",), "workspaces", ("id",), on_delete="set_null"),),
    unique=(UniqueConstraint(("email",), where="deleted_at IS NULL"),),
    indexes=(Index((IndexColumn("deleted_at", desc=True),), name="idx_user_deleted"),),
)
WORKSPACES = Table(
    "workspaces",
    (Column("id", "uuid"), Column("ownerId", "uuid", nullable=False), Column("seq", "bigint")),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("ownerId",), "user", ("id",), on_delete="cascade"),),
)
SCHEMA = Schema((USERS, WORKSPACES), enums=(Enum("role_t", ("owner", "member")),))


def test_one_table_per_model_table_with_names_kept() -> None:
    md = build_metadata(SCHEMA, "postgresql")
    assert set(md.tables) == {"user", "workspaces"}
    assert "ownerId" in md.tables["workspaces"].c


def test_postgresql_types_are_native() -> None:
    t = build_metadata(SCHEMA, "postgresql").tables["user"]
    assert isinstance(t.c.id.type, pg.UUID)
    assert isinstance(t.c.tags.type, pg.ARRAY)
    assert isinstance(t.c.role.type, pg.ENUM) and t.c.role.type.name == "role_t"
    assert t.c.email.type.length == 255


def test_sqlite_stores_json_and_arrays_as_checked_text() -> None:
    t = build_metadata(SCHEMA, "sqlite").tables["user"]
    checks = {c.name: str(c.sqltext) for c in t.constraints if isinstance(c, sa.CheckConstraint)}
    assert "json_valid" in checks["user_tags_json_check"]
    assert "IN ('owner', 'member')" in checks["user_role_check"]


def test_cycle_foreign_keys_are_deferred() -> None:
    md = build_metadata(SCHEMA, "postgresql")
    fks = [fk for t in md.tables.values() for fk in t.foreign_key_constraints]
    assert len(fks) == 2 and all(fk.use_alter for fk in fks)
    ondelete = {fk.parent.name: fk.ondelete for fk in fks for fk in fk.elements}
    assert ondelete == {"workspace_id": "SET NULL", "ownerId": "CASCADE"}


def test_partial_unique_becomes_unique_index_with_predicate() -> None:
    t = build_metadata(SCHEMA, "postgresql").tables["user"]
    partial = [ix for ix in t.indexes if ix.unique]
    assert len(partial) == 1
    assert str(partial[0].dialect_options["postgresql"]["where"]) == "deleted_at IS NULL"


def test_foreign_key_to_missing_table_is_left_out_with_a_note() -> None:
    table = Table(
        "a",
        (Column("id", "integer"), Column("b_id", "integer")),
        primary_key=("id",),
        foreign_keys=(ForeignKey(("b_id",), "nowhere", ("id",), line=7),),
    )
    built = build(Schema((table,)), "sqlite")
    assert not built.metadata.tables["a"].foreign_key_constraints
    assert built.notes and built.notes[0][0] == 7 and "nowhere" in built.notes[0][1]


def test_integer_primary_key_autoincrements_only_where_the_document_says_so() -> None:
    md = build_metadata(SCHEMA, "sqlite")
    said = Table("n", (Column("id", "bigint", raw_type="bigserial"),), primary_key=("id",))
    n = build_metadata(Schema((said,)), "sqlite").tables["n"]
    assert isinstance(n.c.id.type, sa.Integer) and n.c.id.autoincrement is True
    assert "randomblob" in str(md.tables["user"].c.id.server_default.arg)
    plain = Table("p", (Column("id", "integer", raw_type="integer"),), primary_key=("id",))
    for dialect in ("sqlite", "postgresql"):
        p = build_metadata(Schema((plain,)), dialect).tables["p"]
        assert p.c.id.autoincrement is False and p.c.id.server_default is None


def test_a_text_key_gets_a_uuid_default_only_when_the_document_calls_it_a_uuid() -> None:
    said = Table("a", (Column("id", "varchar", comment="UUID generated on creation"),), primary_key=("id",))
    silent = Table("b", (Column("id", "text"),), primary_key=("id",))
    md = build_metadata(Schema((said, silent)), "postgresql")
    assert str(md.tables["a"].c.id.server_default.arg) == "gen_random_uuid()"
    assert md.tables["b"].c.id.server_default is None
