"""DBML reader: pydbml path, lenient path, and that both mean the same thing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import (
    ConstraintFragment,
    EnumFragment,
    RelationshipFragment,
    TableFragment,
)
from docbase.readers import dbml
from docbase.readers.dbml_loose import parse_loose

STRICT = """Enum job_status {
  created [note: 'new']
  running
  "timed out"
}

Table users {
  id integer [pk, increment]
  email varchar(255) [unique, not null, note: 'login name']
  status job_status [default: 'created']
  org_id int [ref: > orgs.id]
  created_at timestamp [default: `now()`]
  score decimal(10,2) [null, default: 1.5]
  role varchar [note: 'owner | member']
  Note: 'people who sign in'
  indexes {
    (email, status) [unique, name: 'users_email_status']
    org_id [type: hash]
    `lower(email)`
  }
}

Table orgs {
  id int [pk]
  parent_id int
}

Table memberships {
  user_id int
  org_id int
  indexes {
    (user_id, org_id) [pk]
  }
}

Ref fk_parent: orgs.parent_id > orgs.id [delete: cascade]
Ref: users.id < memberships.user_id
Ref: memberships.org_id - orgs.id
Ref: users.id <> orgs.id
"""


def block(text: str, info: str = "dbml"):
    doc = split(f"# Data\n\n```{info}\n{text}\n```\n" if info is not None else f"# Data\n\n{text}\n")
    return next(b for b in doc.blocks if b.kind == "code")


def tables(reading) -> dict[str, TableFragment]:
    return {f.name: f for f in reading.fragments if isinstance(f, TableFragment)}


def located(reading) -> list:
    """Fragments with their lines (lines do not take part in fragment equality)."""
    out = []
    for f in reading.fragments:
        out.append((f, f.line))
        if isinstance(f, TableFragment):
            out.extend((c.name, c.line) for c in f.columns)
            out.extend((i.name, i.line) for i in f.indexes)
            out.extend((fk.columns, fk.line) for fk in f.foreign_keys)
    return out


def test_accepts_dbml_fences_and_bare_table_blocks():
    assert dbml.accepts(block("Table a {\n id int\n}"))
    assert dbml.accepts(block("// schema\nTable a {\n id int\n}", info=""))
    assert not dbml.accepts(block("Table a {\n id int\n}", info="sql"))
    assert not dbml.accepts(block("CREATE TABLE a (id int);", info=""))


def test_tables_columns_and_settings():
    reading = dbml.read(block(STRICT))
    assert reading.diagnostics == []
    users = tables(reading)["users"]
    assert users.source == "dbml" and users.line == 10 and users.comment == "people who sign in"
    cols = {c.name: c for c in users.columns}
    assert cols["id"].primary_key and cols["id"].nullable is False and cols["id"].line == 11
    assert cols["email"].unique and cols["email"].nullable is False and cols["email"].type.length == 255
    assert cols["email"].comment == "login name"
    assert (cols["status"].type.name, cols["status"].type.enum_name, cols["status"].default) == (
        "enum",
        "job_status",
        "'created'",
    )
    assert cols["created_at"].default == "now()" and cols["score"].default == "1.5"
    assert (cols["score"].type.precision, cols["score"].type.scale) == (10, 2)
    assert cols["score"].nullable is True
    assert cols["role"].enum == ("owner", "member")
    ref = cols["org_id"].references
    assert (ref.table, ref.columns) == ("orgs", ("id",))
    assert users.primary_key == ("id",)


def test_enums_indexes_refs():
    reading = dbml.read(block(STRICT))
    enum = next(f for f in reading.fragments if isinstance(f, EnumFragment))
    assert (enum.name, enum.values, enum.line, enum.source) == (
        "job_status",
        ("created", "running", "timed out"),
        4,
        "dbml",
    )
    found = tables(reading)
    indexes = found["users"].indexes
    assert [(tuple(c.name for c in i.columns), i.unique, i.name, i.method) for i in indexes] == [
        (("email", "status"), True, "users_email_status", None),
        (("org_id",), False, None, "hash"),
        (("lower(email)",), False, None, None),
    ]
    assert indexes[2].columns[0].expression
    assert found["memberships"].primary_key == ("user_id", "org_id")
    fks = {
        (t, fk.columns, fk.references.table, fk.references.columns, fk.references.on_delete)
        for t, f in found.items()
        for fk in f.foreign_keys
    }
    assert fks == {
        ("orgs", ("parent_id",), "orgs", ("id",), "cascade"),
        ("memberships", ("user_id",), "users", ("id",), None),
        ("memberships", ("org_id",), "orgs", ("id",), None),
    }
    parent = next(fk for fk in found["orgs"].foreign_keys)
    assert parent.line == 39 and parent.references.name == "fk_parent"
    many = [f for f in reading.fragments if isinstance(f, RelationshipFragment)]
    assert [(r.left, r.right, r.left_cardinality, r.right_cardinality) for r in many] == [("users", "orgs", "}o", "o{")]


def test_lenient_reader_means_the_same_as_pydbml():
    b = block(STRICT)
    assert dbml._with_pydbml(b) is not None  # this text is strict DBML: pydbml read it
    strict = dbml.read(b)
    lenient = dbml._fragments(parse_loose(b.text, b.line), b)
    assert located(strict) == located(lenient)
    assert lenient.diagnostics == []


def test_loose_syntax_falls_back_and_reports_only_bad_lines():
    text = """Table events {
  id uuid [PK]
  happened_at timestamp with time zone [not null, default: now()]
  kind event_kind
  this line is wrong [[
  account_id uuid [ref: > accounts.id, note: "optional owner"]
}

Ref: events.account_id > accounts.id [delete: set null]
nonsense here
"""
    reading = dbml.read(block(text))
    assert [(d.level, d.line) for d in reading.diagnostics if "cannot read" in d.message] == [
        ("warning", 8),
        ("warning", 13),
    ]
    events = tables(reading)["events"]
    cols = {c.name: c for c in events.columns}
    assert list(cols) == ["id", "happened_at", "kind", "account_id"]
    assert cols["id"].primary_key
    assert (cols["happened_at"].type.name, cols["happened_at"].default, cols["happened_at"].nullable) == (
        "timestamptz",
        "now()",
        False,
    )
    assert (cols["kind"].type.name, cols["kind"].type.enum_name) == ("enum", "event_kind")
    assert cols["account_id"].references.table == "accounts" and cols["account_id"].nullable is True
    assert events.foreign_keys[0].references.on_delete == "set null"


def test_ref_to_a_table_outside_the_block_becomes_a_constraint_fragment():
    reading = dbml.read(block("Table posts {\n  id int [pk]\n}\nRef: comments.post_id > posts.id"))
    constraint = next(f for f in reading.fragments if isinstance(f, ConstraintFragment))
    assert (constraint.table, constraint.kind, constraint.columns, constraint.references.table) == (
        "comments",
        "foreign_key",
        ("post_id",),
        "posts",
    )
    assert constraint.line == 7


def test_unclosed_table_is_reported():
    reading = dbml.read(block("Table a {\n  id int [pk]\n"))
    assert any(d.level == "warning" and d.line == 4 and "never closed" in d.message for d in reading.diagnostics)
    assert [c.name for c in tables(reading)["a"].columns] == ["id"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "Table a {",
                    "}",
                    "id int [pk",
                    "Ref: a.b > c.d",
                    "Enum e {",
                    "indexes {",
                    "/*",
                    "'''",
                    "x y [ref: <> ]",
                ]
            ),
        ),
        max_size=12,
    )
)
def test_never_raises(lines):
    reading = dbml.read(block("Table t {\n" + "\n".join(lines)))
    assert all(d.line >= 1 for d in reading.diagnostics)
