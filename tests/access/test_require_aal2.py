"""``[access.tables.X] require_aal2``: a table only sessions verified with a second factor may use.

Served as ``docbase serve`` builds it (REST and /auth/v1) on both databases; the user signs in, is refused
with a 403 naming the rule, verifies a TOTP factor (the code from pyotp, as an authenticator app computes it)
and is let in with the ``aal2`` token. On PostgreSQL the policy refuses too when the API is bypassed.
"""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa
from starlette.routing import Mount

from docbase.access.overrides import parse_overrides
from docbase.auth import keys
from docbase.auth.config import AuthConfig
from docbase.auth.routes import auth_routes
from docbase.db.core import Engine
from docbase.pipeline import load_schema

from ..tenants import serve

SECRET = "test-secret-for-docbase-aal2-rules-0123456789"
ANON = {"apikey": keys.anon_key(SECRET)}

DOC = """# Vault

```sql
CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users(id), name text);
CREATE TABLE vault_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users(id),
  body text NOT NULL
);
CREATE TABLE notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES auth.users(id),
  body text NOT NULL
);
```
"""

TOML = """[access.tables.vault_items]
require_aal2 = true
[access.tables.notes]
require_aal2 = ["delete"]
"""


@pytest.fixture
async def app(tmp_path, db_url):
    (tmp_path / "vault.md").write_text(DOC)
    (tmp_path / "docbase.toml").write_text(TOML)
    schema = load_schema(tmp_path / "vault.md")
    auth = auth_routes(schema, db_url, AuthConfig(bcrypt_cost=4), SECRET)
    client, application = serve(schema, db_url, SECRET, routes=[Mount("/auth/v1", routes=auth)])
    yield client
    await client.aclose()
    await application.state.db.close()


def bearer(session: dict) -> dict:
    return {**ANON, "Authorization": f"Bearer {session['access_token']}", "Prefer": "return=representation"}


async def raise_to_aal2(c, session: dict) -> dict:
    factor = (await c.post("/auth/v1/factors", json={"factor_type": "totp"}, headers=bearer(session))).json()
    challenge = (await c.post(f"/auth/v1/factors/{factor['id']}/challenge", headers=bearer(session))).json()
    code = pyotp.TOTP(factor["totp"]["secret"]).now()
    r = await c.post(
        f"/auth/v1/factors/{factor['id']}/verify",
        json={"challenge_id": challenge["id"], "code": code},
        headers=bearer(session),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_aal1_is_refused_naming_the_rule_and_aal2_is_let_in(app, db_url):
    c = app
    r = await c.post("/auth/v1/signup", json={"email": "ada@example.com", "password": "correct horse"}, headers=ANON)
    session = r.json()
    uid = session["user"]["id"]

    refused = await c.post("/rest/v1/vault_items", json={"user_id": uid, "body": "s"}, headers=bearer(session))
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["code"] == "42501" and "access.tables.vault_items.require_aal2" in body["details"]
    assert "aal1" in body["details"]
    assert (await c.get("/rest/v1/vault_items", headers=bearer(session))).status_code == 403
    note = await c.post("/rest/v1/notes", json={"user_id": uid, "body": "n"}, headers=bearer(session))
    assert note.status_code == 201, note.text  # notes need aal2 only to delete
    gone = await c.delete(f"/rest/v1/notes?id=eq.{note.json()[0]['id']}", headers=bearer(session))
    assert gone.status_code == 403 and "access.tables.notes.require_aal2" in gone.json()["details"]

    raised = await raise_to_aal2(c, session)
    made = await c.post("/rest/v1/vault_items", json={"user_id": uid, "body": "s"}, headers=bearer(raised))
    assert made.status_code == 201, made.text
    read = await c.get("/rest/v1/vault_items?select=body", headers=bearer(raised))
    assert read.status_code == 200 and read.json() == [{"body": "s"}]
    gone = await c.delete(f"/rest/v1/notes?id=eq.{note.json()[0]['id']}", headers=bearer(raised))
    assert gone.status_code == 200 and len(gone.json()) == 1

    if db_url.startswith("postgresql"):
        # Past the API: the table's RESTRICTIVE policy reads the claims PostgreSQL is given, as PostgREST's are.
        engine = Engine(db_url)
        try:
            async with engine.begin() as conn:
                for aal, seen in (("aal1", 0), ("aal2", 1)):
                    claims = f'{{"sub": "{uid}", "role": "authenticated", "aal": "{aal}"}}'
                    await conn.execute(sa.text("SELECT set_config('request.jwt.claims', :c, true)"), {"c": claims})
                    await conn.execute(sa.text("SET LOCAL ROLE authenticated"))
                    n = (await conn.execute(sa.text("SELECT count(*) FROM vault_items"))).scalar_one()
                    await conn.execute(sa.text("RESET ROLE"))
                    assert n == seen, aal
        finally:
            await engine.dispose()


def test_a_bad_require_aal2_is_an_error_naming_it_and_fails_closed():
    ov = parse_overrides({"access": {"tables": {"vault_items": {"require_aal2": "yes"}}}})
    assert any("access.tables.vault_items.require_aal2" in d.message for d in ov.diagnostics)
    assert ov.tables["vault_items"].aal2 == ("select", "insert", "update", "delete")
    ov = parse_overrides({"access": {"tables": {"notes": {"require_aal2": ["delete"]}}}})
    assert ov.tables["notes"].aal2 == ("delete",) and not ov.diagnostics


def test_docbase_access_lists_which_commands_take_aal2(tmp_path):
    from typer.testing import CliRunner

    from docbase.cli import app

    (tmp_path / "vault.md").write_text(DOC)
    (tmp_path / "docbase.toml").write_text(TOML)
    done = CliRunner().invoke(app, ["access", str(tmp_path / "vault.md")], env={"COLUMNS": "250"})
    assert done.exit_code == 0, done.output
    rows = {line.split("│")[1].strip(): line for line in done.output.splitlines() if line.count("│") > 3}
    assert "aal2" in rows["vault_items"] and "delete: self (aal2" in done.output
