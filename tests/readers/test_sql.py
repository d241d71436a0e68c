"""The SQL reader: PostgreSQL through pglast, MySQL/SQLite through sqlglot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import Block, split
from docbase.fragments import (
    CheckFragment,
    ConstraintFragment,
    EnumFragment,
    IndexColumn,
    IndexFragment,
    PolicyFragment,
    Reference,
    RlsFragment,
    RoutineFragment,
    TableFragment,
    UniqueFragment,
)
from docbase.readers import sql

from ..conftest import expected_tables, seed_file


def code(text: str, info: str = "sql", line: int = 1) -> Block:
    return Block("code", text, line, info=info)


def read(text: str, info: str = "sql", line: int = 1):
    return sql.read(code(text, info, line))


def only(reading, kind):
    found = [f for f in reading.fragments if isinstance(f, kind)]
    assert len(found) == 1, found
    return found[0]


def col(table: TableFragment, name: str):
    return next(c for c in table.columns if c.name == name)


# --- accepts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "info", ["sql", "SQL", "postgresql", "postgres", "pgsql", "psql", "plpgsql", "mysql", "sqlite", "tsql"]
)
def test_accepts_sql_info_strings(info):
    assert sql.accepts(code("SELECT 1;", info))


def test_accepts_unlabelled_ddl_but_not_other_notations():
    assert sql.accepts(code("create table t (id int);", ""))
    assert sql.accepts(code("-- schema\nALTER TABLE t ENABLE ROW LEVEL SECURITY;", ""))
    assert not sql.accepts(code("erDiagram\n  USER { int id }\n%% CREATE TABLE note", ""))
    assert not sql.accepts(code("Table users {\n  id int\n}\n// CREATE TABLE", ""))
    assert not sql.accepts(code("model User {\n  id Int @id\n}", ""))
    assert not sql.accepts(code("create table t (id int);", "mermaid"))
    assert not sql.accepts(code("npm install", ""))
    assert not sql.accepts(Block("paragraph", "CREATE TABLE t (id int)", 1))


# --- CREATE TABLE (PostgreSQL) -----------------------------------------------

TABLE = """\
-- the projects table
CREATE TABLE public.projects (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE ON UPDATE SET NULL,
  slug TEXT UNIQUE NOT NULL,
  visibility TEXT DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
  kind varchar(20) CHECK (kind = ANY (ARRAY['a'::varchar, 'b'::varchar])),
  tags TEXT[],
  settings JSONB DEFAULT '{}', -- a trailing comment, with a comma
  price numeric(10, 2) DEFAULT 0 NOT NULL,
  seq bigserial,
  status job_status DEFAULT 'queued',
  starts_at timestamp with time zone DEFAULT NOW(),
  CONSTRAINT projects_slug_key UNIQUE (owner_id, slug),
  FOREIGN KEY (owner_id, slug) REFERENCES public.slugs (owner_id, slug) ON DELETE SET NULL,
  CHECK (price >= 0)
);
"""


def test_create_table_columns_types_and_nullability():
    reading = read(TABLE, line=40)
    table = only(reading, TableFragment)
    assert reading.diagnostics == []
    assert (table.name, table.schema, table.source, table.line) == ("projects", None, "sql", 41)
    assert [c.name for c in table.columns] == [
        "id",
        "owner_id",
        "slug",
        "visibility",
        "kind",
        "tags",
        "settings",
        "price",
        "seq",
        "status",
        "starts_at",
    ]
    assert col(table, "id").type.name == "uuid"
    assert col(table, "tags").type.name == "array" and col(table, "tags").type.item == "text"
    assert col(table, "kind").type.length == 20
    assert (col(table, "price").type.precision, col(table, "price").type.scale) == (10, 2)
    assert col(table, "seq").type.name == "bigint" and col(table, "seq").type.raw == "bigserial"
    assert col(table, "status").type.name == "enum" and col(table, "status").type.enum_name == "job_status"
    assert col(table, "starts_at").type.name == "timestamptz"
    assert [c.nullable for c in table.columns] == [False, False, False, True, True, True, True, False, True, True, True]
    assert [c.line for c in table.columns] == list(range(42, 53))


def test_create_table_defaults_are_kept_as_written():
    table = only(read(TABLE), TableFragment)
    defaults = {c.name: c.default for c in table.columns if c.default is not None}
    assert defaults == {
        "id": "gen_random_uuid()",
        "visibility": "'private'",
        "settings": "'{}'",
        "price": "0",
        "status": "'queued'",
        "starts_at": "NOW()",
    }


def test_create_table_keys_uniques_references_and_checks():
    table = only(read(TABLE, line=40), TableFragment)
    assert table.primary_key == ("id",)
    assert col(table, "slug").unique is True
    assert col(table, "owner_id").references == Reference("auth.users", ("id",), "cascade", "set null")
    assert table.unique == (UniqueFragment(("owner_id", "slug"), 0, name="projects_slug_key"),)
    assert table.unique[0].line == 53
    (fk,) = table.foreign_keys
    assert fk.columns == ("owner_id", "slug")
    assert fk.references == Reference("slugs", ("owner_id", "slug"), "set null")
    assert col(table, "visibility").enum == ("public", "private")
    assert col(table, "kind").enum == ("a", "b")
    assert table.checks == (CheckFragment("price >= 0", 0),)
    assert table.checks[0].line == 55


def test_table_level_primary_key_and_other_schema():
    reading = read("CREATE TABLE billing.items (\n  a int,\n  b int,\n  PRIMARY KEY (a, b)\n);")
    table = only(reading, TableFragment)
    assert (table.name, table.schema, table.primary_key) == ("items", "billing", ("a", "b"))
    assert [c.nullable for c in table.columns] == [False, False]


def test_check_naming_another_column_is_a_check_not_an_enum():
    table = only(
        read("CREATE TABLE t (a text CHECK (b IN ('x')), b text, c int CHECK (c > 1 AND c < 9));"), TableFragment
    )
    assert col(table, "a").enum is None
    assert [c.expression for c in table.checks] == ["b IN ('x')", "c > 1 AND c < 9"]


def test_awkward_postgres_columns():
    text = (
        'CREATE TABLE IF NOT EXISTS "Users" (\n'
        "  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  a timestamptz NOT NULL DEFAULT timezone('utc'::text, now()),\n"
        '  c text COLLATE "C" NOT NULL,\n'
        "  d uuid CONSTRAINT d_nn NOT NULL CONSTRAINT d_def DEFAULT uuid_generate_v4(),\n"
        "  e int REFERENCES users ON DELETE CASCADE,\n"
        "  f int GENERATED ALWAYS AS (id * 2) STORED,\n"
        "  h character varying(40)[] DEFAULT '{}'::varchar[],\n"
        "  \"camelCase\" text DEFAULT E'it\\'s, ok'\n"
        ");"
    )
    reading = read(text)
    table = only(reading, TableFragment)
    assert reading.diagnostics == []
    assert table.name == "Users" and col(table, "id").notes == ("identity",)
    assert col(table, "a").default == "timezone('utc'::text, now())"
    assert col(table, "c").type.name == "text" and col(table, "c").nullable is False
    assert (col(table, "d").default, col(table, "d").nullable) == ("uuid_generate_v4()", False)
    assert col(table, "e").references == Reference("users", (), "cascade")
    assert col(table, "f").notes == ("generated: id * 2",)
    assert (col(table, "h").type.name, col(table, "h").type.item) == ("array", "varchar")
    assert col(table, "camelCase").default == "E'it\\'s, ok'"


# --- other statements --------------------------------------------------------


def test_create_type_enum():
    reading = read("\nCREATE TYPE public.job_status AS ENUM ('queued', 'done');")
    assert reading.fragments == [EnumFragment("job_status", ("queued", "done"), 2, source="sql")]
    assert reading.fragments[0].line == 2


def test_create_index_variants():
    reading = read(
        "CREATE INDEX idx_a ON public.t(a, b DESC);\n"
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_b ON auth.t USING GIN (lower(email)) WHERE deleted_at IS NULL;\n"
        "create index on t using hnsw (embedding vector_cosine_ops);"
    )
    a, b, c = reading.fragments
    assert a == IndexFragment("t", (IndexColumn("a"), IndexColumn("b", desc=True)), 1, name="idx_a", method="btree")
    assert b == IndexFragment(
        "auth.t",
        (IndexColumn("lower(email)", expression=True),),
        2,
        name="idx_b",
        unique=True,
        method="gin",
        where="deleted_at IS NULL",
    )
    assert (c.name, c.method, c.columns) == (None, "hnsw", (IndexColumn("embedding"),))
    assert [f.line for f in reading.fragments] == [1, 2, 3]


def test_alter_table_constraints_and_rls():
    reading = read(
        "ALTER TABLE public.members\n"
        "  ADD CONSTRAINT members_user_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;\n"
        "ALTER TABLE members ADD CONSTRAINT uq UNIQUE (org_id, user_id);\n"
        "ALTER TABLE members ADD CONSTRAINT role_ck CHECK (role IN ('a', 'b'));\n"
        "ALTER TABLE members ADD PRIMARY KEY (id);\n"
        "ALTER TABLE members ALTER COLUMN role SET NOT NULL, ALTER COLUMN role SET DEFAULT 'a';\n"
        "ALTER TABLE members ENABLE ROW LEVEL SECURITY;\n",
        line=5,
    )
    assert reading.diagnostics == []
    fk, uq, ck, pk, nn, df, rls = reading.fragments
    assert fk == ConstraintFragment(
        "members",
        "foreign_key",
        ("user_id",),
        0,
        references=Reference("users", ("id",), "cascade", name="members_user_fk"),
        name="members_user_fk",
    )
    assert uq == ConstraintFragment("members", "unique", ("org_id", "user_id"), 0, name="uq")
    assert ck == ConstraintFragment("members", "check", ("role",), 0, expression="role IN ('a', 'b')", name="role_ck")
    assert pk == ConstraintFragment("members", "primary_key", ("id",), 0)
    assert nn == ConstraintFragment("members", "not_null", ("role",), 0)
    assert df == ConstraintFragment("members", "default", ("role",), 0, expression="'a'")
    assert rls == RlsFragment("members", 0)
    assert [f.line for f in reading.fragments] == [5, 7, 8, 9, 10, 10, 11]


def test_create_policy():
    text = (
        'CREATE POLICY "Members read" ON public.projects AS RESTRICTIVE FOR SELECT TO authenticated\n'
        "  USING (workspace_id IN (SELECT workspace_id FROM members WHERE user_id = auth.uid()));\n"
        "CREATE POLICY p2 ON docs WITH CHECK (owner = auth.uid());"
    )
    reading = read(text)
    p1, p2 = reading.fragments
    assert p1 == PolicyFragment(
        "projects",
        "Members read",
        1,
        command="SELECT",
        roles=("authenticated",),
        permissive=False,
        using="workspace_id IN (SELECT workspace_id FROM members WHERE user_id = auth.uid())",
        sql=text.split(";")[0],
    )
    assert (p2.command, p2.using, p2.check, p2.line, p2.permissive) == ("ALL", None, "owner = auth.uid()", 3, True)


def test_functions_triggers_extensions_and_views_keep_their_text():
    body = "CREATE OR REPLACE FUNCTION touch()\nRETURNS trigger AS $$\nBEGIN\n  NEW.updated_at = now(); -- ; inside\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql"
    text = (
        'CREATE EXTENSION IF NOT EXISTS "pgcrypto";\n'
        f"{body};\n"
        "CREATE TRIGGER t_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION touch();\n"
        "CREATE VIEW active AS SELECT * FROM users WHERE active;"
    )
    ext, fn, trg, view = read(text).fragments
    assert ext == RoutineFragment("extension", "pgcrypto", 'CREATE EXTENSION IF NOT EXISTS "pgcrypto"', 1)
    assert fn == RoutineFragment("function", "touch", body, 2)
    assert (trg.kind, trg.name, trg.table, trg.line) == ("trigger", "t_touch", "users", 9)
    assert (view.kind, view.name, view.line) == ("view", "active", 10)


def test_unsupported_statements_are_warnings_with_their_line():
    reading = read(
        "CREATE TABLE t (id int);\n\nGRANT SELECT ON t TO anon;\nINSERT INTO t VALUES (1);\nBEGIN;\nCOMMIT;", line=20
    )
    assert [type(f) for f in reading.fragments] == [TableFragment]
    assert [(d.level, d.line) for d in reading.diagnostics] == [("warning", 22), ("warning", 23)]
    assert "GRANT" in reading.diagnostics[0].message and "INSERT" in reading.diagnostics[1].message


# --- malformed input ---------------------------------------------------------


def test_malformed_create_table_is_a_warning_and_the_rest_is_read():
    text = (
        "CREATE TABLE good (id int);\n"
        "-- a comment; with a semicolon\n"
        "CREATE TABLE bad (\n"
        "  id int,\n"
        "  name text text text,\n"
        ");\n"
        "CREATE INDEX idx ON good (id);"
    )
    reading = read(text, line=100)
    assert [type(f) for f in reading.fragments] == [TableFragment, TableFragment, IndexFragment]
    bad = reading.fragments[1]
    assert (bad.name, [c.name for c in bad.columns], [c.line for c in bad.columns]) == ("bad", ["id"], [103])
    assert reading.fragments[2].line == 106
    assert [(d.level, d.line) for d in reading.diagnostics] == [("warning", 104), ("warning", 104)]
    assert "could not be read and is left out: 'name text text text'" in reading.diagnostics[0].message
    assert "trailing comma" in reading.diagnostics[1].message


def test_trailing_comma_is_forgiven_with_a_warning():
    reading = read("CREATE TABLE t (\n  id int,\n  name text,\n);", line=3)
    table = only(reading, TableFragment)
    assert [c.name for c in table.columns] == ["id", "name"]
    assert [c.line for c in table.columns] == [4, 5]
    assert [d.level for d in reading.diagnostics] == ["warning"]


def test_pseudo_sql_is_a_warning_not_an_error():
    reading = read("SELECT * FROM users WHERE id = ?;\nCREATE TABLE t (id int);")
    assert [type(f) for f in reading.fragments] == [TableFragment]
    assert [(d.level, d.line) for d in reading.diagnostics] == [("warning", 1)]


def test_unterminated_quotes_and_dollar_bodies_do_not_raise():
    for text in [
        "CREATE TABLE t (a text DEFAULT 'x);",
        "CREATE FUNCTION f() RETURNS int AS $$ select 1;",
        "/* open",
        ";;;",
    ]:
        reading = read(text)
        assert all(d.line >= 1 for d in reading.diagnostics)


SQLISH = st.lists(
    st.sampled_from(
        [
            "CREATE TABLE t (",
            "CREATE INDEX i ON t (",
            "ALTER TABLE t ",
            "a int",
            "DEFAULT",
            "CHECK (",
            "REFERENCES u(id)",
            ",",
            ";",
            ")",
            "(",
            "'",
            '"',
            "`",
            "$$",
            "$x$",
            "--",
            "/*",
            "*/",
            "\n",
            " ",
            "E'\\'",
            "[]",
            "::",
            "NOT NULL",
        ]
    )
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), SQLISH))
def test_arbitrary_text_never_raises(text):
    for info in ("sql", "mysql", "sqlite"):
        reading = read(text, info)
        # The reader's last-resort handlers would hide a crash as a diagnostic: none may fire.
        assert not any(
            "could not read this" in d.message or "could not be read:" in d.message for d in reading.diagnostics
        )
        assert all(d.line >= 1 for d in reading.diagnostics)


# --- the document layer's line numbers ---------------------------------------


def test_lines_are_document_lines():
    doc = split("# Schema\n\nSome words.\n\n```sql\n-- users\nCREATE TABLE users (\n  id uuid PRIMARY KEY\n);\n```\n")
    (block,) = [b for b in doc.blocks if sql.accepts(b)]
    table = only(sql.read(block), TableFragment)
    assert (table.line, table.columns[0].line, table.section) == (7, 8, ("Schema",))


# --- MySQL and SQLite through sqlglot ----------------------------------------

MYSQL = """\
CREATE TABLE `orders` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `user_id` INT NOT NULL,
  `status` ENUM('new', 'paid') NOT NULL DEFAULT 'new',
  `total` DECIMAL(10,2) DEFAULT 0,
  `note` VARCHAR(255),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_user_note` (`user_id`, `note`),
  KEY `idx_user` (`user_id`),
  CONSTRAINT `fk_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE UNIQUE INDEX idx_total ON orders (total DESC);
