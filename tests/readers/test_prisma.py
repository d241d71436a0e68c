"""Prisma reader: models as tables under their database names, relations, enums, types."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import TYPE_ELSEWHERE, EnumFragment, TableFragment
from docbase.readers import prisma

SCHEMA = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// People who write
model User {
  id        String   @id @default(uuid()) @db.Uuid
  email     String   @unique @db.VarChar(255)
  name      String?
  role      Role     @default(USER)
  tags      String[]
  scores    Float[]
  posts     Post[]
  createdAt DateTime @default(now()) @map("created_at")
  contact   String   @default("a@b.c") // not an attribute: @ignore
  data      Json?
  avatar    Bytes?
  big       BigInt   @default(0)
  ok        Boolean  @default(true)
  slug      String   @default(cuid())

  @@map("users")
}

model Post {
  id       Int     @id @default(autoincrement())
  title    String
  price    Decimal @db.Decimal(10, 2)
  author   User    @relation(fields: [authorId], references: [id], onDelete: Cascade, onUpdate: SetNull)
  authorId String  @map("author_id") @db.Uuid

  @@unique([authorId, title], map: "posts_author_title")
  @@index([title(sort: Desc), price], type: Hash)
  @@map("posts")
}

model Tagging {
  postId Int
  tag    String
  post   Post @relation(fields: [postId], references: [id])

  @@id([postId, tag])
}

enum Role {
  USER
  ADMIN @map("admin")

  @@map("user_role")
}
"""


def read(text: str, info: str = "prisma"):
    doc = split(f"# Data\n\n```{info}\n{text}\n```\n")
    return prisma.read(next(b for b in doc.blocks if b.kind == "code"))


def tables(reading) -> dict[str, TableFragment]:
    return {f.name: f for f in reading.fragments if isinstance(f, TableFragment)}


def test_accepts_prisma_fences_and_bare_models():
    doc = split("```prisma\nmodel A {\n id Int @id\n}\n```\n\n```\nenum E {\n A\n}\n```\n\n```ts\nmodel A {\n}\n```\n")
    assert [prisma.accepts(b) for b in doc.blocks] == [True, True, False]


def test_models_become_tables_with_mapped_names_and_scalar_types():
    reading = read(SCHEMA)
    assert reading.diagnostics == []
    users = tables(reading)["users"]
    assert users.source == "prisma" and users.line == 10 and users.comment == "People who write"
    cols = {c.name: c for c in users.columns}
    assert "posts" not in cols  # a relation list is not a column
    assert list(cols)[:3] == ["id", "email", "name"] and "created_at" in cols
    types = {name: c.type.name for name, c in cols.items()}
    assert types == {
        "id": "uuid", "email": "varchar", "name": "text", "role": "enum", "tags": "array", "scores": "array",
        "created_at": "timestamp", "contact": "text", "data": "jsonb", "avatar": "bytes", "big": "bigint",
        "ok": "boolean", "slug": "text",
    }  # fmt: skip
    assert cols["email"].type.length == 255 and cols["email"].unique
    assert cols["tags"].type.item == "text" and cols["scores"].type.item == "float"
    assert cols["role"].type.enum_name == "user_role"
    assert cols["id"].primary_key and users.primary_key == ("id",)
    assert (cols["name"].nullable, cols["email"].nullable, cols["data"].nullable) == (True, False, True)
    assert cols["id"].line == 11 and cols["created_at"].line == 18


def test_defaults_as_sql():
    cols = {c.name: c for c in tables(read(SCHEMA))["users"].columns}
    assert cols["id"].default == "gen_random_uuid()"
    assert cols["created_at"].default == "now()"
    assert cols["role"].default == "'USER'"
    assert cols["contact"].default == "'a@b.c'"
    assert (cols["big"].default, cols["ok"].default) == ("0", "true")
    assert cols["slug"].default is None and any("cuid()" in n for n in cols["slug"].notes)
    post_id = next(c for c in tables(read(SCHEMA))["posts"].columns if c.name == "id")
    assert post_id.default is None and "autoincrement" in post_id.notes


def test_relations_become_foreign_keys_in_database_names():
    found = tables(read(SCHEMA))
    posts = found["posts"]
    assert [c.name for c in posts.columns] == ["id", "title", "price", "author_id"]
    (fk,) = posts.foreign_keys
    assert fk.columns == ("author_id",) and fk.line == 33
    assert (fk.references.table, fk.references.columns) == ("users", ("id",))
    assert (fk.references.on_delete, fk.references.on_update) == ("cascade", "set null")
    price = next(c for c in posts.columns if c.name == "price")
    assert (price.type.precision, price.type.scale) == (10, 2)
    (unique,) = posts.unique
    assert unique.columns == ("author_id", "title") and unique.name == "posts_author_title"
    (index,) = posts.indexes
    assert [(c.name, c.desc) for c in index.columns] == [("title", True), ("price", False)] and index.method == "hash"
    tagging = found["Tagging"]
    assert tagging.primary_key == ("postId", "tag")
    assert all(c.nullable is False for c in tagging.columns)
    assert tagging.foreign_keys[0].references.table == "posts"


def test_enum_with_mapped_values():
    enum = next(f for f in read(SCHEMA).fragments if isinstance(f, EnumFragment))
    assert (enum.name, enum.values, enum.line, enum.source) == ("user_role", ("USER", "admin"), 49, "prisma")


def test_types_from_elsewhere_unsupported_and_bad_lines():
    reading = read(
        """model Doc {
  id      Int @id
  owner   Account
  state   DocStatus
  search  Unsupported("tsvector")?
  embed   Unsupported("vector(1536)")
  this is = wrong
}
model Open {
  id Int @id
"""
    )
    cols = {c.name: c for c in tables(reading)["Doc"].columns}
    # a model or enum described in another block: the schema stage decides which (tests/readers/test_dbml_prisma_shapes.py)
    assert (cols["owner"].type.enum_name, cols["owner"].notes) == ("Account", (TYPE_ELSEWHERE,))
    assert (cols["state"].type.name, cols["state"].type.enum_name) == ("enum", "DocStatus")
    assert (cols["search"].type.name, cols["search"].nullable) == ("text", True)
    assert (cols["embed"].type.name, cols["embed"].type.dimension) == ("vector", 1536)
    levels = {(d.level, d.line) for d in reading.diagnostics}
    assert ("warning", 8) in levels  # tsvector read as text
    assert ("warning", 10) in levels  # the bad field
    assert ("warning", 12) in levels  # model Open never closed
    assert [c.name for c in tables(reading)["Open"].columns] == ["id"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "model A {",
                    "}",
                    "enum E {",
                    "id Int @id",
                    "@@id([",
                    "a B @relation(fields: [x",
                    '@default("',
                    "@@map()",
                ]
            ),
        ),
        max_size=12,
    )
)
def test_never_raises(lines):
    reading = read("model T {\n" + "\n".join(lines))
    assert all(d.line >= 1 for d in reading.diagnostics)
