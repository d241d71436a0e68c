"""Access defaults a team expects (issue 16), over HTTP on both databases, from a small team document.

Each default is switched off in ``[access.defaults]`` of docbase.toml, and the
test checks the old behaviour comes back, so the switch is proven too.
"""

from __future__ import annotations

import pytest

from .team_world import team

REP = {"Prefer": "return=representation"}


@pytest.fixture
async def make(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.chdir(tmp_path)  # docbase.toml, when a test writes one, is read from here
    made = []

    async def build(toml: str = ""):
        if toml:
            (tmp_path / "docbase.toml").write_text(toml)
        world, app = await team(db_url)
        made.append((world, app))
        return world

    yield build
    for world, app in made:
        await world.c.aclose()
        await app.state.db.close()


async def _ids(w, who: str, path: str) -> list[str]:
    got = await w.act(who, "GET", path)
    assert got.status_code == 200, got.text
    return [r["id"] for r in got.json()]


async def test_deleting_a_project_takes_an_admin_but_members_delete_tasks(make):
    w = await make()
    project, task = w.projects["A"], w.tasks["A"]
    for who in ("m", "v"):  # a member (a writer) and a viewer reach no project row to delete
        got = await w.act(who, "DELETE", f"projects?id=eq.{project}", **REP)
        assert (got.status_code, got.json()) == (200, []), got.text
    assert await _ids(w, "a", f"projects?id=eq.{project}") == [project]
    got = await w.act("m", "DELETE", f"tasks?id=eq.{task}", **REP)  # a leaf row: a writer deletes it
    assert [r["id"] for r in got.json()] == [task], got.text
    got = await w.act("d", "DELETE", f"projects?id=eq.{project}", **REP)  # an admin deletes the project
    assert [r["id"] for r in got.json()] == [project], got.text
    got = await w.act("d", "DELETE", f"projects?id=eq.{w.projects['B']}", **REP)  # not another tenant's
    assert (got.status_code, got.json()) == (200, [])


async def test_the_admin_delete_default_switches_off(make):
    w = await make("[access.defaults]\nadmin_deletes_top_level = false\n")
    got = await w.act("m", "DELETE", f"projects?id=eq.{w.projects['A']}", **REP)
    assert [r["id"] for r in got.json()] == [w.projects["A"]], got.text


def test_each_default_is_a_located_warning_in_inspect_and_access(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from docbase.cli import app

    from .team_world import DOC

    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "team.md"
    doc.write_text(DOC)
    line = DOC.splitlines().index("CREATE TABLE projects (") + 1
    wanted = f"{doc}:{line}: warning: access: deleting a row of projects takes an admin of organizations"
    for command in ("inspect", "access"):
        got = CliRunner().invoke(app, [command, str(doc)])
        assert got.exit_code == 0, got.output
        assert wanted in got.output and "admin_deletes_top_level = false" in got.output, command
    (tmp_path / "docbase.toml").write_text("[access.defaults]\nadmin_deletes_top_level = false\n")
    got = CliRunner().invoke(app, ["access", str(doc)])
    assert got.exit_code == 0 and "deleting a row of projects" not in got.output


async def test_teammates_read_each_others_profile_basics_never_email_or_phone(make):
    w = await make()
    got = await w.act("m", "GET", "projects?select=name,creator:users!created_by(name,avatar_url)")
    assert got.json() == [{"name": "PA", "creator": {"name": "a", "avatar_url": "/a.png"}}], got.text
    got = await w.act("m", "GET", "users?select=*&order=name")
    assert got.status_code == 200, got.text
    assert got.json() == [
        {"id": w.users[n], "name": n, "avatar_url": f"/{n}.png"} for n in ("a", "d", "m", "v")
    ]  # teammates in A, not b
    for path in ("users?select=email", "users?select=id&phone=eq.%2B1-a", "users?select=id&order=email"):
        got = await w.act("m", "GET", path)  # not read, not filtered on, not ordered by: no oracle either
        assert (got.status_code, got.json()["code"]) == (403, "42501"), (path, got.text)
    got = await w.act("b", "GET", "users?select=id,name")
    assert got.json() == [{"id": w.users["b"], "name": "b"}]
    got = await w.act("m", "PATCH", f"users?id=eq.{w.users['a']}", {"name": "x"}, Prefer="return=representation")
    assert (got.status_code, got.json()) == (200, []), got.text  # reading a teammate is not writing them


async def test_the_teammate_default_switches_off(make):
    w = await make("[access.defaults]\nteammate_profiles = false\n")
    got = await w.act("m", "GET", "projects?select=name,creator:users!created_by(name)")
    assert got.json() == [{"name": "PA", "creator": None}], got.text
    got = await w.act("m", "GET", "users?select=email")
    assert got.json() == [{"email": "m@x.io"}], got.text


async def test_every_42501_names_the_table_and_the_column_or_rule(make):
    w = await make()
    rule = (
        "rule: insert into tasks takes member+ in the organizations row it belongs to "
        "(tasks.project_id -> projects, then projects.organization_id -> organizations)"
    )
    other = {"project_id": w.projects["B"], "title": "x"}
    for who, body in (("m", other), ("v", {"project_id": w.projects["A"], "title": "x"})):
        got = await w.act(who, "POST", "tasks", body)
        assert got.status_code == 403, got.text
        assert (got.json()["code"], got.json()["details"]) == ("42501", rule), got.text
        assert "tasks" in got.json()["message"]
    got = await w.act("anon", "GET", "tasks")
    assert got.status_code == 401 and got.json()["details"].startswith("rule: read tasks takes viewer+"), got.text
    # An upsert naming created_by: refused on both databases, naming the column (issue 16).
    row = {"id": w.tasks["A"], "project_id": w.projects["A"], "title": "T", "created_by": w.users["m"]}
    got = await w.act("m", "POST", "tasks", row, Prefer="resolution=merge-duplicates")
    assert (got.status_code, got.json()["code"]) == (403, "42501"), got.text
    assert '"created_by"' in got.json()["details"] and "tasks" in got.json()["message"]


async def test_the_tenant_key_admin_default_switches_off(make):
    w = await make("[access.defaults]\nadmins_manage_tenant_keys = false\n")
    got = await w.act("a", "POST", "rpc/create_api_key", {"name": "ci", "organization_id": w.tenants["A"]})
    assert got.status_code == 200, got.text
    made = got.json()["id"]
    assert [r["id"] for r in (await w.act("a", "GET", "api_keys?select=id")).json()] == [made]  # its maker
    assert (await w.act("d", "GET", "api_keys?select=id")).json() == []  # an admin of A no longer
    got = await w.act("d", "DELETE", f"api_keys?id=eq.{made}", **REP)
    assert (got.status_code, got.json()) == (200, [])
