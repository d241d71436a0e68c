"""to_ddl: golden DDL for both dialects, needing no database server."""

from __future__ import annotations

import sqlite3

from docbase.ddl.render import statements, to_ddl
from docbase.schema.model import Column, Enum, ForeignKey, Index, IndexColumn, Policy, Routine, Schema, Table

ORDER = Table(
    "order",
    (
        Column("id", "integer", raw_type="serial"),
        Column("userId", "uuid", nullable=False),
        Column("status", "enum", enum=("new", "paid"), enum_name="order_status", default="'new'"),
        Column("meta", "jsonb", default="'{}'::jsonb"),
        Column("updated_at", "timestamptz"),
    ),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("userId",), "user", ("id",), on_delete="cascade"),),
    indexes=(
        Index((IndexColumn("userId"), IndexColumn("updated_at", desc=True)), name="idx_order_user"),
        Index((IndexColumn("meta"),), name="idx_order_meta", method="gin"),
    ),
    rls=True,
)
USER = Table(
    "user",
    (Column("id", "uuid"), Column("last_order_id", "integer"), Column("created_at", "timestamp")),
    primary_key=("id",),
    foreign_keys=(ForeignKey(("last_order_id",), "order", ("id",), on_delete="set_null"),),
)
SCHEMA = Schema(
    (ORDER, USER),
    enums=(Enum("order_status", ("new", "paid")),),
    policies=(Policy("own orders", "order", "SELECT", using='"userId" = auth.uid()'),),
    routines=(Routine("function", "f", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"),),
)


def test_postgresql_golden() -> None:
    sql = statements(SCHEMA, "postgresql").statements
    assert "CREATE TYPE \"order_status\" AS ENUM ('new', 'paid')" in sql
    assert (
        'CREATE TABLE "order" (\n'
        '  "id" SERIAL NOT NULL,\n'
        '  "userId" UUID NOT NULL,\n'
        "  \"status\" order_status DEFAULT 'new',\n"
        "  \"meta\" JSONB DEFAULT '{}'::jsonb,\n"
        '  "updated_at" TIMESTAMP WITH TIME ZONE DEFAULT now(),\n'
        '  CONSTRAINT order_pkey PRIMARY KEY ("id")\n'
        ")"
    ) in sql
    assert 'CREATE INDEX idx_order_user ON "order" ("userId", "updated_at" DESC)' in sql
    assert 'CREATE INDEX idx_order_meta ON "order" USING gin ("meta")' in sql
    assert (
        'ALTER TABLE "order" ADD CONSTRAINT "order_userId_fkey" FOREIGN KEY("userId") '
        'REFERENCES "user" ("id") ON DELETE CASCADE'
    ) in sql
    assert (
        'CREATE TRIGGER "docbase_order_updated_at" BEFORE UPDATE ON "order" FOR EACH ROW '
        "EXECUTE FUNCTION docbase_set_updated_at('updated_at')"
    ) in sql
    assert 'ALTER TABLE "order" ENABLE ROW LEVEL SECURITY' in sql
    assert 'CREATE POLICY "own orders" ON "order" AS PERMISSIVE FOR SELECT USING ("userId" = auth.uid())' in sql
    assert "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$" in sql
    # the shim comes before the tables, the document's routines after them
    shim = next(i for i, s in enumerate(sql) if "CREATE SCHEMA IF NOT EXISTS auth" in s)
    table = next(i for i, s in enumerate(sql) if s.startswith('CREATE TABLE "order"'))
    routine = next(i for i, s in enumerate(sql) if s.startswith("CREATE FUNCTION f()"))
    assert shim < table < routine


def test_sqlite_golden() -> None:
    sql = statements(SCHEMA, "sqlite").statements
    order = next(s for s in sql if s.startswith('CREATE TABLE "order"'))
    assert '"id" INTEGER NOT NULL' in order
    assert "\"status\" TEXT DEFAULT 'new'" in order
    assert 'CONSTRAINT "order_userId_fkey" FOREIGN KEY("userId") REFERENCES "user" ("id") ON DELETE CASCADE' in order
    assert "CONSTRAINT order_status_check CHECK (\"status\" IN ('new', 'paid'))" in order  # PostgreSQL's name
    assert 'CONSTRAINT order_meta_json_check CHECK ("meta" IS NULL OR (json_valid("meta")))' in order
    assert 'CREATE INDEX idx_order_meta ON "order" ("meta")' in sql
    assert (
        'CREATE TRIGGER "docbase_order_updated_at" AFTER UPDATE ON "order" FOR EACH ROW '
        'WHEN NEW."updated_at" IS OLD."updated_at" BEGIN UPDATE "order" SET "updated_at" = '
        "strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE rowid = NEW.rowid; END"
    ) in sql
    assert not any("POLICY" in s or "CREATE FUNCTION" in s for s in sql)


def test_sqlite_script_runs_and_keeps_the_promises() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(to_ddl(SCHEMA, "sqlite"))
    db.execute("PRAGMA foreign_keys = ON")
    db.execute('INSERT INTO "user" (last_order_id) VALUES (NULL)')
    (uid, created) = db.execute('SELECT id, created_at FROM "user"').fetchone()
    assert len(uid) == 36 and uid[14] == "4" and created
    db.execute('INSERT INTO "order" ("userId") VALUES (?)', (uid,))
    before = db.execute('SELECT updated_at, status FROM "order"').fetchone()
    assert before[1] == "new"
    db.execute("UPDATE \"order\" SET status = 'paid'")
    after = db.execute('SELECT updated_at FROM "order"').fetchone()
    assert after[0] >= before[0]
    for bad in ("UPDATE \"order\" SET status = 'lost'", "UPDATE \"order\" SET meta = 'not json'"):
        try:
            db.execute(bad)
        except sqlite3.IntegrityError:
            continue
        raise AssertionError(f"{bad} was accepted")


def test_notes_name_the_document_line() -> None:
    table = Table(
        "a",
        (Column("id", "integer"), Column("b_id", "integer")),
        primary_key=("id",),
        foreign_keys=(ForeignKey(("b_id",), "b", ("id",), line=12),),
    )
    out = to_ddl(Schema((table,), path="design.md"), "postgresql")
    assert out.startswith("-- design.md:12: foreign key a (b_id) -> b: no table 'b' in the document; left out")


def test_defaults_translate_per_dialect() -> None:
    table = Table(
        "t",
        (
            Column("id", "uuid", default="uuid_generate_v4()"),
            Column("on", "boolean", default="TRUE"),
            Column("tags", "array", item_type="text", default="'{a,b}'"),
            Column("kind", "text", default="basic"),
            Column("seen", "date", default="now()"),
        ),
        primary_key=("id",),
    )
    pg = to_ddl(Schema((table,)), "postgresql")
    lite = to_ddl(Schema((table,)), "sqlite")
    assert '"id" UUID DEFAULT gen_random_uuid() NOT NULL' in pg
    assert '"on" BOOLEAN DEFAULT true' in pg and '"on" BOOLEAN DEFAULT 1' in lite
    assert "\"tags\" TEXT[] DEFAULT '{a,b}'" in pg and '"tags" TEXT DEFAULT \'["a", "b"]\'' in lite
    assert "\"kind\" TEXT DEFAULT 'basic'" in pg and "\"kind\" TEXT DEFAULT 'basic'" in lite
    assert '"seen" DATE DEFAULT CURRENT_DATE' in pg


def test_sqlite_json_columns_accept_null_and_refuse_garbage() -> None:
    from docbase.pipeline import build_schema

    schema = build_schema("```sql\nCREATE TABLE t (id integer PRIMARY KEY, meta jsonb, tags text[]);\n```")
    db = sqlite3.connect(":memory:")
    db.executescript(to_ddl(schema, "sqlite"))
    db.execute("INSERT INTO t (id, meta, tags) VALUES (1, NULL, NULL)")
    db.execute("""INSERT INTO t (id, meta, tags) VALUES (2, '{"a": 1}', '["x"]')""")
    for bad in (("'{oops'", "NULL"), ("NULL", '\'{"not": "an array"}\'')):
        try:
            db.execute(f"INSERT INTO t (id, meta, tags) VALUES (3, {bad[0]}, {bad[1]})")
        except sqlite3.IntegrityError:
            continue
        raise AssertionError(f"accepted {bad}")


def test_foreign_key_columns_get_an_index_unless_one_leads_with_them() -> None:
    from docbase.pipeline import build_schema

    schema = build_schema(
        "```sql\n"
        "CREATE TABLE orgs (id uuid PRIMARY KEY);\n"
        "CREATE TABLE members (id uuid PRIMARY KEY, org_id uuid REFERENCES orgs(id),\n"
        "  user_id uuid REFERENCES orgs(id), UNIQUE (org_id, user_id));\n"
        "```"
    )
    sql = statements(schema, "sqlite").statements
    created = [s for s in sql if s.startswith("CREATE INDEX")]
    assert created == ['CREATE INDEX ix_members_user_id ON "members" ("user_id")'], created
