"""Secrets: AES-256-GCM envelopes, masking, the masked column, and rotate-key on real databases."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest
from typer.testing import CliRunner

from docbase.api.db import connect
from docbase.cli import app
from docbase.conventions import secrets
from docbase.conventions.keyring import Keyring, SecretError, load_keyring, parse_key
from docbase.conventions.runtime import Conventions
from docbase.pipeline import build_schema

from .helpers import migrated

DOC = """# Integrations

```sql
CREATE TABLE integrations (id int PRIMARY KEY, name text, api_key text, masked_key text);
```

| Table | Column | Notes |
|---|---|---|
"""


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)


def test_envelope_round_trip_and_tamper_detection():
    ring = Keyring(os.urandom(32))
    sealed = ring.encrypt("sk-abcdef1234567890", "t.c")
    assert sealed.startswith(f"enc:v1:{ring.current_id}:") and "sk-abcdef" not in sealed
    assert ring.decrypt(sealed, "t.c") == "sk-abcdef1234567890"
    with pytest.raises(SecretError):
        ring.decrypt(sealed, "other.column")  # moved to another column
    with pytest.raises(SecretError):
        Keyring(os.urandom(32)).decrypt(sealed, "t.c")  # unknown key


def test_key_file_is_created_once_with_mode_0600(tmp_path):
    first = load_keyring()
    assert load_keyring().current == first.current
    mode = stat.S_IMODE((tmp_path / ".docbase" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_env_key_wins(monkeypatch):
    monkeypatch.setenv("DOCBASE_SECRET_KEY", "ab" * 32)
    assert load_keyring().current == bytes.fromhex("ab" * 32) == parse_key("ab" * 32)


def test_mask_shows_first_and_last_four():
    assert secrets.mask("sk-abcdefgh9f2c") == "sk-a****9f2c"
    assert secrets.mask("short") == "****"


def test_rows_are_sealed_and_opened_by_role():
    schema = build_schema(DOC.replace("masked_key text", "masked_value text"))
    conv = Conventions(schema, "sqlite", keyring=Keyring(os.urandom(32)))
    (row,), _ = conv.before_write("integrations", [{"id": 1, "api_key": "sk-abcdefgh9f2c"}], True)
    assert row["api_key"].startswith("enc:v1:") and row["masked_value"] == "sk-a****9f2c"
    assert conv.present("integrations", [row], "service_role")[0]["api_key"] == "sk-abcdefgh9f2c"
    assert conv.present("integrations", [row], "authenticated")[0]["api_key"] == "sk-a****9f2c"


def test_a_masked_column_alone_keeps_only_the_masked_form():
    schema = build_schema(
        '```mermaid\nerDiagram\n  keys {\n    string _id PK\n    string maskedValue "first4****last4"\n  }\n```'
    )
    conv = Conventions(schema, "sqlite", keyring=Keyring(os.urandom(32)))
    (row,), _ = conv.before_write("keys", [{"_id": "a", "maskedValue": "sk-ant-0123456789abcd"}], True)
    assert row["maskedValue"] == "sk-a****abcd"


async def _read(url, sql):
    db = connect(url)
    async with db.transaction() as tx:
        rows = await tx.rows(sql, [])
    await db.close()
    return rows


async def _write(url, schema, row):
    db = connect(url)
    conv = Conventions(schema, db.dialect)
    (sealed,), _ = conv.before_write("integrations", [row], True)
    names = list(sealed)
    marks = ", ".join("?" if db.dialect == "sqlite" else f"${i + 1}" for i in range(len(names)))
    async with db.transaction() as tx:
        await tx.rows(f"INSERT INTO integrations ({', '.join(names)}) VALUES ({marks})", [sealed[n] for n in names])
    await db.close()


def test_rotate_key_reencrypts_every_secret_in_the_database(db_url, tmp_path):
    schema = migrated(DOC, db_url)
    asyncio.run(_write(db_url, schema, {"id": 1, "name": "dd", "api_key": "dd-secret-0123456789"}))
    before = asyncio.run(_read(db_url, "SELECT api_key FROM integrations"))[0][0]
    assert "dd-secret" not in before
    if db_url.startswith("sqlite"):
        assert b"dd-secret-0123456789" not in (tmp_path / "test.db").read_bytes()
    doc = tmp_path / "app.md"
    doc.write_text(DOC)
    result = CliRunner().invoke(app, ["rotate-key", str(doc), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 secret values" in result.output
    after = asyncio.run(_read(db_url, "SELECT api_key FROM integrations"))[0][0]
    ring = load_keyring()
    assert after != before and after.split(":")[2] == ring.current_id
    assert ring.decrypt(after, "integrations.api_key") == "dd-secret-0123456789"


def test_rotate_key_refuses_when_the_key_comes_from_the_environment(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("DOCBASE_SECRET_KEY", "cd" * 32)
    doc = tmp_path / "app.md"
    doc.write_text(DOC)
    migrated(DOC, sqlite_url)
    result = CliRunner().invoke(app, ["rotate-key", str(doc), "--db", sqlite_url])
    assert result.exit_code == 1 and "DOCBASE_SECRET_KEY" in result.output
