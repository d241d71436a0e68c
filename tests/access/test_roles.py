"""Role order from names: the default vocabulary and unfamiliar spellings."""

from __future__ import annotations

from docbase.access.roles import level_of, order_roles, values_from_check


def test_levels_from_words():
    assert [level_of(n) for n in ("owner", "org_admin", "member", "user", "editor", "project_viewer", "guest")] == [
        "owner",
        "admin",
        "writer",
        "writer",
        "writer",
        "reader",
        "reader",
    ]


def test_order_is_by_level_then_breadth_then_as_written():
    got = [r.name for r in order_roles(["project_viewer", "project_editor", "org_owner", "project_admin", "org_admin"])]
    assert got == ["org_owner", "org_admin", "project_admin", "project_editor", "project_viewer"]
    assert [r.name for r in order_roles(["viewer", "user", "owner"])] == ["owner", "user", "viewer"]


def test_values_from_a_check_in_list():
    assert values_from_check("role IN ('owner', 'admin')", "role") == ("owner", "admin")
    assert values_from_check("status IN ('a')", "role") == ()
