"""Rotating the signing key with an overlap window: ``docbase keys DOC --rotate`` against a running auth app.

The app keeps running across the rotation (it rescans the key files by itself), so this is what a deploy
sees: the JWKS lists both keys, a session from before the rotation still works, new sessions carry the new
``kid``; after ``jwt_key_overlap`` the old key's tokens are refused and it leaves the JWKS. HS256 tokens
signed with the project secret are still accepted throughout.
"""

from __future__ import annotations

import time

import jwt
import pytest
from typer.testing import CliRunner

from docbase.auth import jwks, keys, rotation
from docbase.cli import app as cli

from .conftest import SECRET, make_harness


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(rotation, "RESCAN_SECONDS", 0.0)
    (tmp_path / "design.md").write_text("# Notes\n\n```sql\nCREATE TABLE notes (id uuid PRIMARY KEY);\n```\n")
    (tmp_path / "docbase.toml").write_text('jwt_signing_alg = "ES256"\njwt_key_overlap = 600\n')
    yield tmp_path
    keys.TRUSTS.pop(SECRET, None)


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def test_a_rotated_key_verifies_through_the_overlap_and_not_after(state, sqlite_url):
    trust = jwks.install(SECRET, toml={"jwt_signing_alg": "ES256", "jwt_key_overlap": 600})
    h = await make_harness(sqlite_url)
    keys.TRUSTS[SECRET] = trust  # the harness installed the default trust; use the ES256 one
    try:
        await h.signup()
        before = (await h.login()).json()
        old_kid = kid(before["access_token"])
        assert [k["kid"] for k in (await h.client.get("/auth/v1/.well-known/jwks.json")).json()["keys"]] == [old_kid]

        done = CliRunner().invoke(cli, ["keys", str(state / "design.md"), "--rotate"])
        assert done.exit_code == 0, done.output
        assert f"retired key {old_kid}" in done.output

        after = (await h.login()).json()
        new_kid = kid(after["access_token"])
        assert new_kid != old_kid and new_kid in done.output
        listed = [k["kid"] for k in (await h.client.get("/auth/v1/.well-known/jwks.json")).json()["keys"]]
        assert listed == [new_kid, old_kid]
        for session in (before, after):
            r = await h.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {session['access_token']}"})
            assert r.status_code == 200, r.text
        hs = keys.sign({"role": "authenticated", "aud": "authenticated", "sub": after["user"]["id"],
                        "session_id": None, "exp": int(time.time()) + 60}, SECRET)  # fmt: skip
        assert (await h.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {hs}"})).status_code == 200

        trust.clock = lambda: time.time() + 601  # the overlap is over
        r = await h.client.get("/auth/v1/user", headers={"Authorization": f"Bearer {before['access_token']}"})
        assert r.status_code == 401 and "retired key" in r.json()["msg"]
        listed = [k["kid"] for k in (await h.client.get("/auth/v1/.well-known/jwks.json")).json()["keys"]]
        assert listed == [new_kid]
        assert keys.verify(after["access_token"], SECRET)["sub"] == after["user"]["id"]
    finally:
        await h.client.aclose()
        await h.engine.dispose()


def test_rotation_needs_an_asymmetric_key(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "design.md").write_text("# Notes\n\n```sql\nCREATE TABLE notes (id uuid PRIMARY KEY);\n```\n")
    done = CliRunner().invoke(cli, ["keys", str(tmp_path / "design.md"), "--rotate"])
    assert done.exit_code == 2 and "RS256 or ES256" in done.output
