"""The hooks the API calls: hashed lookups, hidden soft-deleted rows, cron checks, and the audit row in the write's transaction."""

from __future__ import annotations

import orjson
import pytest

from docbase.access.live_rows import DeleteMark
from docbase.api.db import connect
from docbase.conventions import hashed_tokens
from docbase.conventions.errors import ConventionError
from docbase.conventions.runtime import Conventions
from docbase.pipeline import build_schema

from .helpers import migrated

DOC = """# App

```sql
CREATE TABLE notes (id serial PRIMARY KEY, body text, organization_id int, is_deleted boolean DEFAULT false);
CREATE TABLE invitations (id serial PRIMARY KEY, email text, token text);
CREATE TABLE audit_log (id serial PRIMARY KEY, user_id text, action text, changes jsonb, table_name text,
                        organization_id int, created_at timestamptz DEFAULT now());
CREATE TABLE tasks (id serial PRIMARY KEY, cron_schedule text, next_run_at timestamptz);
```
"""


def test_tokens_are_hashed_on_write_revealed_once_and_looked_up_by_hash():
    conv = Conventions(build_schema(DOC), "sqlite")
    (row,), (shown,) = conv.before_write("invitations", [{"id": 1, "email": "a@x.io"}], True)
    plain = shown["token"]
    assert row["token"] == hashed_tokens.digest(plain) and len(row["token"]) == 64
    assert conv.present("invitations", [row], "service_role", [shown])[0]["token"] == plain
    assert conv.query_params("invitations", [("token", f"eq.{plain}")]) == [("token", f"eq.{row['token']}")]


def test_the_callers_filters_are_kept_as_written_and_the_include_flag_taken_out():
    """Hiding soft-deleted rows is no query parameter: the access layer's row filter does it (access.live_rows)."""
    conv = Conventions(build_schema(DOC), "sqlite")
    assert conv.query_params("notes", []) == []
    assert conv.query_params("notes", [("id", "eq.1"), ("include_deleted", "true")]) == [("id", "eq.1")]
    assert conv.delete_as_update("notes") == {"is_deleted": True}
    assert conv.delete_as_update("tasks") is None
    assert conv.delete_marks() == {"notes": DeleteMark("is_deleted", flag=True)}


def test_cron_is_checked_and_next_run_filled():
    conv = Conventions(build_schema(DOC), "sqlite")
    (row,), _ = conv.before_write("tasks", [{"id": 1, "cron_schedule": "*/5 * * * *"}], True)
    assert row["next_run_at"] is not None
    with pytest.raises(ConventionError) as info:
        conv.before_write("tasks", [{"id": 2, "cron_schedule": "every tuesday"}], True)
    assert info.value.status == 400 and "cron_schedule" in info.value.message


async def test_audit_row_is_written_in_the_same_transaction(db_url):
    schema = migrated(DOC, db_url)
    db = connect(db_url)
    conv = Conventions(schema, db.dialect)
    p = (lambda i: "?") if db.dialect == "sqlite" else (lambda i: f"${i}")
    async with db.transaction() as tx:
        rows = await tx.rows(
            f"INSERT INTO notes (id, body, organization_id) VALUES ({p(1)}, {p(2)}, {p(3)}) RETURNING *",
            [7, "secret text", 3],
        )
        await conv.after_write(tx, "notes", "insert", rows, ("id", "body"), "user-1")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            rows = await tx.rows(f"UPDATE notes SET body = {p(1)} RETURNING *", ["x"])
            await conv.after_write(tx, "notes", "update", rows, ("body",), "user-1")
            raise RuntimeError("the write fails after its audit row")
    async with db.transaction() as tx:
        logged = await tx.rows("SELECT user_id, action, changes, table_name, organization_id FROM audit_log", [])
    await db.close()
    assert len(logged) == 1
    user, action, changes, table, org = logged[0]
    changes = orjson.loads(changes) if isinstance(changes, str) else changes
    assert (user, action, table, org) == ("user-1", "insert", "notes", 3)
    assert changes == {"table": "notes", "row": "7", "columns": ["id", "body"]}
    assert "secret text" not in str(logged)


def test_a_hash_the_caller_computed_is_kept_and_the_plaintext_column_hashed():
    schema = build_schema(
        "```sql\nCREATE TABLE email_verifications (id serial PRIMARY KEY, token text, token_hash text);\n```"
    )
    conv = Conventions(schema, "sqlite")
    (row,), (shown,) = conv.before_write("email_verifications", [{"id": 1, "token": "abc", "token_hash": "h1"}], True)
    assert row == {"id": 1, "token": hashed_tokens.digest("abc"), "token_hash": "h1"} and shown == {"token": "abc"}
    (row,), _ = conv.before_write("email_verifications", [{"id": 2, "token": "abc"}], True)
    assert row["token_hash"] == row["token"] == hashed_tokens.digest("abc")


def test_the_audit_names_the_user_behind_a_jwt_or_an_api_key_but_not_the_service():
    from docbase.conventions.runtime import user_from

    assert user_from({"role": "authenticated", "sub": "u1"}) == "u1"
    assert user_from({"role": "authenticated", "sub": "u2", "api_key": "k"}) == "u2"
    assert user_from({"role": "service_role"}) is None
    assert user_from(None) is None
