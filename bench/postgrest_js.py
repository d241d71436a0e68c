"""``python -m bench.postgrest_js``: PostgREST's official JavaScript client's own test suite, run against docbase.

A measure from outside (issue 15): postgrest-js's jest suite expects PostgREST 12 on
``localhost:3000`` (and 13 on ``:3001``) serving its fixture schema with full rights
(PostgREST's anon role there is ``postgres``). This script

1. wraps the suite's ``test/db/00-schema.sql`` and ``01-dummy-data.sql`` in Markdown fences and
   migrates them with docbase (the SQL is the design document, as a team would paste it);
2. writes the data file's rows through docbase's API as service_role (docbase reads no INSERTs) (PostgreSQL as written; SQLite
   through sqlglot), statement by statement, printing each one the database refused;
3. serves the document with ``docbase serve`` and puts a small proxy on ports 3000 and 3001
   that maps ``/`` to ``/rest/v1`` and adds the service_role key (PostgREST's superuser anon);
4. runs jest and prints, per test file, passed/total, and the failing tests' names.

It changes nothing in the suite's files and asserts nothing; it prints. Needs node and a clone of
supabase/postgrest-js with ``npm ci`` done::

    python -m bench.postgrest_js --suite /path/to/postgrest-js --db postgresql://postgres@127.0.0.1:5432/test
    python -m bench.postgrest_js --suite /path/to/postgrest-js --db sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .dataset import with_database

SECRET = "postgrest-js-suite-secret-0123456789abcdef"
PORTS = (3000, 3001)


def document(suite: Path) -> str:
    """Both SQL files, each in a fence: the data file also creates tables (``hotel``, ``booking``)."""
    schema = (suite / "test/db/00-schema.sql").read_text()
    data = (suite / "test/db/01-dummy-data.sql").read_text()
    return (
        f"# postgrest-js test fixture\n\n```sql\n{schema.rstrip()}\n```\n\n"
        f"## Dummy data\n\n```sql\n{data.rstrip()}\n```\n"
    )


def statements(sql: str) -> list[str]:
    """The data file's statements (it has no functions or dollar quotes: semicolons end statements)."""
    import sqlglot

    out = []
    for tree in sqlglot.parse(sql, read="postgres"):
        if tree is not None:
            tree.comments = None
            out.append(tree.sql(dialect="postgres"))
    return out


def _value(expr):  # type: ignore[no-untyped-def]
    """A literal of the data file as JSON sends it: casts keep their text, ARRAY[...] is a list."""
    import sqlglot.expressions as e

    if isinstance(expr, e.Null):
        return None
    if isinstance(expr, e.Boolean):
        return expr.this
    if isinstance(expr, e.Literal):
        if expr.is_string:
            return expr.this
        return int(expr.this) if expr.this.lstrip("-").isdigit() else float(expr.this)
    if isinstance(expr, e.Neg):
        return -_value(expr.this)
    if isinstance(expr, e.Cast):
        return _value(expr.this)
    if isinstance(expr, e.Array):
        return [_value(x) for x in expr.expressions]
    raise ValueError(f"not a literal: {expr.sql()}")


