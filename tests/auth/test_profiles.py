"""Finding the document's users table, the columns docbase fills and hides, and the trigger-made row case."""

from __future__ import annotations

import pytest

from docbase.auth.profiles import find_profile_table, hidden_columns
from docbase.pipeline import build_schema

from .conftest import make_harness


def sql_doc(sql: str) -> str:
    return f"```sql\n{sql}\n```\n"


def test_a_table_whose_key_references_auth_users_is_the_profile():
    schema = build_schema(
        sql_doc(
            "CREATE TABLE users (id uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE, email text NOT NULL);\n"
            "CREATE TABLE user_roles (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users(id));"
        )
    )
    found = find_profile_table(schema)
    assert found is not None and found.table.name == "users" and found.email_column == "email"


def test_a_many_per_user_table_referencing_auth_users_is_not_a_profile():
    schema = build_schema(
        sql_doc("CREATE TABLE user_roles (id uuid PRIMARY KEY, user_id uuid NOT NULL REFERENCES auth.users(id));")
    )
    assert find_profile_table(schema) is None


@pytest.mark.parametrize("name", ["users", "user", "profiles", "Profile"])
def test_named_tables_with_an_email_column(name):
    schema = build_schema(sql_doc(f'CREATE TABLE "{name}" (id uuid PRIMARY KEY, "emailAddress" text);'))
    found = find_profile_table(schema)
    assert found is not None and found.table.name == name and found.email_column == "emailAddress"


def test_a_users_table_without_email_is_not_taken():
    assert find_profile_table(build_schema(sql_doc("CREATE TABLE users (id uuid PRIMARY KEY, name text);"))) is None


def test_hidden_columns_list_password_hashes_of_every_table():
    schema = build_schema(
        sql_doc(
            "CREATE TABLE users (id uuid PRIMARY KEY, email text, password_hash text, name text);\n"
            'CREATE TABLE account (id uuid PRIMARY KEY, "userId" uuid, password text, scope text);\n'
            "CREATE TABLE notes (id uuid PRIMARY KEY, body text);"
        )
    )
    assert hidden_columns(schema) == {"users": ("password_hash",), "account": ("password",)}


CAMEL = 'CREATE TABLE "user" (id uuid PRIMARY KEY, email text, "emailVerified" boolean, "createdAt" timestamp, "updatedAt" timestamp)'


async def test_camel_case_verified_and_timestamps_are_filled(db_url):
    h = await make_harness(db_url, document=sql_doc(CAMEL + ";"), ddl=CAMEL, confirm_email=True)
    try:
        user = (await h.signup()).json()
        rows = await h.rows('SELECT * FROM "user"')
        assert str(rows[0]["id"]) == user["id"] and rows[0]["emailVerified"] in (False, 0)
        assert rows[0]["createdAt"] is not None and rows[0]["updatedAt"] is not None
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_a_row_already_made_by_a_trigger_is_updated_not_duplicated(pg_url):
    """Seed 001 copies auth.users into public.users with a trigger; sign-up must still succeed."""
    from docbase.auth.tables import create_auth_tables

    profile = "CREATE TABLE users (id uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE, email text NOT NULL, full_name text)"
    trigger = [
        "CREATE OR REPLACE FUNCTION sync_user_profile() RETURNS TRIGGER AS $$ BEGIN "
        "INSERT INTO public.users (id, email) VALUES (NEW.id, NEW.email) "
        "ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email; RETURN NEW; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER on_auth_user_created AFTER INSERT OR UPDATE ON auth.users "
        "FOR EACH ROW EXECUTE FUNCTION sync_user_profile()",
    ]
    h = await make_harness(pg_url, document=sql_doc(profile + ";"), ddl=None)
    try:
        await h.engine.run_sync(create_auth_tables)
        async with h.engine.begin() as conn:
            import sqlalchemy as sa

            for statement in [profile, *trigger]:
                await conn.execute(sa.text(statement))
        r = await h.signup(data={"full_name": "Ada"})
        assert r.status_code == 200, r.text
        rows = await h.rows("SELECT id::text AS id, email, full_name FROM users")
        assert rows == [{"id": r.json()["user"]["id"], "email": "ada@example.com", "full_name": "Ada"}]
    finally:
        await h.client.aclose()
        await h.engine.dispose()
