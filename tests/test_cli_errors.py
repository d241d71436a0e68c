"""No traceback reaches a user: every command with bad input prints one clear line and exits non-zero.

The commands run as the installed console script would (``docbase.cli:main``
in a fresh interpreter), because a traceback is printed by the interpreter
itself, which an in-process runner would hide.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = "# Shop\n\n```sql\nCREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);\n```\n"
UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:1/nothing"


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DOCBASE_")}
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), full_env.get("PYTHONPATH", "")])
    full_env.update(env or {})
    code = "import sys; from docbase.cli import main; sys.argv[0] = 'docbase'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "shop.md").write_text(DOC)
    return tmp_path


CASES = [
    ("missing file", ["inspect", "nope.md"], None, 2, "nope.md: no such file"),
    ("missing file, migrate", ["migrate", "nope.md"], None, 2, "nope.md: no such file"),
    ("bad URL", ["migrate", "shop.md", "--db", "foo://x"], None, 1, "unsupported database 'foo'"),
    ("not a URL", ["migrate", "shop.md", "--db", "::::"], None, 1, "not a database URL"),
    ("unreachable database, migrate", ["migrate", "shop.md", "--db", UNREACHABLE_PG], None, 1, "cannot connect"),
    ("unreachable database, outbox", ["outbox", "shop.md", "--db", UNREACHABLE_PG], None, 1, "Connection refused"),
    ("unreachable database, seed", ["seed", "shop.md", "--db", UNREACHABLE_PG], None, 1, "cannot connect"),
    ("unreachable database, rotate-key", ["rotate-key", "shop.md", "--db", UNREACHABLE_PG], None, 1, "refused"),
    ("sqlite in a missing folder", ["migrate", "shop.md", "--db", "sqlite:////no/such/dir/x.db"], None, 1, "cannot"),
    ("bad dialect", ["sql", "shop.md", "--dialect", "mysql"], None, 2, "--dialect must be"),
    ("unknown command", ["bogus"], None, 2, "No such command"),
    ("missing file, dev", ["dev", "nope.md"], None, 2, "nope.md: no such file"),
    ("unreachable database, dev", ["dev", "shop.md", "--db", UNREACHABLE_PG], None, 1, "cannot connect"),
    ("unreachable database, check", ["check", "shop.md", "--db", UNREACHABLE_PG], None, 1, "cannot connect"),
    ("no sqlite file, check", ["check", "shop.md"], None, 1, "no database at"),
    ("bad URL, check", ["check", "shop.md", "--db", "foo://x"], None, 2, "unsupported database 'foo'"),
    ("types: unknown language", ["types", "rust", "shop.md"], None, 2, "language must be typescript or python"),
    ("types: missing file", ["types", "typescript", "nope.md"], None, 2, "nope.md: no such file"),
    ("types: unwritable output", ["types", "python", "shop.md", "-o", "/no/such/dir/t.py"], None, 1, "cannot write"),
    ("bad env value", ["serve", "shop.md"], {"DOCBASE_MAX_BODY_BYTES": "big"}, 2, "DOCBASE_MAX_BODY_BYTES: error:"),
]


@pytest.mark.parametrize(("args", "env", "code", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_never_a_traceback(workdir, args, env, code, says):
    result = run(args, workdir, env)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == code, result.stderr
    assert says in result.stderr


@pytest.mark.parametrize("command", ["inspect", "migrate", "sql", "access", "keys", "serve"])
def test_unknown_config_key_says_did_you_mean(workdir, command):
    (workdir / "docbase.toml").write_text('# settings\n\ndb_ur = "sqlite:///x.db"\n')
    result = run([command, "shop.md"], workdir)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 2
    toml = workdir / "docbase.toml"
    assert f"{toml}:3: error: unknown setting 'db_ur' (did you mean 'db_url'?)" in result.stderr.splitlines()


def test_malformed_config_names_its_line(workdir):
    (workdir / "docbase.toml").write_text('server = "uvicorn"\nmax_body_bytes = \n')
    result = run(["inspect", "shop.md"], workdir)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"{workdir / 'docbase.toml'}:2: error: ")
    assert "Traceback" not in result.stderr


def test_config_value_of_the_wrong_type(workdir):
    (workdir / "docbase.toml").write_text('max_body_bytes = "a lot"\n')
    result = run(["migrate", "shop.md"], workdir)
    assert result.returncode == 2
    assert "max_body_bytes = 'a lot' should be a number" in result.stderr


def test_port_in_use_is_refused_before_serving(workdir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run(["serve", "shop.md", "--port", str(port), "--db", f"sqlite:///{workdir / 'shop.db'}"], workdir)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "serving" not in result.stdout


def test_version(workdir):
    result = run(["--version"], workdir)
    assert result.returncode == 0
    assert result.stdout.startswith("docbase ")


def test_postgres_scheme_is_accepted_everywhere(workdir, pg_url):
    """``postgres://`` (Heroku's and Supabase's spelling) works for migrate as it does for serve."""
    url = pg_url.replace("postgresql://", "postgres://", 1)
    result = run(["migrate", "shop.md", "--db", url], workdir)
    assert result.returncode == 0, result.stderr
    assert "created the database: 1 tables" in result.stdout