def load_data(suite: Path, base: str, service_key: str, schema) -> list[str]:  # type: ignore[no-untyped-def]
    """Write the data file's rows through docbase's own API as service_role (docbase reads no INSERTs),
    as a client would; returns each statement docbase refused, with why."""
    import httpx
    import sqlglot

    sql = (suite / "test/db/01-dummy-data.sql").read_text()
    refused: list[str] = []
    headers = {"apikey": service_key, "Authorization": f"Bearer {service_key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for stmt in statements(sql):
            if not stmt.upper().startswith("INSERT"):
                continue  # the tables are the document's: docbase made them
            tree = sqlglot.parse_one(stmt, read="postgres")
            target = tree.this.this if isinstance(tree.this, sqlglot.exp.Schema) else tree.this
            names = [c.name for c in tree.this.expressions] if isinstance(tree.this, sqlglot.exp.Schema) else []
            table = schema.table(target.name)
            kinds = {c.name: c.type for c in table.columns} if table else {}
            rows = []
            for values in tree.expression.expressions:
                row = {}
                for name, expr in zip(names, values.expressions, strict=True):
                    value = _value(expr)
                    if kinds.get(name) in ("json", "jsonb") and isinstance(value, str):
                        value = json.loads(value)
                    row[name] = value
                rows.append(row)
            profile = {"Content-Profile": target.db} if target.db and target.db != "public" else {}
            answer = client.post(f"/rest/v1/{target.name}", json=rows, headers=profile)
            if answer.status_code >= 300:
                refused.append(f"{stmt[:90]}... -> {answer.status_code} {answer.text[:200]}")
    return refused


def fresh_pg(base: str) -> tuple[str, callable]:
    """A throwaway database on the server of ``base``; returns its URL and a function dropping it."""
    import psycopg

    name = f"pgjs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(base, name)

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_app(upstream: str, service_key: str):  # type: ignore[no-untyped-def]
    """ASGI app forwarding ``/x`` to ``upstream/rest/v1/x`` as service_role unless the request names a key."""
    import httpx

    client = httpx.AsyncClient(base_url=upstream, timeout=30)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = [
            (k.decode(), v.decode()) for k, v in scope["headers"] if k.lower() not in (b"host", b"content-length")
        ]
        names = {k.lower() for k, _ in headers}
        if "authorization" not in names:
            headers.append(("authorization", f"Bearer {service_key}"))
        headers = [(k, v) for k, v in headers if k.lower() != "apikey"] + [("apikey", service_key)]
        path = "/rest/v1" + scope["path"]
        query = scope["query_string"].decode()
        upstream_response = await client.request(
            scope["method"], path + ("?" + query if query else ""), headers=headers, content=body
        )
        out = [
            (k.encode(), v.encode())
            for k, v in upstream_response.headers.items()
            if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
        ]
        out.append((b"content-length", str(len(upstream_response.content)).encode()))
        await send({"type": "http.response.start", "status": upstream_response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": upstream_response.content})

    return app


def start_proxies(upstream: str, service_key: str) -> list:  # type: ignore[type-arg]
    import uvicorn

    servers = []
    for port in PORTS:
        config = uvicorn.Config(proxy_app(upstream, service_key), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
    deadline = time.monotonic() + 20
    while not all(s.started for s in servers):
        if time.monotonic() > deadline:
            raise SystemExit(f"the proxies on {PORTS} did not start (is something else on these ports?)")
        time.sleep(0.05)
    return servers


def serve(doc: Path, url: str, port: int) -> subprocess.Popen:  # type: ignore[type-arg]
    docbase = Path(sys.executable).parent / "docbase"
    env = {**os.environ, "DOCBASE_JWT_SECRET": SECRET}
    proc = subprocess.Popen(
        [str(docbase), "serve", str(doc), "--db", url, "--port", str(port)],
        cwd=doc.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/rest/v1/", timeout=1)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise SystemExit("docbase serve exited:\n" + (proc.stderr.read() if proc.stderr else "")) from None
            time.sleep(0.2)
    raise SystemExit("docbase serve did not start")


def run_jest(suite: Path, out: Path) -> dict:  # type: ignore[type-arg]
    jest = suite / "node_modules/.bin/jest"
    files = sorted(str(p.relative_to(suite)) for p in (suite / "test").glob("*.test.ts"))
    subprocess.run(
        [str(jest), "--runInBand", "--json", f"--outputFile={out}", "--coverage=false", *files],
        cwd=suite,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return json.loads(out.read_text())


def report(result: dict, label: str, why: bool = False) -> None:  # type: ignore[type-arg]
    print(f"\n## postgrest-js suite on docbase ({label})\n")
    print("| file | passed | total |\n|---|---|---|")
    failing: list[str] = []
    for f in sorted(result["testResults"], key=lambda r: r["name"]):
        tests = f["assertionResults"]
        passed = sum(t["status"] == "passed" for t in tests)
        print(f"| {Path(f['name']).name} | {passed} | {len(tests)} |")
        for t in tests:
            if t["status"] != "passed":
                said = ""
                if why and t.get("failureMessages"):
                    said = "\n    " + "\n    ".join(_plain(t["failureMessages"][0]).splitlines()[:40])
                failing.append(f"{Path(f['name']).name}: {t['fullName']}{said}")
        if not tests and f.get("message"):
            why = re.sub(r"\s+", " ", f["message"])[:300]
            failing.append(f"{Path(f['name']).name}: did not run: {why}")
    print(f"\n**{result['numPassedTests']} of {result['numTotalTests']} passed**\n")
    for name in failing:
        print(f"- FAIL {name}")


def _plain(text: str) -> str:
    """Jest's message without terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", type=Path, required=True, help="a clone of supabase/postgrest-js with npm ci done")
    parser.add_argument("--db", default="sqlite", help="'sqlite' or a PostgreSQL URL (a throwaway database is made)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and print it")
    parser.add_argument("--why", action="store_true", help="print each failure's first lines (expected/received)")
    args = parser.parse_args(argv)
    from docbase.auth import keys

    work = Path(tempfile.mkdtemp(prefix="pgjs-"))
    doc = work / "design.md"
    doc.write_text(document(args.suite))
    drop = None
    if args.db == "sqlite":
        url, label = f"sqlite:///{work / 'suite.db'}", "SQLite"
    else:
        url, drop = fresh_pg(args.db)
        label = "PostgreSQL"
    docbase = Path(sys.executable).parent / "docbase"
    migrated = subprocess.run([str(docbase), "migrate", str(doc), "--db", url], capture_output=True, text=True)
    if migrated.returncode:
        print(migrated.stdout + migrated.stderr)
    port = free_port()
    proc = serve(doc, url, port)
    from docbase.pipeline import load_schema

    for line in load_data(args.suite, f"http://127.0.0.1:{port}", keys.service_key(SECRET), load_schema(doc)):
        print(f"data refused: {line}")
    servers = start_proxies(f"http://127.0.0.1:{port}", keys.service_key(SECRET))
    try:
        report(run_jest(args.suite, work / "jest.json"), label, args.why)
    finally:
        for s in servers:
            s.should_exit = True
        proc.terminate()
        proc.wait(timeout=10)
        if drop is not None:
            drop()
        if args.keep:
            print(f"work directory: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
