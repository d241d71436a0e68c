"""Read replicas: a real primary and a streaming replica built by the test (initdb, pg_basebackup).

The cluster is the test's own (two throwaway PostgreSQL servers on free
ports), since replication needs settings the machine's server may not allow.
Replay on the replica is paused to make it lag on purpose: then a reader who
did not write sees the replica's older state (so reads really go there), the
writer sees its own row at once (read-your-writes), writes keep succeeding
(so none is sent to the hot standby), and after replay resumes everyone
sees the row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from .test_serve import Server, free_port

pytestmark = [pytest.mark.slow, pytest.mark.pg]

BIN = Path("/usr/lib/postgresql/15/bin")
DOC = """# Notes

```sql
CREATE TABLE users (id uuid PRIMARY KEY, email text UNIQUE);
CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, user_id uuid NOT NULL REFERENCES users(id));
```
"""


def _as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's programs refuse to run as root: run them as the postgres user when we are root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + command, check=True, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def cluster(tmp_path):
    if not (BIN / "initdb").exists() or not shutil.which("runuser"):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15's server programs are needed for the replica test")
        pytest.skip("PostgreSQL 15's server programs (initdb, pg_basebackup) are not installed")
    base = Path(f"/tmp/docbase-replica-{os.getpid()}-{time.monotonic_ns()}")
    base.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    ports = free_port(), free_port()
    started: list[Path] = []
    try:
        _as_postgres([str(BIN / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres"])
        (primary / "postgresql.conf").open("a").write(
            f"port = {ports[0]}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
        )
        (primary / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )
        _as_postgres([str(BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start"])
        started.append(primary)
        _as_postgres(
            [str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres"]
            + ["-D", str(replica), "-R", "-X", "stream"]
        )
        (replica / "postgresql.conf").open("a").write(f"port = {ports[1]}\nhot_standby = on\n")
        _as_postgres([str(BIN / "pg_ctl"), "-D", str(replica), "-l", str(base / "replica.log"), "-w", "start"])
        started.append(replica)
        yield tuple(f"postgresql://postgres@127.0.0.1:{port}/postgres" for port in ports)
    finally:
        for data in reversed(started):
            subprocess.run(
                (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                + [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def _wait_replayed(primary: str, replica: str) -> None:
    with psycopg.connect(primary, autocommit=True) as p:
        target = p.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
    with psycopg.connect(replica, autocommit=True) as r:
        for _ in range(200):
            if r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 10 s")


def _signup(server: Server, email: str) -> tuple[str, dict[str, str]]:
    got = httpx.post(
        f"{server.base}/auth/v1/signup",
        json={"email": email, "password": "Correct-Horse-Battery-9"},
        headers={"apikey": server.anon_key},
    )
    assert got.status_code == 200, got.text
    session = got.json()
    return session["user"]["id"], {"apikey": server.anon_key, "Authorization": f"Bearer {session['access_token']}"}


def test_reads_go_to_the_replica_and_a_writer_reads_its_own_writes(cluster, tmp_path, monkeypatch):
    primary, replica = cluster
    monkeypatch.setenv("DOCBASE_DB_READ_URLS", replica)
    server = Server(tmp_path, primary, document=DOC)
    server.start()
    try:
        service = {"apikey": server.service_key, "Authorization": f"Bearer {server.service_key}"}
        ann, writer = _signup(server, "ann@example.com")
        made = httpx.post(f"{server.base}/rest/v1/notes", json={"id": 1, "body": "old", "user_id": ann}, headers=writer)
        assert made.status_code == 201, made.text
        _wait_replayed(primary, replica)
        url = f"{server.base}/rest/v1/notes?select=id,body&order=id"
        with psycopg.connect(replica, autocommit=True) as r:
            r.execute("SELECT pg_wal_replay_pause()")  # the replica now lags behind every later write
            written = httpx.post(
                f"{server.base}/rest/v1/notes", json={"id": 2, "body": "new", "user_id": ann}, headers=writer
            )
            assert written.status_code == 201, written.text  # a write sent to the standby would fail
            changed = httpx.patch(f"{server.base}/rest/v1/notes?id=eq.1", json={"body": "edited"}, headers=writer)
            assert changed.status_code == 204, changed.text
            for _ in range(3):  # the writer reads its own writes at once, whatever the replica's lag
                assert httpx.get(url, headers=writer).json() == [{"id": 1, "body": "edited"}, {"id": 2, "body": "new"}]
            for _ in range(3):  # everyone else reads from the lagging replica
                assert httpx.get(url, headers=service).json() == [{"id": 1, "body": "old"}]
            r.execute("SELECT pg_wal_replay_resume()")
        _wait_replayed(primary, replica)
        assert httpx.get(url, headers=service).json() == [{"id": 1, "body": "edited"}, {"id": 2, "body": "new"}]
    finally:
        server.stop()


def test_read_replicas_need_a_postgresql_primary(tmp_path):
    from docbase.api import create_app
    from docbase.pipeline import build_schema
    from docbase.settings import ConfigError

    with pytest.raises(ConfigError, match="read replicas need a PostgreSQL primary"):
        os.environ["DOCBASE_DB_READ_URLS"] = "postgresql://postgres@127.0.0.1:1/x"
        try:
            create_app(build_schema(DOC), f"sqlite:///{tmp_path / 'x.db'}", secret="s" * 40)
        finally:
            del os.environ["DOCBASE_DB_READ_URLS"]
