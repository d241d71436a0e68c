"""Merge rules, each shown with fragments as two notations would give them."""

from __future__ import annotations

from docbase.fragments import (
    ColumnFragment,
    ConstraintFragment,
    EnumFragment,
    IndexColumn,
    IndexFragment,
    Reference,
    RelationshipFragment,
    TableFragment,
    TypeInfo,
)
from docbase.schema.merge import merge


def col(name: str, line: int = 1, type_: str | None = None, **kw) -> ColumnFragment:
    return ColumnFragment(name, line, TypeInfo(type_, type_) if type_ else None, **kw)


def table(name: str, source: str, *columns: ColumnFragment, line: int = 1, **kw) -> TableFragment:
    return TableFragment(name, line, source, tuple(columns), **kw)


def messages(schema, level: str | None = None) -> list[str]:
    return [d.message for d in schema.diagnostics if level is None or d.level == level]


def test_highest_ranked_description_decides_columns_and_types():
    ascii_box = table("users", "ascii", col("id", 3, primary_key=True), col("email", 4, unique=True), line=2)
    column_table = table(
        "users", "column_table", col("id", 20, "varchar", primary_key=True), col("email", 21, "varchar"), line=19
    )
    schema = merge([ascii_box, column_table], [])
    users = schema.table("users")
    assert users.column_names == ("id", "email")
    assert users.column("email").type == "varchar"
    assert [u.columns for u in users.unique] == [("email",)], "the box's UNIQUE marker is added"
    assert users.primary_key == ("id",)
    assert users.line == 19


def test_abbreviated_column_in_lower_source_is_reported_not_added():
    box = table("users", "ascii", col("id", 3), col("last_visited_ws_id", 4), line=2)
    tbl = table(
        "users",
        "column_table",
        col("id", 20, "varchar", primary_key=True),
        col("last_visited_workspace_id", 21, "varchar"),
        line=19,
    )
    schema = merge([box, tbl], [])
    assert schema.table("users").column_names == ("id", "last_visited_workspace_id")
    assert any("last_visited_ws_id" in m and "abbreviation" in m for m in messages(schema))


def test_extra_column_only_in_lower_source_is_a_warning():
    box = table("users", "ascii", col("id", 3), col("nickname", 4), line=2)
    tbl = table("users", "column_table", col("id", 20, "varchar", primary_key=True), line=19)
    schema = merge([box, tbl], [])
    assert schema.table("users").column("nickname") is None
    assert any("nickname" in m and "not added" in m for m in messages(schema, "warning"))


def test_fk_target_inferred_from_name_and_typed_like_its_target():
    ws = table("workspaces", "column_table", col("id", 2, "varchar", primary_key=True))
    box = table("environments", "ascii", col("id", 10, primary_key=True), col("workspace_id", 11, fk_marked=True))
    schema = merge([ws, box], [])
    env = schema.table("environments")
    assert [(fk.columns, fk.ref_table, fk.ref_columns) for fk in env.foreign_keys] == [
        (("workspace_id",), "workspaces", ("id",))
    ]
    assert env.column("workspace_id").type == "varchar"
    assert env.column("workspace_id").inferred


def test_fk_target_from_same_column_name_elsewhere():
    inst = table("slack_installations", "column_table", col("id", 2, "varchar", primary_key=True))
    jobs = table(
        "jobs",
        "column_table",
        col("id", 5, "varchar", primary_key=True),
        col("slack_integration_id", 6, "varchar", references=Reference("slack_installations", ("id",))),
    )
    events = table("security_events", "ascii", col("id", 9), col("slack_integration_id", 10, fk_marked=True))
    schema = merge([inst, jobs, events], [])
    assert schema.table("security_events").foreign_keys[0].ref_table == "slack_installations"


def test_fk_target_from_relationship_lines_when_name_names_no_table():
    user = table("user", "mermaid", col("id", 2, "uuid", primary_key=True))
    org = table("organization", "mermaid", col("id", 5, "uuid", primary_key=True))
    inv = table(
        "invitation",
        "mermaid",
        col("id", 8, "uuid", primary_key=True),
        col("organizationId", 9, "uuid", fk_marked=True),
        col("inviterId", 10, "uuid", fk_marked=True),
    )
    rels = [
        RelationshipFragment("user", "invitation", 20, label="invites"),
        RelationshipFragment("organization", "invitation", 21),
    ]
    schema = merge([user, org, inv, *rels], [])
    targets = {fk.columns[0]: fk.ref_table for fk in schema.table("invitation").foreign_keys}
    assert targets == {"organizationId": "organization", "inviterId": "user"}


def test_unmarked_reference_like_column_is_not_a_foreign_key():
    users = table("users", "column_table", col("id", 2, "varchar", primary_key=True))
    tokens = table("refresh_tokens", "ascii", col("token", 5, primary_key=True), col("user_id", 6))
    schema = merge([users, tokens], [])
    assert schema.table("refresh_tokens").foreign_keys == ()
    assert any("looks like a reference" in m for m in messages(schema, "info"))


def test_relationship_sentence_sets_on_delete():
    ws = table("workspaces", "column_table", col("id", 2, "varchar", primary_key=True))
    mem = table(
        "memberships",
        "column_table",
        col("id", 5, "varchar", primary_key=True),
        col("workspace_id", 6, "varchar", references=Reference("workspaces", ("id",))),
    )
    rel = RelationshipFragment("workspaces", "memberships", 9, on_delete="CASCADE")
    schema = merge([ws, mem, rel], [])
    assert schema.table("memberships").foreign_keys[0].on_delete == "cascade"


