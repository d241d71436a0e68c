"""Every access question is asked for a whole ``Principal`` (role, user, API key, session level), on every path.

A transport that handed the gate a bare role was judged without the
request's claims: RPC's table check did, so ``rpc/match_<table>`` searched a
table ``require_aal2`` closes to a session without a second factor. Signed
tokens are made as ``/auth/v1`` makes them, with the ``aal`` claim it sets.
"""

from __future__ import annotations

import time
import uuid

import pytest

from docbase.access.principal import Principal
from docbase.auth import keys
from docbase.pipeline import load_schema

from ..tenants import serve

SECRET = "test-secret-for-docbase-principal-0123456789"

DOC = """# Vault

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE NOT NULL);
CREATE TABLE vault_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  body text NOT NULL,
  embedding vector(3)
);
```
"""

TOML = """[access.tables.vault_items]
require_aal2 = true
"""


def session(user: str, aal: str) -> dict[str, str]:
    claims = {"sub": user, "role": "authenticated", "aud": "authenticated", "aal": aal, "exp": int(time.time()) + 600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


@pytest.fixture
async def vault(tmp_path, db_url):
    (tmp_path / "vault.md").write_text(DOC)
    (tmp_path / "docbase.toml").write_text(TOML)
    client, app = serve(load_schema(tmp_path / "vault.md"), db_url, SECRET)
    user = str(uuid.uuid4())
    service = {"apikey": keys.service_key(SECRET)}
    r = await client.post("/rest/v1/users", json={"id": user, "email": "ada@example.com"}, headers=service)
    assert r.status_code == 201, r.text
    item = {"user_id": user, "body": "the safe's code", "embedding": [1, 0, 0]}
    r = await client.post("/rest/v1/vault_items", json=item, headers=service)
    assert r.status_code == 201, r.text
    yield client, user
    await client.aclose()
    await app.state.db.close()


async def test_a_vector_search_is_refused_below_aal2_as_a_read_is(vault):
    c, user = vault
    query = {"query_embedding": [1, 0, 0], "match_count": 5, "match_threshold": 0}
    for path, kwargs in (("vault_items?select=body", {}), ("rpc/match_vault_items", {"json": query})):
        method = c.post if "json" in kwargs else c.get
        refused = await method(f"/rest/v1/{path}", headers=session(user, "aal1"), **kwargs)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "42501", path
    found = await c.post("/rest/v1/rpc/match_vault_items", json=query, headers=session(user, "aal2"))
    assert found.status_code == 200, found.text
    assert [r["body"] for r in found.json()] == ["the safe's code"]


def test_a_principal_carries_the_whole_request():
    who = Principal.of({"role": "authenticated", "sub": "u1", "api_key": "k1", "key_tenant": "t1"})
    assert (who.role, who.user, who.api_key, who.key_tenant) == ("authenticated", "u1", "k1", "t1")
    assert who.bare() == Principal("authenticated") and who.bare().claims is None
    assert Principal.of(None, "anon").jwt_claims() == {"role": "anon"}
    assert Principal.of({"role": "service_role", "sub": "x"}).user is None  # only a signed-in user has one
