"""docbase.toml [access] parsing: mistakes name the key."""

from __future__ import annotations

from docbase.access.overrides import load_overrides, parse_overrides


def test_bad_scope_and_audience_and_key_are_each_reported():
    ov = parse_overrides({"access": {"tables": {"plans": {"scope": "public", "select": "everyone", "colour": 1}}}})
    messages = [d.message for d in ov.diagnostics]
    assert any("access.tables.plans.scope" in m and "catalog" in m for m in messages)
    assert any("access.tables.plans.select" in m for m in messages)
    assert any("access.tables.plans.colour" in m for m in messages)
    assert ov.tables["plans"].scope is None


def test_roles_must_be_a_list_of_names():
    ov = parse_overrides({"access": {"roles": "owner"}})
    assert ov.roles is None
    assert "access.roles" in ov.diagnostics[0].message


def test_read_from_docbase_toml_beside_the_document(tmp_path):
    (tmp_path / "docbase.toml").write_text('[access]\ntenant_root = "teams"\n[access.tables.x]\nscope = "private"\n')
    ov = load_overrides(tmp_path / "design.md")
    assert ov.tenant_root == "teams"
    assert ov.tables["x"].scope == "private"
    assert ov.diagnostics == ()
