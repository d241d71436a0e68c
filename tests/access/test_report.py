"""The ``docbase access`` table and JSON, rendered from a hand-built schema."""

from __future__ import annotations

import json

from rich.console import Console

from docbase.access import build_access
from docbase.access.report import access_table, roles_lines

from .helpers import saas


def render() -> str:
    console = Console(width=250, record=True, color_system=None)
    console.print(access_table(build_access(saas())))
    return console.export_text()


def test_table_lists_every_table_with_scope_path_readers_writers_and_reason():
    text = render()
    for name in ("users", "workspaces", "projects", "files", "notes", "plans", "refresh_tokens"):
        assert name in text
    files_row = next(line for line in text.splitlines() if line.startswith("│ files"))
    assert "tenant" in files_row and "files.project_id -> projects" in files_row
    # Compact: a role range is its lowest role and "+", commands with one audience share a line (issue 16).
    assert "viewer+" in files_row and "insert, update, delete: member+" in files_row
    assert "owner, admin, member" not in text
    assert "password_hash" in text


def test_top_level_tenant_rows_are_deleted_by_admins_and_the_table_says_so():
    text = render()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("│ projects"))
    assert "insert, update: member+" in lines[at] and "delete: admin+" in lines[at + 1]
    files = next(i for i, line in enumerate(lines) if line.startswith("│ files"))
    assert "insert, update, delete: member+" in lines[files]  # leaf rows: writers delete them


def test_roles_lines_show_the_order_and_where_it_came_from():
    (line,) = roles_lines(build_access(saas()))
    assert "owner > admin > member > viewer" in line
    assert "workspace_members.role" in line


def test_json_form_round_trips_and_names_who_may_do_what():
    data = json.loads(json.dumps(build_access(saas()).as_dict()))
    files = next(t for t in data["tables"] if t["name"] == "files")
    assert files["scope"] == "tenant"
    assert files["rules"]["delete"] == ["owner", "admin", "member"]
    assert [h["ref_table"] for h in files["path"]] == ["projects", "workspaces"]
    assert data["roots"][0]["roles"][0] == {"name": "owner", "level": "owner"}
