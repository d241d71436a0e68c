"""The corpus scorer counts facts the way its docstring says: pooled, case-insensitive, missed tables' facts missed."""

from __future__ import annotations

from docbase.pipeline import build_schema
from tests.corpus.score import score_schema

DOC = """
```sql
CREATE TABLE Users (id int PRIMARY KEY, email text UNIQUE, role text CHECK (role IN ('a', 'b')));
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users(id), body text);
CREATE TABLE extra (id int PRIMARY KEY);
```
"""


def _table(columns, pk=("id",), fks=(), unique=(), enums=None):
    return {
        "columns": {c: {"type": "unknown", "nullable": None, "default": None} for c in columns},
        "primary_key": list(pk),
        "foreign_keys": [{"columns": [c], "references": t, "ref_columns": ["id"], "on_delete": None} for c, t in fks],
        "unique": [list(u) for u in unique],
        "partial_unique": [],
        "enums": enums or {},
    }


EXPECTED = {
    "tables": {
        "users": _table(["id", "email", "role", "name"], unique=[("email",), ("id",)], enums={"role": ["a", "b"]}),
        "posts": _table(["id", "user_id", "body"], fks=[("user_id", "users")]),
        "comments": _table(["id", "post_id"], fks=[("post_id", "posts")]),
    }
}


def test_pooled_tallies_count_missed_tables_and_extra_tables():
    ds = score_schema("t", build_schema(DOC), EXPECTED)
    got = {m: (t.found, t.expected, t.correct, t.read) for m, t in ds.tallies.items()}
    assert got == {
        # comments is missed; extra is read but unknown to the hand reading
        "tables": (2, 3, 2, 3),
        # users.name missed, comments' two columns missed; extra.id is an extra fact
        "columns": (6, 9, 6, 7),
        "primary_keys": (2, 3, 2, 3),
        "foreign_keys": (1, 2, 1, 1),
        # UNIQUE(id) repeats the primary key and is not a separate fact
        "unique": (1, 1, 1, 1),
        "enums": (1, 1, 1, 1),
    }
    assert "columns: missed users: name" in ds.misses
    assert "tables: not expected table extra" in ds.misses
