"""A write may only point its foreign keys at rows the writer may read, on both databases.

Issue 12, finding 8: tenant B could reference A's project or tag, which told B
whether a row existed (23503 vs 201) and then kept A from deleting its own row
(409). Now such a write is 403 42501 with the same body whether the row exists
or not, nothing is written, and A deletes freely. References to users are not
checked: teammates are named by id, and users read only their own row.
"""

from __future__ import annotations

import pytest

from docbase.access import build_access
from docbase.pipeline import build_schema, load_schema

from .worlds import REP, SMALL, new_id, seed, world_000, world_003, world_small

MERGE = {"Prefer": "resolution=merge-duplicates,return=representation"}


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / ".docbase"))
    monkeypatch.delenv("DOCBASE_SECRET_KEY", raising=False)


def denied(db_url: str, table: str) -> dict:
    """PostgreSQL names the restrictive policy that refused the row; SQLite's compiled check says the same less the name."""
    policy = ' "docbase references"' if db_url.startswith("postgresql") else ""
    return {
        "code": "42501",
        "message": f'new row violates row-level security policy{policy} for table "{table}"',
        "details": _EndsWith("may only name rows you can read, of the row's own tenant"),  # the rule, in words
        "hint": None,
    }


class _EndsWith(str):
    """Equal to any text ending with this one (SQLite's check also names the table's command rule first)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith("rule: ") and other.endswith(str(self))

    __hash__ = str.__hash__


def test_the_model_lists_checked_references_and_leaves_users_and_the_tenant_hop_out():
    checked = {
        t.table: [str(h) for h in t.references] for t in build_access(load_schema(seed("003"))).tables if t.references
    }
    assert checked["tags"] == ["tags.projectId -> projects"]
    assert checked["monitor_tags"] == ["monitor_tags.tagId -> tags"]
    assert "member" not in checked  # member.userId -> user: users are named by id
    small = {t.table: [str(h) for h in t.references] for t in build_access(build_schema(SMALL, "small.md")).tables}
    assert small["cards"] == ["cards.parent_id -> cards"]
    assert small["card_labels"] == ["card_labels.card_id -> cards"]  # label_id is its way to the tenant
    assert small["profiles"] == ["profiles.home_team_id -> teams"]


async def _refused_alike(w, db_url, who, method, table, path_of, body_of, present, absent) -> None:
    """The write naming ``present`` (another tenant's row) and ``absent`` (no row) get the same 403."""
    answers = []
    for target in (present, absent):
        got = await w.act(
            who, method, path_of(target), body_of(target), **(MERGE if "on_conflict" in path_of(target) else REP)
        )
        answers.append((got.status_code, got.json()))
    assert answers == [(403, denied(db_url, table))] * 2, (method, path_of(present))


async def test_003_tenant_b_cannot_point_a_tag_at_a_project_of_a(db_url):
    w = await world_003(db_url)
    try:
        a2, monitor_b = new_id(), new_id()
        await w.ok("POST", "projects", {"id": a2, "organizationId": w.tenants["A"], "name": "A spare"})
        await w.ok("POST", "monitors", {"id": monitor_b, "organizationId": w.tenants["B"], "name": "B monitor"})
        before = await w.snapshot("tags", "projects", "monitor_tags")
        org_b, tag_b = w.tenants["B"], w.rows["tag B"]

        def new_tag(project):
            return {"id": new_id(), "organizationId": org_b, "projectId": project, "name": "probe"}

        await _refused_alike(w, db_url, "b", "POST", "tags", lambda p: "tags", new_tag, a2, new_id())
        await _refused_alike(
            w, db_url, "b", "PATCH", "tags", lambda p: f"tags?id=eq.{tag_b}", lambda p: {"projectId": p}, a2, new_id()
        )
        # an upsert onto B's own run (runs have no creator column, so PostgreSQL lets B merge at all)
        job_b, run_b = new_id(), new_id()
        await w.ok("POST", "jobs", {"id": job_b, "organizationId": org_b, "projectId": w.rows["project B"]})
        await w.ok("POST", "runs", {"id": run_b, "jobId": job_b, "projectId": w.rows["project B"], "status": "ok"})
        before["runs"] = (await w.snapshot("runs"))["runs"]
        await _refused_alike(
            w, db_url, "b", "POST", "runs", lambda p: "runs?on_conflict=id",
            lambda p: {"id": run_b, "jobId": job_b, "projectId": p, "status": "ok"}, a2, new_id(),
        )  # fmt: skip
        await _refused_alike(
            w, db_url, "b", "POST", "monitor_tags", lambda t: "monitor_tags",
            lambda t: {"monitorId": monitor_b, "tagId": t}, w.rows["tag A"], new_id(),
        )  # fmt: skip
        got = await w.act("anon", "POST", "tags", new_tag(a2))
        assert got.status_code == 401, got.text
        assert await w.snapshot("tags", "projects", "monitor_tags", "runs") == before
        # A deletes its own project: nothing of B's holds on to it
        gone = await w.act("a", "DELETE", f"projects?id=eq.{a2}", **REP)
        assert (gone.status_code, [r["id"] for r in gone.json()]) == (200, [a2])
        # and references inside one's own tenant still work, for B and for A's members
        mine = await w.act("b", "POST", "tags", new_tag(w.rows["project B"]), **REP)
        assert mine.status_code == 201, mine.text
        ours = {"id": new_id(), "organizationId": w.tenants["A"], "projectId": w.rows["project A"], "name": "ok"}
        assert (await w.act("w", "POST", "tags", ours, **REP)).status_code == 201
    finally:
        await w.close()


async def test_000_tenant_b_cannot_point_at_a_workspace_or_integration_of_a(db_url):
    w = await world_000(db_url)
    try:
        before = await w.snapshot("users", "github_integrations")
        me = f"users?id=eq.{w.users['b']}"
        await _refused_alike(
            w, db_url, "b", "PATCH", "users", lambda x: me, lambda x: {"last_visited_workspace_id": x},
            w.tenants["A"], new_id(),
        )  # fmt: skip
        await _refused_alike(
            w, db_url, "b", "POST", "github_integrations", lambda x: "github_integrations",
            lambda x: {"id": new_id(), "workspace_id": w.tenants["B"], "integration_id": x},
            w.rows["integration A"], new_id(),
        )  # fmt: skip
        assert await w.snapshot("users", "github_integrations") == before
        got = await w.act("b", "PATCH", me, {"last_visited_workspace_id": w.tenants["B"]}, **REP)
        assert [r["last_visited_workspace_id"] for r in got.json()] == [w.tenants["B"]]
        own = {"id": new_id(), "workspace_id": w.tenants["B"], "integration_id": w.rows["integration B"]}
        assert (await w.act("b", "POST", "github_integrations", own, **REP)).status_code == 201
    finally:
        await w.close()


async def test_small_self_references_junction_rows_and_profiles_are_checked_too(db_url):
    w = await world_small(db_url)
    try:
        tables = ("cards", "card_labels", "profiles", "labels")
        before = await w.snapshot(*tables)
        board_b, card_b = w.rows["board B"], w.rows["card B"]
        await _refused_alike(
            w, db_url, "b", "POST", "cards", lambda x: "cards",
            lambda x: {"board_id": board_b, "parent_id": x, "title": "probe"}, w.rows["card A"], new_id(),
        )  # fmt: skip
        await _refused_alike(
            w, db_url, "b", "POST", "card_labels", lambda x: "card_labels",
            lambda x: {"card_id": x, "label_id": w.rows["label B"]}, w.rows["card A"], new_id(),
        )  # fmt: skip
        await _refused_alike(
            w, db_url, "b", "PATCH", "profiles", lambda x: f"profiles?id=eq.{w.users['b']}",
            lambda x: {"home_team_id": x}, w.tenants["A"], new_id(),
        )  # fmt: skip
        assert await w.snapshot(*tables) == before
        gone = await w.act("a", "DELETE", f"labels?id=eq.{w.rows['label A']}", **REP)
        assert (gone.status_code, len(gone.json())) == (200, 1)
        # own rows, and naming another user (an assignee), still work
        child = {"board_id": board_b, "parent_id": card_b, "assignee_id": w.users["a"], "title": "child"}
        assert (await w.act("b", "POST", "cards", child, **REP)).status_code == 201
        linked = await w.act("b", "POST", "card_labels", {"card_id": card_b, "label_id": w.rows["label B"]}, **REP)
        assert linked.status_code == 201, linked.text
        home = await w.act("b", "PATCH", f"profiles?id=eq.{w.users['b']}", {"home_team_id": w.tenants["B"]}, **REP)
        assert [r["home_team_id"] for r in home.json()] == [w.tenants["B"]]
    finally:
        await w.close()


async def test_003_a_member_of_both_tenants_cannot_tie_b_rows_to_a_rows(db_url):
    """Reading both tenants is not enough: the referenced row must belong to the written row's tenant."""
    w = await world_003(db_url)
    try:
        await w.ok(
            "POST",
            "member",
            {"id": new_id(), "organizationId": w.tenants["A"], "userId": w.users["b"], "role": "member"},
        )
        org_b, tag_b, project_a = w.tenants["B"], w.rows["tag B"], w.rows["project A"]
        monitor_b = new_id()
        await w.ok("POST", "monitors", {"id": monitor_b, "organizationId": org_b, "name": "B monitor"})
        before = await w.snapshot("tags", "projects", "monitor_tags")
        tag = {"id": new_id(), "organizationId": org_b, "projectId": project_a, "name": "probe"}
        got = await w.act("b", "POST", "tags", tag, **REP)
        assert (got.status_code, got.json()) == (403, denied(db_url, "tags"))
        got = await w.act("b", "PATCH", f"tags?id=eq.{tag_b}", {"projectId": project_a}, **REP)
        assert (got.status_code, got.json()) == (403, denied(db_url, "tags"))
        # the tenant along a longer path: monitor_tags reaches its organization through monitors
        got = await w.act("b", "POST", "monitor_tags", {"monitorId": monitor_b, "tagId": w.rows["tag A"]}, **REP)
        assert (got.status_code, got.json()) == (403, denied(db_url, "monitor_tags"))
        assert await w.snapshot("tags", "projects", "monitor_tags") == before
        # each tenant's own references still work for the same user
        mine = await w.act("b", "POST", "monitor_tags", {"monitorId": monitor_b, "tagId": tag_b}, **REP)
        assert (mine.status_code, [(r["monitorId"], r["tagId"]) for r in mine.json()]) == (201, [(monitor_b, tag_b)])
        ours = {"id": new_id(), "organizationId": w.tenants["A"], "projectId": project_a, "name": "in A"}
        got = await w.act("b", "POST", "tags", ours, **REP)
        assert (got.status_code, [r["projectId"] for r in got.json()]) == (201, [project_a])
    finally:
        await w.close()


async def test_small_a_member_of_both_teams_cannot_cross_them_through_a_self_reference(db_url):
    w = await world_small(db_url)
    try:
        await w.ok("POST", "team_members", {"team_id": w.tenants["A"], "user_id": w.users["b"], "role": "editor"})
        before = await w.snapshot("cards", "card_labels")
        child = {"board_id": w.rows["board B"], "parent_id": w.rows["card A"], "title": "crossing"}
        got = await w.act("b", "POST", "cards", child, **REP)
        assert (got.status_code, got.json()) == (403, denied(db_url, "cards"))
        linked = {"card_id": w.rows["card A"], "label_id": w.rows["label B"]}
        got = await w.act("b", "POST", "card_labels", linked, **REP)
        assert (got.status_code, got.json()) == (403, denied(db_url, "card_labels"))
        assert await w.snapshot("cards", "card_labels") == before
        child["parent_id"] = w.rows["card B"]
        got = await w.act("b", "POST", "cards", child, **REP)
        assert (got.status_code, [r["parent_id"] for r in got.json()]) == (201, [w.rows["card B"]])
    finally:
        await w.close()


PLAN_DOC = """# Plan

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE organizations (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE members (
  organization_id uuid NOT NULL REFERENCES organizations(id),
  user_id uuid NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  PRIMARY KEY (organization_id, user_id)
);
CREATE TABLE projects (id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES organizations(id), name text);
CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  project_id uuid NOT NULL REFERENCES projects(id),
  title text NOT NULL
);
```
"""


def test_a_reference_is_checked_by_its_key_not_by_listing_every_readable_row(tmp_path):
    """SQLite's write check looks the named project up by its key. Written as ``project_id IN (SELECT id FROM
    projects WHERE <readable>)`` SQLite listed all of the tenant's projects on every insert: inserts fell ~10x
    on a 20,000-row bench (bench/results), with no test noticing. The plan is the contract, not a timing."""
    import sqlite3

    from docbase.access.row_rules import _compile_check
    from docbase.api.app import access_gate
    from docbase.api.catalog import Catalog
    from docbase.migrate import migrate

    schema = build_schema(PLAN_DOC, "plan.md")
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    migrate(schema, url)
    gate = access_gate(schema, Catalog(schema, "sqlite"), None)
    sql, slots = _compile_check(gate.check_statement("tasks", "insert", "authenticated"))
    with sqlite3.connect(tmp_path / "plan.db") as conn:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, [None] * len(slots))]
    projects = [step for step in plan if " ref0 " in f" {step} "]
    assert projects, plan
    assert all("(id=?)" in step for step in projects), plan  # found by its key, one row
    assert not any(step.startswith("LIST SUBQUERY") and "ref0" in step for step in plan), plan
