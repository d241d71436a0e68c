"""Key summary tables (one row per key: table, column(s), target, ON DELETE) as a document restates its keys."""

from __future__ import annotations

import pytest

from docbase.pipeline import build_schema

TABLES = """\
## users

| Column | Type |
|---|---|
| id | uuid PK |
| email | text |

## orders

| Column | Type | Key |
|---|---|---|
| id | uuid | PK |
| user_id | uuid | {user_key} |
| code | text | |

## Keys

{keys}
"""


@pytest.mark.parametrize(
    "keys",
    [
        "| Table | Column | References | On Delete |\n|---|---|---|---|\n| orders | user_id | users(id) | CASCADE |",
        "| Tabel | Kolom FK | Mengacu ke | Aksi Hapus |\n|---|---|---|---|\n| orders | user_id | users(id) | CASCADE |",
    ],
)
@pytest.mark.parametrize("user_key", ["", "FK → users"])
def test_a_foreign_key_summary_row_gives_the_key_and_its_delete_action(keys: str, user_key: str) -> None:
    """Read whether or not the column table marks the key too; it was reported as a column table without types."""
    schema = build_schema(TABLES.format(keys=keys, user_key=user_key))
    (fk,) = schema.table("orders").foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) == (("user_id",), "users", ("id",), "cascade")
    assert not [d for d in schema.diagnostics if d.level != "info"]


@pytest.mark.parametrize("header", ["| Table | Unique column |", "| Tabel | Kolom Unik |"])
def test_a_unique_summary_table_gives_single_and_composite_uniques(header: str) -> None:
    """It was dropped without a word."""
    keys = header + "\n|---|---|\n| users | email |\n| orders | (user_id, code) *(together)* |"
    schema = build_schema(TABLES.format(keys=keys, user_key=""))
    assert [u.columns for u in schema.table("users").unique] == [("email",)]
    assert [u.columns for u in schema.table("orders").unique] == [("user_id", "code")]


def test_an_unreadable_summary_row_is_reported_where_it_is() -> None:
    keys = (
        "| Table | Unique column |\n|---|---|\n| users | email |\n| orders | code |\n| orders | code and more words |"
    )
    schema = build_schema(TABLES.format(keys=keys, user_key=""))
    assert [(d.line, d.level) for d in schema.diagnostics if "key table" in d.message] == [(22, "warning")]


@pytest.mark.parametrize(
    "keys, says",
    [
        ("| Table | Unique column |\n|---|---|\n| orders | code |\n| orders | (see below) |\n| orders | - |", "(a, b)"),
        ("| Table | Column | References |\n|---|---|---|\n| orders | user_id | users(id) |\n| orders | code | - |\n"
         "| orders | id | ? |", "users(id)"),
    ],
)  # fmt: skip
def test_a_key_table_mostly_unreadable_is_a_located_warning_not_a_silent_drop(keys: str, says: str) -> None:
    """Headed as a table of keys but with too few readable rows: said where, and how to write it (it vanished)."""
    schema = build_schema(TABLES.format(keys=keys, user_key=""), "design.md")
    found = [d for d in schema.diagnostics if d.level == "warning" and "table of keys" in d.message]
    assert [d.line for d in found] == [
        TABLES.format(keys=keys, user_key="").splitlines().index(keys.splitlines()[0]) + 1
    ]
    assert says in found[0].message