GRANT SELECT ON orders TO app;
"""


@pytest.mark.parametrize("info", ["mysql", "sql"])
def test_mysql_table(info):
    reading = read(MYSQL, info, line=10)
    table, index = reading.fragments
    assert (table.name, table.line, table.primary_key) == ("orders", 10, ("id",))
    assert [c.line for c in table.columns] == [11, 12, 13, 14, 15]
    assert col(table, "id").type.name == "integer" and "autoincrement" in col(table, "id").notes
    assert [c.nullable for c in table.columns] == [False, False, False, True, True]
    assert col(table, "status").enum == ("new", "paid") and col(table, "status").default == "'new'"
    assert col(table, "total").type.precision == 10
    assert col(table, "note").type.length == 255
    assert table.unique == (UniqueFragment(("user_id", "note"), 0, name="uq_user_note"),)
    assert table.foreign_keys[0].references == Reference("users", ("id",), "cascade", name="fk_user")
    assert table.indexes[0].columns == (IndexColumn("user_id"),) and table.indexes[0].name == "idx_user"
    assert index == IndexFragment(
        "orders", (IndexColumn("total", desc=True),), 21, name="idx_total", unique=True, method="btree"
    )
    assert [(d.level, d.line) for d in reading.diagnostics] == [("warning", 22)]


def test_sqlite_table_and_syntax_error():
    text = (
        "CREATE TABLE notes (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  body TEXT NOT NULL CHECK (length(body) > 0),\n"
        "  kind TEXT CHECK (kind IN ('a', 'b')),\n"
        "  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,\n"
        "  loose\n"
        ");\n"
        "CREATE TABLE broken (\n  id INTEGER,\n  x int PRIMARY KEY KEY);\n"
        "CREATE INDEX idx_notes_kind ON notes (kind) WHERE kind IS NOT NULL;"
    )
    reading = read(text, "", line=1)
    assert sql.dialect(code(text, "")) == "sqlite"
    table, broken, index = reading.fragments
    assert [c.name for c in broken.columns] == ["id"]
    assert col(table, "id").primary_key and "autoincrement" in col(table, "id").notes
    assert col(table, "kind").enum == ("a", "b")
    assert col(table, "author_id").references == Reference("users", ("id",), "set null")
    assert col(table, "loose").type is None and col(table, "loose").line == 6
    assert [c.expression for c in table.checks] == ["LENGTH(body) > 0"]
    assert (index.where, index.line) == ("NOT kind IS NULL", 11)
    (diag,) = reading.diagnostics
    assert (diag.level, diag.line) == ("warning", 10)
    assert "could not be read and is left out: 'x int PRIMARY KEY KEY'" in diag.message


def test_dialect_hints_ignore_comments():
    assert sql.dialect(code("-- see `users`\nCREATE TABLE t (id int);")) == "postgres"
    assert sql.dialect(code("CREATE TABLE t (id int) ENGINE=InnoDB;")) == "mysql"


# --- seed 001: every fact the hand reading lists -----------------------------

SEED = seed_file("001")


def test_seed_001_matches_expected_reading():
    expected = expected_tables(SEED)
    doc = split(SEED.read_text(), str(SEED))
    fragments, diagnostics = [], []
    for block in doc.blocks:
        if sql.accepts(block):
            reading = sql.read(block)
            fragments += reading.fragments
            diagnostics += reading.diagnostics
    assert [d for d in diagnostics if d.level == "error"] == []
    tables = {f.name: f for f in fragments if isinstance(f, TableFragment)}
    assert sorted(tables) == sorted(expected)
    indexes = [f for f in fragments if isinstance(f, IndexFragment)]
    for name, want in expected.items():
        table = tables[name]
        got_columns = {
            c.name: {"type": _vocab(c.type), "nullable": c.nullable, "default": c.default} for c in table.columns
        }
        assert got_columns == want["columns"], name
        pk = list(table.primary_key)
        assert pk == want["primary_key"], name
        fks = [
            {
                "columns": [c.name],
                "references": c.references.table,
                "ref_columns": list(c.references.columns),
                "on_delete": c.references.on_delete,
            }
            for c in table.columns
            if c.references
        ] + [
            {
                "columns": list(fk.columns),
                "references": fk.references.table,
                "ref_columns": list(fk.references.columns),
                "on_delete": fk.references.on_delete,
            }
            for fk in table.foreign_keys
        ]
        assert sorted(fks, key=str) == sorted(want["foreign_keys"], key=str), name
        unique = [[c.name] for c in table.columns if c.unique] + [list(u.columns) for u in table.unique]
        assert sorted(unique) == sorted(want["unique"]), name
        assert {c.name: list(c.enum) for c in table.columns if c.enum} == want["enums"], name
        got_indexes = [
            {
                "name": i.name,
                "columns": [c.name for c in i.columns],
                "unique": i.unique,
                "method": i.method,
                "desc": [c.name for c in i.columns if c.desc],
            }
            for i in indexes
            if i.table == name
        ]
        assert sorted(got_indexes, key=str) == sorted(want["indexes"], key=str), name
    assert sum(isinstance(f, RlsFragment) for f in fragments) == 9
    assert sum(isinstance(f, PolicyFragment) for f in fragments) == 4


def _vocab(t) -> str:
    return f"{t.item}[]" if t.name == "array" else t.name


def test_comment_on_table_and_column_become_comment_fragments():
    reading = read(
        "CREATE TABLE t (c int);\n"
        "COMMENT ON TABLE public.t IS 'Things we track';\n"
        "COMMENT ON COLUMN t.c IS 'How many';\n"
        "COMMENT ON COLUMN t.c IS NULL;\n"
        "COMMENT ON INDEX t_idx IS 'not a table';\n"
    )
    comments = [f for f in reading.fragments if isinstance(f, ConstraintFragment) and f.kind == "comment"]
    assert [(f.table, f.columns, f.expression, f.line) for f in comments] == [
        ("public.t", (), "Things we track", 2),
        ("t", ("c",), "How many", 3),
    ]
    assert not [d for d in reading.diagnostics if d.level == "error"]
