"""PostgreSQL: ``storage.objects`` under row-level security decides as the routes do, for SQL run as a user.

Objects are made through the official client; then plain SQL as ``authenticated`` with
Supabase's ``request.jwt.claims`` (the way docbase's REST API runs a request) sees and
changes only what /storage/v1 would let that user see and change.
"""

from __future__ import annotations

import json

import psycopg
import pytest

pytest.importorskip("supabase")

from .conftest import served_world  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def pg_world(tmp_path, pg_url):
    with served_world(tmp_path, pg_url) as made:
        yield made, pg_url


def _as(conn: psycopg.Connection, role: str, sub: str | None, sql: str, params=()) -> list:
    with conn.transaction():
        conn.execute("SELECT set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                     (role, json.dumps({"role": role, "sub": sub})))  # fmt: skip
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else [cur.rowcount]


def test_rls_matches_the_routes(pg_world):
    world, url = pg_world
    st = world.admin.storage
    st.create_bucket("files")
    st.create_bucket("open", options={"public": True})
    a, b = world.org_a, world.org_b
    world.client("alice").storage.from_("files").upload(f"{a}/plan.txt", b"A", {"content-type": "text/plain"})
    world.client("bob").storage.from_("files").upload(f"{b}/plan.txt", b"B", {"content-type": "text/plain"})
    st.from_("open").upload(f"{a}/logo.txt", b"L", {"content-type": "text/plain"})
    alice, vera, bob = world.users["alice"], world.users["vera"], world.users["bob"]
    names = "SELECT bucket_id || '/' || name FROM storage.objects ORDER BY 1"
    with psycopg.connect(url, autocommit=True) as conn:
        assert _as(conn, "authenticated", bob, names) == [(f"files/{b}/plan.txt",), (f"open/{a}/logo.txt",)]
        assert _as(conn, "authenticated", vera, names) == [(f"files/{a}/plan.txt",), (f"open/{a}/logo.txt",)]
        assert _as(conn, "anon", None, names) == [(f"open/{a}/logo.txt",)]
        # writes: a reader or the other tenant changes nothing; a writer may rename within its tenant only
        rename = "UPDATE storage.objects SET name = %s WHERE name = %s"
        assert _as(conn, "authenticated", vera, rename, (f"{a}/x.txt", f"{a}/plan.txt")) == [0]
        assert _as(conn, "authenticated", bob, rename, (f"{b}/x.txt", f"{a}/plan.txt")) == [0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(conn, "authenticated", alice, rename, (f"{b}/stolen.txt", f"{a}/plan.txt"))
        assert _as(conn, "authenticated", alice, rename, (f"{a}/renamed.txt", f"{a}/plan.txt")) == [1]
        assert _as(conn, "authenticated", bob, "DELETE FROM storage.objects WHERE name LIKE %s", (f"{a}/%",)) == [0]
        assert _as(conn, "anon", None, "SELECT id FROM storage.buckets ORDER BY 1") == [("open",)]
    assert world.client("alice").storage.from_("files").download(f"{a}/renamed.txt") == b"A"