def test_named_enum_matches_column_by_words_and_lowercases_when_document_does():
    jobs = table(
        "turn_steps",
        "column_table",
        col("id", 2, "varchar", primary_key=True),
        col("status", 3, "enum", default="'pending'"),
    )
    enums = [
        EnumFragment("TurnStatus", ("PENDING", "DONE"), 30),
        EnumFragment("StepStatus", ("PENDING", "RUNNING"), 40),
    ]
    schema = merge([jobs, *enums], [])
    assert schema.table("turn_steps").column("status").enum == ("pending", "running")


def test_null_in_value_list_means_nullable():
    t = table(
        "integrations",
        "ascii",
        col("id", 2, primary_key=True),
        col("health_status", 3, enum=("healthy", "failed", "null")),
    )
    c = merge([t], []).table("integrations").column("health_status")
    assert c.enum == ("healthy", "failed") and c.nullable is True


def test_prose_constraints_and_indexes_attach_to_their_table():
    t = table(
        "memberships",
        "column_table",
        col("id", 2, "uuid", primary_key=True),
        col("user_id", 3, "uuid"),
        col("workspace_id", 4, "uuid"),
        col("source", 5, "text"),
    )
    frags = [
        ConstraintFragment("memberships", "unique", ("user_id", "workspace_id"), 10),
        ConstraintFragment("MEMBERSHIPS", "unique", ("user_id", "source"), 11, where="source = 'slack'"),
        IndexFragment("memberships", (IndexColumn("user_id", desc=True),), 12, name="ix_user", method="btree"),
        ConstraintFragment("nowhere", "unique", ("a",), 13),
    ]
    schema = merge([t, *frags], [])
    m = schema.table("memberships")
    assert [(u.columns, u.where) for u in m.unique] == [
        (("user_id", "workspace_id"), None),
        (("user_id", "source"), "source = 'slack'"),
    ]
    assert m.indexes[0].name == "ix_user" and m.indexes[0].columns[0].desc
    assert any(d.line == 13 and "nowhere" in d.message for d in schema.diagnostics)


def test_tables_differing_only_in_case_in_one_notation_are_an_error():
    a = table("Users", "sql", col("id", 2, "uuid", primary_key=True), line=1)
    b = table("users", "sql", col("id", 6, "uuid", primary_key=True), line=5)
    schema = merge([a, b], [])
    assert any(d.level == "error" and d.line == 5 for d in schema.diagnostics)


def test_no_tables_is_an_error():
    schema = merge([], [])
    assert schema.errors and "no tables" in schema.errors[0].message


def test_unknown_fk_target_is_dropped_with_a_warning():
    t = table(
        "posts",
        "sql",
        col("id", 2, "uuid", primary_key=True),
        col("author_id", 3, "uuid", references=Reference("authors", ("id",))),
    )
    schema = merge([t], [])
    assert schema.table("posts").foreign_keys == ()
    assert any(d.line == 3 and "unknown table" in d.message for d in schema.diagnostics)


def test_auth_users_is_a_known_external_target():
    t = table("profiles", "sql", col("id", 2, "uuid", primary_key=True, references=Reference("auth.users", ("id",))))
    fk = merge([t], []).table("profiles").foreign_keys[0]
    assert (fk.ref_table, fk.ref_columns) == ("auth.users", ("id",))


def test_vector_from_float_array_with_dimension_note():
    t = table(
        "knowledge",
        "mermaid",
        col("_id", 2, "text", primary_key=True),
        ColumnFragment("embedding", 3, TypeInfo("array", "float[]", item="float"), comment="1536-dim vector"),
    )
    c = merge([t], []).table("knowledge").column("embedding")
    assert (c.type, c.dimension) == ("vector", 1536)


def test_alter_table_check_in_list_becomes_the_column_enum():
    t = table("orders", "sql", col("id", 2, "uuid", primary_key=True), col("status", 3, "text"))
    frags = [
        ConstraintFragment("orders", "check", ("status",), 9, expression="(status IN ('new', 'paid'))"),
        ConstraintFragment("orders", "check", ("status",), 10, expression="length(status) > 1"),
    ]
    orders = merge([t, *frags], []).table("orders")
    assert orders.column("status").enum == ("new", "paid")
    assert [c.expression for c in orders.checks] == ["length(status) > 1"]


def test_table_without_columns_is_left_out_with_a_warning():
    a = table("a", "mermaid", col("id", 2, "uuid", primary_key=True))
    b = table("b", "mermaid", line=7)
    rel = RelationshipFragment("a", "b", 9)
    schema = merge([a, b, rel], [])
    assert [t.name for t in schema.tables] == ["a"]
    assert any(d.level == "warning" and d.line == 7 and "no columns" in d.message for d in schema.diagnostics)


def test_a_qualifier_stays_only_for_a_schema_the_document_creates():
    """``personal.users`` beside ``users`` needs ``CREATE SCHEMA personal``; MySQL's `db`.`table` or SQL
    Server's dbo.X name a database, so they read as the bare table, with a note saying so."""
    from docbase.pipeline import build_schema

    kept = build_schema(
        "```sql\nCREATE SCHEMA personal;\nCREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE personal.users (id int PRIMARY KEY);\n```\n"
    )
    assert sorted(t.name for t in kept.tables) == ["personal.users", "users"]
    folded = build_schema("```sql\nCREATE TABLE `objetos`.`Usuarios` (`id` int NOT NULL, PRIMARY KEY (`id`));\n```\n")
    assert [t.name for t in folded.tables] == ["Usuarios"]
    assert any("objetos.Usuarios is read as Usuarios" in d.message for d in folded.diagnostics)
