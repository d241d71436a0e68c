"""console_data: what the explorer and the diagram are drawn from, for a small two-section document."""

from __future__ import annotations

from docbase.pipeline import build_schema
from docbase.ui import console_data
from docbase.ui.data import UNSECTIONED

DOC = """# Accounts

```sql
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password_hash text
);
CREATE TABLE profiles (
  user_id uuid PRIMARY KEY REFERENCES users(id),
  bio text
);
```

# Content

## Posts

```sql
CREATE TABLE posts (
  id uuid PRIMARY KEY,
  author_id uuid NOT NULL REFERENCES users(id),
  editor_id uuid REFERENCES users(id),
  status text CHECK (status IN ('draft', 'published')),
  created_at timestamptz
);
```
"""


def data() -> dict:
    return console_data(build_schema(DOC, "blog.md"), anon_key="public-anon")


def table(d: dict, name: str) -> dict:
    return next(t for t in d["tables"] if t["name"] == name)


def test_sections_follow_the_document_headings_in_order():
    assert data()["sections"] == [
        {"name": "Accounts", "tables": ["users", "profiles"]},
        {"name": "Content / Posts", "tables": ["posts"]},
    ]
    assert table(data(), "posts")["section_path"] == "Content / Posts"


def test_tables_before_any_heading_get_a_named_group():
    d = console_data(build_schema("```sql\nCREATE TABLE t (id int PRIMARY KEY);\n```\n", "x.md"))
    assert d["sections"] == [{"name": UNSECTIONED, "tables": ["t"]}]


def test_relationships_carry_cardinality_and_optionality():
    rels = {(r["from"], tuple(r["columns"])): r for r in data()["relationships"]}
    assert set(rels) == {("profiles", ("user_id",)), ("posts", ("author_id",)), ("posts", ("editor_id",))}
    assert rels[("profiles", ("user_id",))]["cardinality"] == "one-to-one"
    assert rels[("posts", ("author_id",))]["cardinality"] == "many-to-one"
    assert rels[("posts", ("author_id",))]["optional"] is False
    assert rels[("posts", ("editor_id",))]["optional"] is True
    assert rels[("posts", ("editor_id",))]["to"] == "users"
    assert rels[("posts", ("editor_id",))]["ref_columns"] == ["id"]


def test_each_table_has_its_access_scope_and_line():
    d = data()
    posts = table(d, "posts")
    assert posts["line"] == 20  # the CREATE TABLE line
    assert posts["access"]["scope"] in {"user", "tenant_root", "membership", "tenant", "owned", "catalog", "private"}
    assert posts["access"]["reason"]
    assert set(posts["access"]["rules"]) == {"select", "insert", "update", "delete"}


def test_secret_columns_and_database_defaults_are_named_as_conventions():
    users = table(data(), "users")
    kinds = {(c["name"], c["column"]) for c in users["conventions"]}
    assert ("secret", "password_hash") in kinds
    posts = table(data(), "posts")
    created = next(c for c in posts["columns"] if c["name"] == "created_at")
    assert created["server_default"] == "now()"
    assert ("generated", "created_at") in {(c["name"], c["column"]) for c in posts["conventions"]}
    status = next(c for c in posts["columns"] if c["name"] == "status")
    assert status["enum"] == ["draft", "published"] and status["server_default"] is None


def test_anon_key_and_document_name_are_passed_to_the_page():
    d = data()
    assert d["anon_key"] == "public-anon"
    assert d["document"] == "blog.md"


def test_diagnostics_keep_their_lines():
    d = console_data(
        build_schema(
            "# T\n\n```sql\nCREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES nowhere(id));\n```\n", "x.md"
        )
    )
    assert d["diagnostics"], "a reference to a missing table should be reported"
    assert all(isinstance(x["line"], int) and x["line"] > 0 for x in d["diagnostics"])


def test_the_rules_seed_002_states_are_listed_per_table_with_their_lines():
    from ..conftest import seed_file

    schema = build_schema(seed_file("002").read_text(), path="design.md")
    tables = {t["name"]: t for t in console_data(schema)["tables"]}
    ledger = tables["credit_transactions"]["rules"]
    assert [r["kind"] for r in ledger] == ["ledger", "rbac"]
    assert "rpc/post_credit_transaction" in ledger[0]["text"] and ledger[0]["line"] > 0
    assert "billing_history" in tables["billing_history"]["rules"][0]["text"]
    assert [r["kind"] for r in tables["roles"]["rules"]] == ["rbac"]
    assert tables["credit_products"]["rules"] == []
