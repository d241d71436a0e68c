"""The access decision per object name, and ``[storage]`` in docbase.toml, as a matrix of actor x name x action."""

from __future__ import annotations

import pytest

from docbase.storage.rules import BucketRule, Caller, StorageConfigError, allowed, parse_rules

ORG, OTHER, ME = "0f0e0d0c-0000-4000-8000-000000000001", "0f0e0d0c-0000-4000-8000-000000000002", "u-1"
WRITER = Caller("authenticated", ME, {ORG: "writer"})
READER = Caller("authenticated", ME, {ORG: "reader"})
STRANGER = Caller("authenticated", "u-2", {})
ANON = Caller("anon")
SERVICE = Caller("service_role")
DEFAULT = BucketRule()

CASES = [
    (WRITER, f"{ORG}/a.txt", "read", True),
    (WRITER, f"{ORG}/a.txt", "write", True),
    (WRITER, f"{ORG.upper()}/a.txt", "read", True),  # a UUID's case does not matter
    (READER, f"{ORG}/a.txt", "read", True),
    (READER, f"{ORG}/a.txt", "write", False),
    (WRITER, f"{OTHER}/a.txt", "read", False),
    (WRITER, f"{ME}/a.txt", "write", True),
    (STRANGER, f"{ME}/a.txt", "read", False),
    (WRITER, "a.txt", "read", False),  # the bucket root is service_role's
    (ANON, f"{ORG}/a.txt", "read", False),
    (SERVICE, "a.txt", "write", True),
]


@pytest.mark.parametrize(("caller", "key", "action", "expected"), CASES)
def test_default_rule(caller, key, action, expected):
    assert allowed(caller, DEFAULT, False, key, action) is expected


def test_public_bucket_serves_reads_only():
    assert allowed(ANON, DEFAULT, True, f"{ORG}/a.txt", "read")
    assert not allowed(ANON, DEFAULT, True, f"{ORG}/a.txt", "write")
    assert not allowed(STRANGER, DEFAULT, True, f"{ORG}/a.txt", "write")


def test_overrides():
    rules = parse_rules(
        {"storage": {"buckets": {"shared": {"read": "authenticated"}, "locked": {"write": "service_role"}}}}
    )
    shared, locked = rules.rule("shared"), rules.rule("locked")
    assert allowed(STRANGER, shared, False, f"{ORG}/a.txt", "read")
    assert not allowed(ANON, shared, False, f"{ORG}/a.txt", "read")
    assert not allowed(STRANGER, shared, False, f"{ORG}/a.txt", "write")
    assert not allowed(WRITER, locked, False, f"{ORG}/a.txt", "write")
    assert allowed(WRITER, locked, False, f"{ORG}/a.txt", "read")
    assert rules.rule("other") == DEFAULT
    everyone = parse_rules({"storage": {"buckets": {"site": {"read": "public"}}}}).rule("site")
    assert allowed(ANON, everyone, False, "index.html", "read")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"storage": {"bucket": {}}}, "unknown key storage.bucket"),
        ({"storage": {"buckets": {"a": {"read": "everyone"}}}}, "storage.buckets.a.read = 'everyone'"),
        ({"storage": {"buckets": {"a": {"write": "public"}}}}, "storage.buckets.a.write = 'public'"),
        ({"storage": {"buckets": {"a": {"reed": "prefix"}}}}, "storage.buckets.a must be a table"),
    ],
)
def test_bad_overrides_are_named(config, message):
    with pytest.raises(StorageConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_rules(config)


def test_serve_stops_on_a_bad_storage_rule(tmp_path):
    import os
    import subprocess

    from ..api.test_serve import DOCBASE

    (tmp_path / "design.md").write_text("```sql\nCREATE TABLE t (id integer PRIMARY KEY);\n```\n")
    (tmp_path / "docbase.toml").write_text('[storage.buckets.a]\nread = "everyone"\n')
    done = subprocess.run(
        [DOCBASE, "serve", str(tmp_path / "design.md"), "--port", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DOCBASE_JWT_SECRET": "x" * 40},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "storage.buckets.a.read = 'everyone'" in done.stderr and "Traceback" not in done.stderr
