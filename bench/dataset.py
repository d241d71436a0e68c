"""One dataset per database: bench/doc.md seeded by ``docbase seed``, plus the signed-in bench user.

The user signs up through docbase's own /auth/v1 (as a Supabase client
would) and is then made a member of one organization, so every workload
runs through the access rules and sees only that tenant's rows. The ids
the workloads rotate through are read back from the database: tasks of
that organization only, so a contender that leaks or denies rows shows up
as non-2xx responses or wrong row counts, not as a faster number.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from docbase.pipeline import load_schema
from docbase.seed import seed_database

DOC = Path(__file__).resolve().parent / "doc.md"
EMAIL = "bench.user@example.com"
PASSWORD = "bench-password-1"
STATUSES = ("todo", "doing", "done")


def with_database(server_url: str, name: str) -> str:
    """``server_url`` naming database ``name``; its query (a Unix socket's ``?host=/var/run/postgresql``) kept."""
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


@dataclass
class Dataset:
    url: str  # docbase's URL: sqlite:///... or postgresql://...
    rows: int
    seconds: float = 0.0
    user_id: str = ""
    token: str = ""  # the bench user's access token from docbase's /auth/v1
    org_id: str = ""
    project_ids: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith("postgres") else "sqlite"

    @property
    def sqlite_path(self) -> str:
        return self.url.removeprefix("sqlite:///")

    def connect(self):
        """A DB-API connection (sqlite3 or psycopg) with ``?``/``%s`` handled by ``sql``."""
        if self.kind == "sqlite":
            return sqlite3.connect(self.sqlite_path)
        import psycopg

        return psycopg.connect(self.url)

    def sql(self, text: str) -> str:
        return text if self.kind == "sqlite" else text.replace("?", "%s")


def seed(url: str, rows: int, tenants: int) -> Dataset:
    """Fill bench/doc.md's tables at ``url`` (``rows`` per table over ``tenants`` organizations)."""
    report = seed_database(load_schema(DOC), url, rows=rows, tenants=tenants, seed=8)
    return Dataset(url=url, rows=rows, seconds=report.seconds)


def enrol(data: Dataset, user_id: str, sample: int = 1000) -> None:
    """Make ``user_id`` a member of the organization with the most tasks; collect the ids it may see."""
    data.user_id = user_id
    with data.connect() as conn:
        cur = conn.cursor()
        cur.execute("SELECT organization_id FROM tasks GROUP BY organization_id ORDER BY count(*) DESC LIMIT 1")
        data.org_id = str(cur.fetchone()[0])
        cur.execute(data.sql("SELECT 1 FROM members WHERE organization_id = ? AND user_id = ?"), (data.org_id, user_id))
        if cur.fetchone() is None:
            cur.execute(
                data.sql("INSERT INTO members (id, organization_id, user_id, role) VALUES (?, ?, ?, 'member')"),
                (str(uuid.uuid4()), data.org_id, user_id),
            )
        cur.execute(data.sql("SELECT id FROM projects WHERE organization_id = ? ORDER BY id LIMIT 50"), (data.org_id,))
        data.project_ids = [str(r[0]) for r in cur.fetchall()]
        cur.execute(
            data.sql("SELECT id FROM tasks WHERE organization_id = ? ORDER BY id LIMIT ?"), (data.org_id, sample)
        )
        data.task_ids = [str(r[0]) for r in cur.fetchall()]
        conn.commit()
    if not data.project_ids or not data.task_ids:
        raise RuntimeError("the seeded dataset has no projects or tasks for the bench user's organization")
